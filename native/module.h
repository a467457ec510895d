// What the module's files share: argument helpers, and the parts beyond the MLP, each adding its
// functions to the exports in Init (mlp.cc).
#pragma once
#include <node_api.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

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

// The data of element j of a JS array of Float32Arrays when it is one with at least minLength values.
inline const float* floatColumn(napi_env env, napi_value array, uint32_t j, size_t minLength) {
  napi_value col;
  float* data;
  size_t length;
  if (napi_get_element(env, array, j, &col) != napi_ok || !typedArray(env, col, napi_float32_array, &data, &length) || length < minLength) return nullptr;
  return data;
}

// The data of a JS array's d Float32Arrays of at least minLength values each into cols; false if one is not.
inline bool floatColumns(napi_env env, napi_value array, uint32_t d, size_t minLength, std::vector<const float*>& cols) {
  cols.resize(d);
  for (uint32_t j = 0; j < d; j++)
    if (!(cols[j] = floatColumn(env, array, j, minLength))) return false;
  return true;
}

// Whether a kernel's AVX2 copy should run: the CPU has AVX2 and LATHE_NATIVE_ISA does not name the
// baseline (tests and benchmarks force it, as for the MLP).
inline bool useAvx2() {
#if defined(__x86_64__) && defined(__GNUC__)
  const char* isa = std::getenv("LATHE_NATIVE_ISA");
  __builtin_cpu_init();
  return !(isa && std::strcmp(isa, "x86-64") == 0) && __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

// histograms.cc: gradient_boosting's `histograms`, `subtract`, `partition`, `gather` and `findSplit`;
// the CART builder's `oneHistogram` (random forests).
void defineHistograms(napi_env env, napi_value exports);

// boosting-steps.cc: gradient_boosting's `rootSums`, `addLeaves` and `walkTree`.
void defineBoostingSteps(napi_env env, napi_value exports);

// normal-equations.cc: linear_regression's `normalEquations` and `moments`.
void defineNormalEquations(napi_env env, napi_value exports);

// linear-pass.cc: the linear models' data term, `linearPass`.
void defineLinearPass(napi_env env, napi_value exports);

// duckdb-library.cc: the libduckdb.so DuckDB's bindings loaded into this process (never a second
// copy), or null (not loaded yet, not Linux); a function or variable of it by name, or null.
void* duckdbLibrary();
void* duckdbSymbol(const char* name);

// duckdb-allocator.cc: run-time control of DuckDB's jemalloc, `duckdbDecay` and `duckdbDecaySetting`.
void defineDuckdbAllocator(napi_env env, napi_value exports);
// column-read.cc: a DuckDB result read into float32 columns on a worker thread, `readColumns`.
void defineColumnRead(napi_env env, napi_value exports);

}  // namespace lathe
