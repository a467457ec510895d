// The gradient-boosting histogram pass (histograms.cc), added to the module's exports by Init in mlp.cc.
#pragma once
#include <node_api.h>

namespace lathe {

// Defines `histograms`, `subtract`, `partition` and `gather` on the module's exports.
void defineHistograms(napi_env env, napi_value exports);

}  // namespace lathe
