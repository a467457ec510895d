// What the module's files share: argument helpers, and the parts beyond the MLP, each adding its
// functions to the exports in Init (mlp.cc).
#pragma once
#include <node_api.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
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

// Queues `execute` on one of libuv's worker threads, then `complete` on the main thread, with `data`;
// gives the promise that `complete` settles through `*deferred` (and deletes `*work` in).
inline napi_value queueWork(napi_env env, const char* name, napi_async_execute_callback execute, napi_async_complete_callback complete, void* data, napi_deferred* deferred, napi_async_work* work) {
  napi_value promise, label;
  napi_create_promise(env, deferred, &promise);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &label);
  napi_create_async_work(env, nullptr, label, execute, complete, data, work);
  napi_queue_async_work(env, *work);
  return promise;
}

// Rejects `deferred` with a JS Error of `message`.
inline void reject(napi_env env, napi_deferred deferred, const std::string& message) {
  napi_value text, error;
  napi_create_string_utf8(env, message.c_str(), NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, nullptr, text, &error);
  napi_reject_deferred(env, deferred, error);
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

// DuckDB's `duckdb_result` (duckdb.h): passed by value to duckdb_fetch_chunk.
struct DuckResult {
  uint64_t columnCount, rowCount, rowsChanged;
  void* columns;
  char* errorMessage;
  void* internal;
};
typedef void* DuckChunk;
typedef void* DuckVector;

// The part of DuckDB's C API that reads a result chunk by chunk (column-read.cc, repeated-keys.cc).
struct DuckApi {
  DuckChunk (*fetchChunk)(DuckResult) = nullptr;
  uint64_t (*chunkSize)(DuckChunk) = nullptr;
  DuckVector (*chunkVector)(DuckChunk, uint64_t) = nullptr;
  void* (*vectorData)(DuckVector) = nullptr;
  uint64_t* (*vectorValidity)(DuckVector) = nullptr;
  void (*destroyChunk)(DuckChunk*) = nullptr;
  const char* (*resultError)(DuckResult*) = nullptr;
  bool ok = false;
};

// duckdb-library.cc: that API from the library the bindings loaded (`ok` false when it is not loaded
// or lacks a function); and the duckdb_result behind a JS value when it is the bindings' own result
// External (recognised by its Node-API type tag), else null — also when the API is not there.
const DuckApi& duckApi();
DuckResult* bindingsResult(napi_env env, napi_value value);

// duckdb-allocator.cc: run-time control of DuckDB's jemalloc, `duckdbDecay` and `duckdbDecaySetting`.
void defineDuckdbAllocator(napi_env env, napi_value exports);
// column-read.cc: a DuckDB result read into float32 columns on a worker thread, `readColumns`.
void defineColumnRead(napi_env env, napi_value exports);
// repeated-keys.cc: drop duplicates' first pass, the rows whose key hash another row shares, `repeatedKeys`.
void defineRepeatedKeys(napi_env env, napi_value exports);

// An optional trailing argument argv[at]: the threads a pass may use (1 when absent or not a count in 1..64).
inline int threadsArg(napi_env env, size_t argc, napi_value* argv, size_t at) {
  int64_t t = 1;
  if (argc <= at || napi_get_value_int64(env, argv[at], &t) != napi_ok || t < 1 || t > 64) return 1;
  return static_cast<int>(t);
}

// work-pool.cc: runs task(t) for every t in [0, tasks) on up to `threads` threads (this one and the
// module's kept threads) and returns when all are done; each task runs once, on one thread.
void parallelFor(int64_t tasks, int threads, const std::function<void(int64_t)>& task);

// Rows per task of a row loop split over threads: a fixed size, so the pieces never depend on the number of threads.
constexpr int64_t kRowBlock = 16384;

// work-pool.cc: runs task(b, from, to) for every block b of kRowBlock rows [from, to) of [first, end)
// (the last block shorter), as parallelFor does; under two blocks, in this thread.
void parallelBlocks(int64_t first, int64_t end, int threads, const std::function<void(int64_t b, int64_t from, int64_t to)>& task);

}  // namespace lathe
