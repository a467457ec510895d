// A read of a DuckDB result's float columns into float32 columns (runtime/data/database.ts
// `rankedColumns` and `typedColumns`) done whole on a worker thread: every chunk fetched through
// DuckDB's C API and each row's values put at its rank (a ranked read: a split's part kept as a
// view) or after the rows before it, then one promise settled.
//
// Why: the JavaScript read asked for each chunk by a promise (a trip from the main thread to a
// worker thread and back, ≈ 100 chunks for 140k rows) and copied and scattered it on the main
// thread, so DuckDB's thread and the main thread took turns ≈ 100 times; on a loaded machine each
// turn waited for a core, and the read of a 140k × 21 training part took 100–200 ms where DuckDB's
// own work is ≈ 30 ms (bench/RESULTS.md, 2026-12-02). Here one thread fetches and scatters.
//
// DuckDB's C API is the one the client's bindings (@duckdb/node-bindings) load: its functions are
// looked up in that already loaded library (never a second copy), and the result is the bindings'
// own object, recognised by its type tag. When either cannot be found (another platform, another
// version of the bindings) `readColumns` returns undefined and the JavaScript read runs instead.
#include "module.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

using lathe::DuckApi;
using lathe::DuckChunk;
using lathe::DuckResult;
using lathe::DuckVector;
using lathe::duckApi;
using lathe::fail;
using lathe::typedArray;

struct ColumnRead {
  DuckResult* result;
  bool ranked;  // a UINTEGER rank after the float columns; else the rows in order from row 0
  std::vector<int32_t> widths;  // per float column: 8 (DOUBLE) or 4 (FLOAT)
  std::vector<float*> columns;
  size_t rows;
  int64_t n = 0;
  std::string error;
  napi_deferred deferred;
  napi_async_work work;
  std::vector<napi_ref> keep;  // the result and the columns, alive until the read settles
};

// Puts one chunk's rows at their ranks (in order after the rows before them, unranked); false (with
// `error`) when a rank is beyond the columns, or the rows are more than the columns hold.
bool scatterChunk(const DuckApi& api, ColumnRead& r, DuckChunk chunk, size_t m) {
  const size_t k = r.widths.size();
  std::vector<uint32_t> order;
  const uint32_t* ranks;
  if (r.ranked) {
    ranks = static_cast<const uint32_t*>(api.vectorData(api.chunkVector(chunk, k)));
    for (size_t i = 0; i < m; i++)
      if (ranks[i] >= r.rows) {
        r.error = "a rank beyond the " + std::to_string(r.rows) + " rows of a ranked read";
        return false;
      }
  } else {
    if (static_cast<size_t>(r.n) + m > r.rows) {
      r.error = "a read gave more than the " + std::to_string(r.rows) + " rows expected";
      return false;
    }
    order.resize(m);
    for (size_t i = 0; i < m; i++) order[i] = static_cast<uint32_t>(r.n + i);
    ranks = order.data();
  }
  for (size_t j = 0; j < k; j++) {
    DuckVector v = api.chunkVector(chunk, j);
    const uint8_t* from = static_cast<const uint8_t*>(api.vectorData(v));
    const uint64_t* valid = api.vectorValidity(v);
    float* to = r.columns[j];
    if (r.widths[j] == 8) {
      // Rounded to nearest (±Infinity beyond a float's range), as a Float32Array's store rounds a double.
      for (size_t i = 0; i < m; i++) {
        double x;
        std::memcpy(&x, from + i * 8, sizeof x);
        to[ranks[i]] = static_cast<float>(x);
      }
    } else {
      for (size_t i = 0; i < m; i++) std::memcpy(&to[ranks[i]], from + i * 4, 4);
    }
    if (valid)
      for (size_t i = 0; i < m; i++)
        if (!((valid[i / 64] >> (i % 64)) & 1)) to[ranks[i]] = std::nanf("");
  }
  return true;
}

void executeRead(napi_env, void* data) {
  ColumnRead& r = *static_cast<ColumnRead*>(data);
  const DuckApi& api = duckApi();
  for (;;) {
    DuckChunk chunk = api.fetchChunk(*r.result);
    if (!chunk) break;
    const size_t m = api.chunkSize(chunk);
    const bool ok = m == 0 || scatterChunk(api, r, chunk, m);
    api.destroyChunk(&chunk);
    if (!ok || m == 0) break;
    r.n += static_cast<int64_t>(m);
  }
  // No chunk: the end, or an error the result holds (an interrupt, a failed cast).
  if (r.error.empty()) {
    const char* e = api.resultError(r.result);
    if (e && *e) r.error = e;
  }
}

void completeRead(napi_env env, napi_status status, void* data) {
  ColumnRead* r = static_cast<ColumnRead*>(data);
  if (status != napi_ok || !r->error.empty()) {
    lathe::reject(env, r->deferred, r->error.empty() ? "the read was cancelled" : r->error);
  } else {
    napi_value value;
    napi_create_int64(env, r->n, &value);
    napi_resolve_deferred(env, r->deferred, value);
  }
  for (napi_ref ref : r->keep) napi_delete_reference(env, ref);
  napi_delete_async_work(env, r->work);
  delete r;
}

// readColumns(result, widths: Int32Array, columns: Float32Array[], ranked = true): a promise of the
// rows read, where the result's columns are widths.length floats (8: DOUBLE, 4: FLOAT) and then, when
// ranked, a UINTEGER rank below every column's length (unranked: the rows in order, no more than a
// column holds); undefined when DuckDB's C API or the bindings' result cannot be used here.
napi_value ReadColumns(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t* widths;
  size_t k;
  uint32_t kc = 0;
  bool isArray = false;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 3 || !typedArray(env, argv[1], napi_int32_array, &widths, &k) ||
      napi_is_array(env, argv[2], &isArray) != napi_ok || !isArray || napi_get_array_length(env, argv[2], &kc) != napi_ok || kc != k)
    return fail(env, "readColumns needs a result, the widths of its float columns and as many Float32Arrays");
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  DuckResult* result = k == 0 ? nullptr : lathe::bindingsResult(env, argv[0]);
  if (!result) return undefined;
  bool ranked = true;
  if (argc >= 4 && napi_get_value_bool(env, argv[3], &ranked) != napi_ok) ranked = true;
  auto* r = new ColumnRead();
  r->result = result;
  r->ranked = ranked;
  r->widths.assign(widths, widths + k);
  r->rows = SIZE_MAX;
  napi_ref ref;
  napi_create_reference(env, argv[0], 1, &ref);
  r->keep.push_back(ref);
  for (uint32_t j = 0; j < kc; j++) {
    napi_value col;
    float* data;
    size_t length;
    if ((widths[j] != 4 && widths[j] != 8) || napi_get_element(env, argv[2], j, &col) != napi_ok || !typedArray(env, col, napi_float32_array, &data, &length)) {
      for (napi_ref kept : r->keep) napi_delete_reference(env, kept);
      delete r;
      return fail(env, "readColumns: widths must be 4 or 8 and columns Float32Arrays");
    }
    r->columns.push_back(data);
    r->rows = std::min(r->rows, length);
    napi_create_reference(env, col, 1, &ref);
    r->keep.push_back(ref);
  }
  return lathe::queueWork(env, "lathe.readColumns", executeRead, completeRead, r, &r->deferred, &r->work);
}

}  // namespace

namespace lathe {

void defineColumnRead(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"readColumns", nullptr, ReadColumns, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
}

}  // namespace lathe
