// The parts of the module beyond the MLP, each adding its functions to the exports in Init (mlp.cc).
#pragma once
#include <node_api.h>

namespace lathe {

// histograms.cc: gradient_boosting's `histograms`, `subtract`, `partition`, `gather` and `findSplit`.
void defineHistograms(napi_env env, napi_value exports);

// normal-equations.cc: linear_regression's `normalEquations` and `moments`.
void defineNormalEquations(napi_env env, napi_value exports);

}  // namespace lathe
