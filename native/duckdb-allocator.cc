// Run-time control of DuckDB's allocator: jemalloc, linked into libduckdb.so on Linux, whose control
// function (`duckdb_je_mallctl`) that library exports. Why: how fast freed pages go back to the system
// is a trade — at once (decay 0) keeps a training run's peak RSS at its live data, but a DuckDB-only
// pipeline then returns and faults in its buffers over and over (≈ 1 s of system CPU on 5M rows);
// jemalloc's decay reads its setting once, at start, so without this the whole process had to pick
// one (runtime/data/duckdb-allocator.ts chooses when each applies).
//
// The library is the one DuckDB's bindings loaded (duckdb-library.cc). Anywhere else (no jemalloc,
// another platform) the functions report that there is no control.
#include "module.h"

#include <cerrno>
#include <cstdint>
#include <sys/types.h>

namespace {

typedef int (*Mallctl)(const char*, void*, size_t*, void*, size_t);
typedef int (*NameToMib)(const char*, size_t*, size_t*);
typedef int (*ByMib)(const size_t*, size_t, void*, size_t*, void*, size_t);

struct Jemalloc {
  Mallctl ctl = nullptr;
  NameToMib nameToMib = nullptr;
  ByMib byMib = nullptr;
};

// The control functions of the libduckdb.so this process has loaded; all null when there is none
// (looked up again on each call until found: the library may load after this module).
const Jemalloc& jemalloc() {
  static Jemalloc found;
  if (found.ctl) return found;
  Jemalloc j;
  j.ctl = reinterpret_cast<Mallctl>(lathe::duckdbSymbol("duckdb_je_mallctl"));
  j.nameToMib = reinterpret_cast<NameToMib>(lathe::duckdbSymbol("duckdb_je_mallctlnametomib"));
  j.byMib = reinterpret_cast<ByMib>(lathe::duckdbSymbol("duckdb_je_mallctlbymib"));
  if (j.ctl && j.nameToMib && j.byMib) found = j;
  return found;
}

// Sets `arena.<i>.<setting>` to ms for every automatic arena i (0 to opt.narenas − 1). Arenas past
// those are jemalloc's huge arena, which purges at once whatever the default (jemalloc sets it so
// when it creates it), and arenas nobody uses. An arena not created yet answers EFAULT: it takes
// `arenas.<setting>` when it is.
bool setArenas(const Jemalloc& j, const char* name, ssize_t ms, unsigned arenas) {
  size_t mib[3];
  size_t length = 3;
  if (j.nameToMib(name, mib, &length) != 0) return false;
  for (unsigned i = 0; i < arenas; i++) {
    mib[1] = i;
    const int r = j.byMib(mib, length, nullptr, nullptr, &ms, sizeof ms);
    if (r != 0 && r != EFAULT) return false;
  }
  return true;
}

// duckdbDecay(ms): DuckDB's freed pages go back to the system after about ms milliseconds (0: at
// once), for its arenas now and those it creates later; with 0, every arena's free pages are
// purged now as well. False when there is no such control (nothing changed).
napi_value DuckdbDecay(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  double value;
  if (argc < 1 || napi_get_value_double(env, argv[0], &value) != napi_ok || !(value >= 0) || value > 1e9) return lathe::fail(env, "duckdbDecay(ms) takes a number of milliseconds");
  const Jemalloc& j = jemalloc();
  bool ok = j.ctl != nullptr;
  if (ok) {
    ssize_t ms = static_cast<ssize_t>(value);
    unsigned arenas = 0;
    size_t size = sizeof arenas;
    ok = j.ctl("opt.narenas", &arenas, &size, nullptr, 0) == 0 &&
         j.ctl("arenas.dirty_decay_ms", nullptr, nullptr, &ms, sizeof ms) == 0 &&
         j.ctl("arenas.muzzy_decay_ms", nullptr, nullptr, &ms, sizeof ms) == 0 &&
         setArenas(j, "arena.0.dirty_decay_ms", ms, arenas) && setArenas(j, "arena.0.muzzy_decay_ms", ms, arenas);
    // 4096 = MALLCTL_ARENAS_ALL: every arena, the huge one included.
    if (ok && ms == 0) ok = j.ctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0;
  }
  napi_value result;
  napi_get_boolean(env, ok, &result);
  return result;
}

// duckdbDecaySetting(): [dirty, muzzy] decay in ms that DuckDB's allocator gives new arenas, or
// undefined without the control (for tests and the bench: what the process runs with).
napi_value DuckdbDecaySetting(napi_env env, napi_callback_info) {
  const Jemalloc& j = jemalloc();
  napi_value result;
  napi_get_undefined(env, &result);
  if (!j.ctl) return result;
  ssize_t dirty = 0, muzzy = 0;
  size_t size = sizeof dirty;
  if (j.ctl("arenas.dirty_decay_ms", &dirty, &size, nullptr, 0) != 0 || j.ctl("arenas.muzzy_decay_ms", &muzzy, &size, nullptr, 0) != 0) return result;
  napi_value a, b;
  napi_create_array_with_length(env, 2, &result);
  napi_create_double(env, static_cast<double>(dirty), &a);
  napi_create_double(env, static_cast<double>(muzzy), &b);
  napi_set_element(env, result, 0, a);
  napi_set_element(env, result, 1, b);
  return result;
}

}  // namespace

namespace lathe {

void defineDuckdbAllocator(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"duckdbDecay", nullptr, DuckdbDecay, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"duckdbDecaySetting", nullptr, DuckdbDecaySetting, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
}

}  // namespace lathe
