// A read of a DuckDB result's float columns into float32 columns (runtime/data/database.ts
// `typedColumns`: `readColumns`; `rankedColumns`: `readRanked`, below) done whole on worker threads:
// every chunk fetched through DuckDB's C API and each row's values put after the rows before it, or
// at its rank (a ranked read: a split's part kept as a view), then one promise settled.
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
// version of the bindings) `readColumns` and `readRanked` return undefined and the JavaScript read runs instead.
#include "module.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#if defined(__unix__)
#include <sys/mman.h>
#endif

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
  std::vector<int32_t> widths;  // per float column: 8 (DOUBLE) or 4 (FLOAT)
  std::vector<float*> columns;
  size_t rows;
  int64_t n = 0;
  std::string error;
  napi_deferred deferred;
  napi_async_work work;
  std::vector<napi_ref> keep;  // the result and the columns, alive until the read settles
};

// Copies one chunk's float columns into `columns`: row i to index at[i], or, with `at` null, to
// offset + i (NULL → NaN; a DOUBLE rounded to nearest, ±Infinity beyond a float's range, as a
// Float32Array's store rounds a double).
void placeChunk(const DuckApi& api, DuckChunk chunk, size_t m, const std::vector<int32_t>& widths, const std::vector<float*>& columns, const uint32_t* at, size_t offset) {
  for (size_t j = 0; j < widths.size(); j++) {
    DuckVector v = api.chunkVector(chunk, j);
    const uint8_t* from = static_cast<const uint8_t*>(api.vectorData(v));
    const uint64_t* valid = api.vectorValidity(v);
    float* to = columns[j];
    if (at) {
      if (widths[j] == 8) {
        for (size_t i = 0; i < m; i++) {
          double x;
          std::memcpy(&x, from + i * 8, sizeof x);
          to[at[i]] = static_cast<float>(x);
        }
      } else {
        for (size_t i = 0; i < m; i++) std::memcpy(&to[at[i]], from + i * 4, 4);
      }
      if (valid)
        for (size_t i = 0; i < m; i++)
          if (!((valid[i / 64] >> (i % 64)) & 1)) to[at[i]] = std::nanf("");
    } else {
      float* out = to + offset;
      if (widths[j] == 8) {
        for (size_t i = 0; i < m; i++) {
          double x;
          std::memcpy(&x, from + i * 8, sizeof x);
          out[i] = static_cast<float>(x);
        }
      } else {
        std::memcpy(out, from, m * 4);
      }
      if (valid)
        for (size_t i = 0; i < m; i++)
          if (!((valid[i / 64] >> (i % 64)) & 1)) out[i] = std::nanf("");
    }
  }
}

// The rank column of a ranked result's chunk (after its float columns), or null (with `error`) when
// a rank is `rows` or beyond.
const uint32_t* chunkRanks(const DuckApi& api, DuckChunk chunk, size_t k, size_t m, size_t rows, std::string& error) {
  const uint32_t* ranks = static_cast<const uint32_t*>(api.vectorData(api.chunkVector(chunk, k)));
  for (size_t i = 0; i < m; i++)
    if (ranks[i] >= rows) {
      error = "a rank beyond the " + std::to_string(rows) + " rows of a ranked read";
      return nullptr;
    }
  return ranks;
}

// Puts one chunk's rows after the rows before them; false (with `error`) when the rows are more than
// the columns hold.
bool appendChunk(const DuckApi& api, ColumnRead& r, DuckChunk chunk, size_t m) {
  if (static_cast<size_t>(r.n) + m > r.rows) {
    r.error = "a read gave more than the " + std::to_string(r.rows) + " rows expected";
    return false;
  }
  placeChunk(api, chunk, m, r.widths, r.columns, nullptr, static_cast<size_t>(r.n));
  return true;
}

void executeRead(napi_env, void* data) {
  ColumnRead& r = *static_cast<ColumnRead*>(data);
  const DuckApi& api = duckApi();
  for (;;) {
    DuckChunk chunk = api.fetchChunk(*r.result);
    if (!chunk) break;
    const size_t m = api.chunkSize(chunk);
    const bool ok = m == 0 || appendChunk(api, r, chunk, m);
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

// The data of a JS array's k Float32Arrays (one per width, each 4 or 8) into `columns`, `rows` lowered
// to the shortest, each kept alive by a reference added to `keep`; false when one is not.
bool takeColumns(napi_env env, napi_value array, const int32_t* widths, uint32_t k, std::vector<float*>& columns, size_t& rows, std::vector<napi_ref>& keep) {
  for (uint32_t j = 0; j < k; j++) {
    napi_value col;
    float* data;
    size_t length;
    if ((widths[j] != 4 && widths[j] != 8) || napi_get_element(env, array, j, &col) != napi_ok || !typedArray(env, col, napi_float32_array, &data, &length)) return false;
    columns.push_back(data);
    rows = std::min(rows, length);
    napi_ref ref;
    napi_create_reference(env, col, 1, &ref);
    keep.push_back(ref);
  }
  return true;
}

// readColumns(result, widths: Int32Array, columns: Float32Array[]): a promise of the rows read, in
// order, where the result's columns are widths.length floats (8: DOUBLE, 4: FLOAT) and no more rows
// than a column holds; undefined when DuckDB's C API or the bindings' result cannot be used here.
napi_value ReadColumns(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
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
  auto* r = new ColumnRead();
  r->result = result;
  r->widths.assign(widths, widths + k);
  r->rows = SIZE_MAX;
  napi_ref ref;
  napi_create_reference(env, argv[0], 1, &ref);
  r->keep.push_back(ref);
  if (!takeColumns(env, argv[2], widths, kc, r->columns, r->rows, r->keep)) {
    for (napi_ref kept : r->keep) napi_delete_reference(env, kept);
    delete r;
    return fail(env, "readColumns: widths must be 4 or 8 and columns Float32Arrays");
  }
  return lathe::queueWork(env, "lathe.readColumns", executeRead, completeRead, r, &r->deferred, &r->work);
}

// readRanked: one ranked read over several results (pieces of one relation, each running on a
// connection of its own), every row put at its rank in the same columns. Each result is fetched on a
// worker of its own. With many rows of several columns (`staged`) each piece writes its rows where
// the next free rows are (a shared cursor), with their ranks beside, and once every piece is done the
// columns are put in rank order one column at a time, by `permuters` workers: writing a row's values
// straight to its rank scattered them over every column at once (at 3.5M rows × 13, 180 MB written in
// random order: a cache and TLB miss a value), and one column at a time it is ≈ 2× less (bench/RESULTS.md).
// Positions depend on which piece is fetched first; ranks do not, so neither do the columns.
// A buffer of `n` values mapped from the system for one read and given back when it goes: a
// malloc'd block of this size can stay in the heap once freed (glibc raises its mmap threshold as
// large blocks are freed), in the process's RSS while the learner that runs next allocates.
template <typename T>
class MappedBuffer {
 public:
  explicit MappedBuffer(size_t n) : bytes_(n * sizeof(T)) {
#if defined(__unix__)
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    data_ = p == MAP_FAILED ? nullptr : static_cast<T*>(p);
#else
    data_ = static_cast<T*>(std::malloc(bytes_));
#endif
    if (!data_) throw std::bad_alloc();
  }
  ~MappedBuffer() {
#if defined(__unix__)
    munmap(data_, bytes_);
#else
    std::free(data_);
#endif
  }
  MappedBuffer(const MappedBuffer&) = delete;
  MappedBuffer& operator=(const MappedBuffer&) = delete;
  T* get() const { return data_; }

 private:
  size_t bytes_;
  T* data_;
};

struct RankedRead;

struct RankedWork {
  RankedRead* read;
  size_t index;  // a fetch: its result; a permutation: its first column (then every permuters-th)
  bool permute;
  napi_async_work work;
};

struct RankedRead {
  std::vector<DuckResult*> results;
  std::vector<int32_t> widths;
  std::vector<float*> columns;
  size_t rows = SIZE_MAX;
  bool staged = false;
  size_t permuters = 1;
  std::unique_ptr<MappedBuffer<uint32_t>> ranks;  // staged: the rank of the row at each position
  std::atomic<size_t> cursor{0};      // rows placed (staged: the next free position)
  std::atomic<bool> failed{false};    // a piece failed: the others stop fetching
  std::vector<std::string> errors;    // a work's error, written by its own thread only
  size_t pending = 0;                 // works queued and not completed (main thread only)
  napi_deferred deferred;
  std::vector<napi_ref> keep;  // the results and the columns, alive until the read settles
};

// Staged only where a scatter misses the caches: below this many bytes of columns, straight to the ranks.
constexpr size_t kStagedBytes = size_t{32} << 20;

void executeFetch(RankedRead& r, size_t index) {
  const DuckApi& api = duckApi();
  std::string& error = r.errors[index];
  const size_t k = r.widths.size();
  while (!r.failed.load(std::memory_order_relaxed)) {
    DuckChunk chunk = api.fetchChunk(*r.results[index]);
    if (!chunk) break;
    const size_t m = api.chunkSize(chunk);
    bool ok = true;
    if (m > 0) {
      const uint32_t* ranks = chunkRanks(api, chunk, k, m, r.rows, error);
      if (!ranks) {
        ok = false;
      } else if (r.staged) {
        const size_t at = r.cursor.fetch_add(m);
        if (at + m > r.rows) {
          error = "a ranked read gave more than the " + std::to_string(r.rows) + " rows expected";
          ok = false;
        } else {
          std::memcpy(r.ranks->get() + at, ranks, m * 4);
          placeChunk(api, chunk, m, r.widths, r.columns, nullptr, at);
        }
      } else {
        r.cursor.fetch_add(m);
        placeChunk(api, chunk, m, r.widths, r.columns, ranks, 0);
      }
    }
    api.destroyChunk(&chunk);
    if (!ok) r.failed = true;
    if (!ok || m == 0) break;
  }
  // No chunk: the end, or an error the result holds (an interrupt, a failed cast).
  if (error.empty() && !r.failed.load()) {
    const char* e = api.resultError(r.results[index]);
    if (e && *e) {
      error = e;
      r.failed = true;
    }
  }
}

void executePermute(RankedRead& r, size_t first) {
  std::unique_ptr<MappedBuffer<float>> buffer;
  try {
    buffer = std::make_unique<MappedBuffer<float>>(r.rows);
  } catch (const std::bad_alloc&) {
    r.errors[first] = "no memory for a column's buffer (" + std::to_string(r.rows * 4) + " bytes) to put a ranked read in order";
    return;
  }
  float* moved = buffer->get();
  const uint32_t* ranks = r.ranks->get();
  for (size_t j = first; j < r.columns.size(); j += r.permuters) {
    float* column = r.columns[j];
    for (size_t i = 0; i < r.rows; i++) moved[ranks[i]] = column[i];
    std::memcpy(column, moved, r.rows * 4);
  }
}

void executeRanked(napi_env, void* data) {
  RankedWork& w = *static_cast<RankedWork*>(data);
  if (w.permute) executePermute(*w.read, w.index);
  else executeFetch(*w.read, w.index);
}

void completeRanked(napi_env env, napi_status status, void* data);

void queueRanked(napi_env env, RankedRead* r, size_t index, bool permute) {
  auto* w = new RankedWork{r, index, permute, nullptr};
  napi_value label;
  napi_create_string_utf8(env, "lathe.readRanked", NAPI_AUTO_LENGTH, &label);
  napi_create_async_work(env, nullptr, label, executeRanked, completeRanked, w, &w->work);
  napi_queue_async_work(env, w->work);
  r->pending++;
}

void completeRanked(napi_env env, napi_status status, void* data) {
  auto* w = static_cast<RankedWork*>(data);
  RankedRead* r = w->read;
  const bool permuted = w->permute;
  if (status != napi_ok && r->errors[0].empty()) r->errors[0] = "the read was cancelled";
  napi_delete_async_work(env, w->work);
  delete w;
  if (--r->pending > 0) return;
  auto error = std::find_if(r->errors.begin(), r->errors.end(), [](const std::string& e) { return !e.empty(); });
  const size_t n = r->cursor.load();
  // Every row fetched: into rank order (fewer rows than ranks: left for the caller to refuse).
  if (!permuted && r->staged && error == r->errors.end() && n == r->rows && n > 0) {
    for (size_t p = 0; p < r->permuters; p++) queueRanked(env, r, p, true);
    return;
  }
  if (error != r->errors.end()) {
    lathe::reject(env, r->deferred, *error);
  } else {
    napi_value value;
    napi_create_int64(env, static_cast<int64_t>(n), &value);
    napi_resolve_deferred(env, r->deferred, value);
  }
  for (napi_ref ref : r->keep) napi_delete_reference(env, ref);
  delete r;
}

// readRanked(results: result[], widths: Int32Array, columns: Float32Array[], permuters): a promise of
// the rows read, where every result's columns are widths.length floats (8: DOUBLE, 4: FLOAT) and a
// UINTEGER rank below every column's length, each rank once among all the results; undefined when
// DuckDB's C API or a result handle cannot be used here.
napi_value ReadRanked(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t* widths;
  size_t k;
  uint32_t kc = 0, pieces = 0;
  bool isArray = false, resultsArray = false;
  uint32_t permuters = 1;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 4 || napi_is_array(env, argv[0], &resultsArray) != napi_ok || !resultsArray ||
      napi_get_array_length(env, argv[0], &pieces) != napi_ok || pieces == 0 || !typedArray(env, argv[1], napi_int32_array, &widths, &k) || k == 0 ||
      napi_is_array(env, argv[2], &isArray) != napi_ok || !isArray || napi_get_array_length(env, argv[2], &kc) != napi_ok || kc != k ||
      napi_get_value_uint32(env, argv[3], &permuters) != napi_ok || permuters == 0)
    return fail(env, "readRanked needs results, the widths of their float columns, as many Float32Arrays and a number of permuting workers");
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  std::vector<DuckResult*> results;
  for (uint32_t i = 0; i < pieces; i++) {
    napi_value handle;
    DuckResult* result = napi_get_element(env, argv[0], i, &handle) == napi_ok ? lathe::bindingsResult(env, handle) : nullptr;
    if (!result) return undefined;
    results.push_back(result);
  }
  auto* r = new RankedRead();
  r->results = results;
  r->widths.assign(widths, widths + k);
  r->errors.resize(pieces);
  for (uint32_t i = 0; i < pieces; i++) {
    napi_value handle;
    napi_ref ref;
    napi_get_element(env, argv[0], i, &handle);
    napi_create_reference(env, handle, 1, &ref);
    r->keep.push_back(ref);
  }
  if (!takeColumns(env, argv[2], widths, kc, r->columns, r->rows, r->keep)) {
    for (napi_ref kept : r->keep) napi_delete_reference(env, kept);
    delete r;
    return fail(env, "readRanked: widths must be 4 or 8 and columns Float32Arrays");
  }
  r->staged = k >= 3 && r->rows * k * 4 >= kStagedBytes;
  r->permuters = std::min<size_t>(permuters, k);
  try {
    if (r->staged) r->ranks = std::make_unique<MappedBuffer<uint32_t>>(r->rows);
  } catch (const std::bad_alloc&) {
    r->staged = false;  // no room for the ranks: each row straight to its rank
  }
  napi_value promise;
  napi_create_promise(env, &r->deferred, &promise);
  for (uint32_t i = 0; i < pieces; i++) queueRanked(env, r, i, false);
  return promise;
}

}  // namespace

namespace lathe {

void defineColumnRead(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"readColumns", nullptr, ReadColumns, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"readRanked", nullptr, ReadRanked, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
}

}  // namespace lathe
