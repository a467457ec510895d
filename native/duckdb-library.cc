// The libduckdb.so that DuckDB's Node bindings loaded into this process, for the native parts that
// call into it (column-read.cc and repeated-keys.cc: its C API for results, here; duckdb-allocator.cc:
// its jemalloc's control). Found among
// the libraries already loaded (dl_iterate_phdr) and opened again with RTLD_NOLOAD, never loaded: a
// second copy would be another database engine, and the bindings load it RTLD_LOCAL, so its symbols
// are not in the global scope.
#include "module.h"

#include <cstring>
#include <string>

#if defined(__linux__)
#include <dlfcn.h>
#include <link.h>
#endif

namespace {

#if defined(__linux__)
int findDuckdb(struct dl_phdr_info* info, size_t, void* out) {
  const char* name = info->dlpi_name;
  const size_t n = name ? std::strlen(name) : 0;
  const char suffix[] = "/libduckdb.so";
  if (n >= sizeof suffix - 1 && std::strcmp(name + n - (sizeof suffix - 1), suffix) == 0) {
    *static_cast<std::string*>(out) = name;
    return 1;
  }
  return 0;
}
#endif

}  // namespace

namespace lathe {

void* duckdbLibrary() {
#if defined(__linux__)
  // Looked up again on each call until found: the bindings may load after this module.
  static void* found = nullptr;
  if (found) return found;
  std::string path;
  dl_iterate_phdr(findDuckdb, &path);
  if (path.empty()) return nullptr;
  found = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);  // kept open: the library stays loaded anyway
  return found;
#else
  return nullptr;
#endif
}

void* duckdbSymbol(const char* name) {
#if defined(__linux__)
  void* lib = duckdbLibrary();
  return lib ? dlsym(lib, name) : nullptr;
#else
  (void)name;
  return nullptr;
#endif
}

const DuckApi& duckApi() {
  static DuckApi api = [] {
    DuckApi a;
    a.fetchChunk = reinterpret_cast<decltype(a.fetchChunk)>(duckdbSymbol("duckdb_fetch_chunk"));
    a.chunkSize = reinterpret_cast<decltype(a.chunkSize)>(duckdbSymbol("duckdb_data_chunk_get_size"));
    a.chunkVector = reinterpret_cast<decltype(a.chunkVector)>(duckdbSymbol("duckdb_data_chunk_get_vector"));
    a.vectorData = reinterpret_cast<decltype(a.vectorData)>(duckdbSymbol("duckdb_vector_get_data"));
    a.vectorValidity = reinterpret_cast<decltype(a.vectorValidity)>(duckdbSymbol("duckdb_vector_get_validity"));
    a.destroyChunk = reinterpret_cast<decltype(a.destroyChunk)>(duckdbSymbol("duckdb_destroy_data_chunk"));
    a.resultError = reinterpret_cast<decltype(a.resultError)>(duckdbSymbol("duckdb_result_error"));
    a.ok = a.fetchChunk && a.chunkSize && a.chunkVector && a.vectorData && a.vectorValidity && a.destroyChunk && a.resultError;
    return a;
  }();
  return api;
}

DuckResult* bindingsResult(napi_env env, napi_value value) {
  // The bindings' type tag of a result External (duckdb_node_bindings.cpp `ResultTypeTag`).
  static const napi_type_tag resultTag = {0x08F7FE3AE12345E5ULL, 0x8733310DC29372D9ULL};
  bool tagged = false;
  void* external = nullptr;
  napi_valuetype type;
  if (!duckApi().ok || napi_typeof(env, value, &type) != napi_ok || type != napi_external || napi_check_object_type_tag(env, value, &resultTag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, value, &external) != napi_ok)
    return nullptr;
  return static_cast<DuckResult*>(external);
}

}  // namespace lathe
