// The libduckdb.so that DuckDB's Node bindings loaded into this process, for the native parts that
// call into it (column-read.cc: its C API; duckdb-allocator.cc: its jemalloc's control). Found among
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

}  // namespace lathe
