// `drop duplicates`' first pass (runtime/data/drop-duplicates.ts): which rows share their key's
// 64-bit hash with another row. DuckDB computes the hash (its own `hash()`, the one its GROUP BY
// groups with) and the row id; here, on one of libuv's worker threads, every chunk of that result is
// fetched through DuckDB's C API (as column-read.cc does), the (hash, row id) pairs are spread over
// partitions by the hash's top bits, and each partition is searched for repeated hashes with an
// open-addressing table of its own. The rows found are only candidates: DuckDB then
// groups them on the key's columns themselves, so rows that merely share a hash stay apart.
//
// Why: DuckDB's GROUP BY over 5M hashes (nearly all distinct) took ≈ 0.9 s on two threads, more than
// the whole `SELECT DISTINCT` of the hand-written pipeline it is compared with; here the read of the
// hashes (DuckDB's result, already computed in parallel) and the search take ≈ 0.15 s.
#include "module.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

using lathe::DuckApi;
using lathe::DuckChunk;
using lathe::DuckResult;
using lathe::duckApi;
using lathe::fail;

struct Entry {
  uint64_t hash;
  int64_t row;
};

struct RepeatedKeys {
  DuckResult* result;
  int bits;  // partitions: 2^bits, by the hash's top bits
  size_t expected;  // rows the caller expects (a hint: partitions are sized for it)
  std::vector<int64_t> rows;  // the answer
  std::string error;
  napi_deferred deferred;
  napi_async_work work;
  napi_ref keep;  // the result, alive until the search settles
};

// Appends to `out` the row of every entry whose hash another entry of `part` has too; `table` is
// scratch space, reused between partitions.
void searchPartition(const std::vector<Entry>& part, std::vector<uint32_t>& table, std::vector<uint8_t>& repeated, std::vector<int64_t>& out) {
  const size_t n = part.size();
  if (n < 2) return;
  int lg = 4;
  while ((size_t(1) << lg) < 2 * n) lg++;
  const size_t mask = (size_t(1) << lg) - 1;
  table.assign(mask + 1, UINT32_MAX);
  repeated.assign(n, 0);
  for (size_t i = 0; i < n; i++) {
    const uint64_t h = part[i].hash;
    // The partition took the top bits; the product mixes them all into the slot.
    size_t slot = static_cast<size_t>((h * 0x9E3779B97F4A7C15ULL) >> (64 - lg));
    for (;;) {
      const uint32_t j = table[slot];
      if (j == UINT32_MAX) {
        table[slot] = static_cast<uint32_t>(i);
        break;
      }
      if (part[j].hash == h) {
        repeated[i] = repeated[j] = 1;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  for (size_t i = 0; i < n; i++)
    if (repeated[i]) out.push_back(part[i].row);
}

void executeSearch(napi_env, void* data) {
  RepeatedKeys& r = *static_cast<RepeatedKeys*>(data);
  const DuckApi& api = duckApi();
  const size_t count = size_t(1) << r.bits;
  std::vector<std::vector<Entry>> parts(count);
  // Room for the expected rows and some over: a partition's share varies by a few hundred.
  const size_t share = r.expected / count;
  for (auto& p : parts) p.reserve(share + share / 16 + 64);
  const int shift = 64 - r.bits;
  for (;;) {
    DuckChunk chunk = api.fetchChunk(*r.result);
    if (!chunk) break;
    const size_t m = api.chunkSize(chunk);
    if (m == 0) {
      api.destroyChunk(&chunk);
      break;
    }
    const uint64_t* hashes = static_cast<const uint64_t*>(api.vectorData(api.chunkVector(chunk, 0)));
    const int64_t* ids = static_cast<const int64_t*>(api.vectorData(api.chunkVector(chunk, 1)));
    for (size_t i = 0; i < m; i++) parts[r.bits ? hashes[i] >> shift : 0].push_back({hashes[i], ids[i]});
    api.destroyChunk(&chunk);
  }
  // No chunk: the end, or an error the result holds (an interrupt).
  const char* e = api.resultError(r.result);
  if (e && *e) {
    r.error = e;
    return;
  }
  std::vector<uint32_t> table;
  std::vector<uint8_t> repeated;
  for (auto& p : parts) {
    if (p.size() >= UINT32_MAX) {
      r.error = "a partition of more than 2^32 rows";
      return;
    }
    searchPartition(p, table, repeated, r.rows);
    std::vector<Entry>().swap(p);  // each partition freed once searched
  }
}

void completeSearch(napi_env env, napi_status status, void* data) {
  RepeatedKeys* r = static_cast<RepeatedKeys*>(data);
  if (status != napi_ok || !r->error.empty()) {
    lathe::reject(env, r->deferred, r->error.empty() ? "the search was cancelled" : r->error);
  } else {
    void* bytes = nullptr;
    napi_value buffer, value;
    const size_t n = r->rows.size();
    if (napi_create_arraybuffer(env, n * sizeof(int64_t), &bytes, &buffer) == napi_ok && napi_create_typedarray(env, napi_bigint64_array, n, buffer, 0, &value) == napi_ok) {
      if (n) std::memcpy(bytes, r->rows.data(), n * sizeof(int64_t));
      napi_resolve_deferred(env, r->deferred, value);
    } else {
      lathe::reject(env, r->deferred, "no memory for the rows found");
    }
  }
  napi_delete_reference(env, r->keep);
  napi_delete_async_work(env, r->work);
  delete r;
}

// repeatedKeys(result, expectedRows): a promise of a BigInt64Array of the row ids (column 1, BIGINT)
// of every row whose hash (column 0, UBIGINT) another row has too, partition by partition; undefined
// when DuckDB's C API or the bindings' result cannot be used here.
napi_value RepeatedKeysSearch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  double expected = 0;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 2 || napi_get_value_double(env, argv[1], &expected) != napi_ok || !(expected >= 0))
    return fail(env, "repeatedKeys needs a result (a UBIGINT hash and a BIGINT row id) and the rows it is expected to have");
  DuckResult* result = lathe::bindingsResult(env, argv[0]);
  if (!result) {
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    return undefined;
  }
  auto* r = new RepeatedKeys();
  r->result = result;
  r->expected = static_cast<size_t>(expected < 1e15 ? expected : 1e15);
  // Partitions of ≈ 256k rows at most: few enough (32 for 5M rows) that spreading the pairs over
  // them writes to few pages at once (1,024 partitions made that pass 2.5× slower), and each one's
  // table (≈ 2 MB) still mostly in cache.
  r->bits = 0;
  while (r->bits < 12 && (r->expected >> r->bits) > (size_t(1) << 18)) r->bits++;
  napi_create_reference(env, argv[0], 1, &r->keep);
  return lathe::queueWork(env, "lathe.repeatedKeys", executeSearch, completeSearch, r, &r->deferred, &r->work);
}

}  // namespace

namespace lathe {

void defineRepeatedKeys(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"repeatedKeys", nullptr, RepeatedKeysSearch, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
}

}  // namespace lathe
