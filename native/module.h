// What the module's files share: argument helpers, and the parts beyond the MLP, each adding its
// functions to the exports in Init (mlp.cc).
#pragma once
#include <node_api.h>

#include <string>

namespace lathe {

// Throws a JS TypeError "lathe-native: message"; returns null for the caller to return.
inline napi_value fail(napi_env env, const std::string& message) {
  napi_throw_type_error(env, nullptr, ("lathe-native: " + message).c_str());
  return nullptr;
}

// Whether `value` is a typed array of type `want`; if so its data and element count.
template <typename T>
bool typedArray(napi_env env, napi_value value, napi_typedarray_type want, T** data, size_t* length) {
  bool is = false;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  void* raw;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset) != napi_ok || type != want) return false;
  *data = static_cast<T*>(raw);
  return true;
}

// histograms.cc: gradient_boosting's `histograms`, `subtract`, `partition`, `gather` and `findSplit`;
// the CART builder's `oneHistogram` (random forests).
void defineHistograms(napi_env env, napi_value exports);

// normal-equations.cc: linear_regression's `normalEquations` and `moments`.
void defineNormalEquations(napi_env env, napi_value exports);

// linear-pass.cc: the linear models' data term, `linearPass`.
void defineLinearPass(napi_env env, napi_value exports);

}  // namespace lathe
