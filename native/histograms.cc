// The histogram pass of gradient_boosting (runtime/models/trees/gradient-histograms.ts has the
// JavaScript twin, kept as the fallback when this module is not built).
//
// Why native code: the pass is ≈ 40% of a fit and a plain scatter-add — per row of a node, per
// feature, add the row's gradient, hessian and 1 to the feature's bin. V8 compiles it with a bounds
// check on every typed-array access and float32→float64 conversions through the generic path; here
// it is the same loop without them.
//
// Bit for bit equal to the JavaScript pass: every bin receives the same float64 additions in the
// same order (rows in node order; features are independent), and nothing else — no reassociation,
// no -ffast-math, no FMA contraction (the build passes -ffp-contract=off). The counts are added as
// 1.0 per row, as in JavaScript. Threads split the features, never the rows of a bin, so the result
// does not depend on their number either (histogram-threads.ts).
//
// No AVX2 copy: the loop is a scatter of scalar adds through memory (one bin per row), which wider
// vector units do not speed up; the baseline build is the only variant.
#include "module.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace {

using lathe::fail;
using lathe::typedArray;
using lathe::threadsArg;

constexpr int kStride = 3;  // per bin: Σ gradient, Σ hessian, rows (gradient-histograms.ts STRIDE)



// One feature's view of the pass: its bins, where its histogram starts, how many bins it has.
struct Feature {
  const uint8_t* bins;
  double* hist;
  uint32_t count;
};

// A bin index that cannot leave the feature's histogram: a corrupt bin (≥ count) is clamped to the
// last bin and flagged, so bad input throws afterwards instead of writing out of bounds.
// Features with all 256 bins (most of them: 255 value bins and the missing one) need no check, as a
// byte cannot leave them; kClamp is false for groups made only of those.
template <bool kClamp = true>
inline uint32_t clampBin(uint32_t b, uint32_t count, uint32_t& bad) {
  if (!kClamp) return b;
  const uint32_t over = b >= count;
  bad |= over;
  return over ? count - 1 : b;
}

// Adds (g, h) to a bin's first two slots. On SSE2 one 16-byte add: each lane is the same IEEE double
// addition as the two scalar ones, so the sums are unchanged bit for bit.
inline void addPair(double* k, double g, double h) {
#if defined(__SSE2__)
  _mm_storeu_pd(k, _mm_add_pd(_mm_loadu_pd(k), _mm_set_pd(h, g)));
#else
  k[0] += g;
  k[1] += h;
#endif
}

// Adds a row's gradient (and hessian, unless constant) to its bin in four features.
template <bool kConstant>
inline void addFour(double* ka, double* kb, double* kc, double* kd, double g, double h) {
  if (kConstant) {
    ka[0] += g;
    kb[0] += g;
    kc[0] += g;
    kd[0] += g;
  } else {
    addPair(ka, g, h);
    addPair(kb, g, h);
    addPair(kc, g, h);
    addPair(kd, g, h);
  }
}

// The root: every row in order, gradients (and hessians) read at the row itself. Counts are not
// added here; the caller copies the root's counts in first (as the JavaScript pass does).
template <bool kConstant, bool kClamp>
void rootFour(const Feature* f, int64_t n, const float* g, const float* h, uint32_t& bad) {
  // The features' pointers in locals: the compiler reloaded them from the structs after every store.
  const uint8_t *ba = f[0].bins, *bb = f[1].bins, *bc = f[2].bins, *bd = f[3].bins;
  double *ha = f[0].hist, *hb = f[1].hist, *hc = f[2].hist, *hd = f[3].hist;
  const uint32_t ca = f[0].count, cb = f[1].count, cc = f[2].count, cd = f[3].count;
  for (int64_t i = 0; i < n; i++) {
    const double gi = g[i];
    double* ka = ha + kStride * clampBin<kClamp>(ba[i], ca, bad);
    double* kb = hb + kStride * clampBin<kClamp>(bb[i], cb, bad);
    double* kc = hc + kStride * clampBin<kClamp>(bc[i], cc, bad);
    double* kd = hd + kStride * clampBin<kClamp>(bd[i], cd, bad);
    addFour<kConstant>(ka, kb, kc, kd, gi, kConstant ? 0 : h[i]);
  }
}

// Whether every feature of a group of four has all 256 bins (no byte can leave its histogram).
inline bool fullGroup(const Feature* f) { return f[0].count >= 256 && f[1].count >= 256 && f[2].count >= 256 && f[3].count >= 256; }

template <bool kConstant>
void rootPass(const Feature* f, int features, int64_t n, const float* g, const float* h, uint32_t& bad) {
  int j = 0;
  for (; j + 4 <= features; j += 4) {
    if (fullGroup(f + j)) rootFour<kConstant, false>(f + j, n, g, h, bad);
    else rootFour<kConstant, true>(f + j, n, g, h, bad);
  }
  for (; j < features; j++) {
    const Feature& a = f[j];
    for (int64_t i = 0; i < n; i++) {
      double* k = a.hist + kStride * clampBin(a.bins[i], a.count, bad);
      if (kConstant) k[0] += g[i];
      else addPair(k, g[i], h[i]);
    }
  }
}

// A node's row p: its row index, clamped (and flagged) when out of range.
inline uint32_t rowAt(const int32_t* idx, int64_t p, int64_t n, uint32_t& bad) {
  const uint32_t i = static_cast<uint32_t>(idx[p]);
  const uint32_t over = i >= static_cast<uint64_t>(n);
  bad |= over;
  return over ? 0 : i;
}

// A node: rows idx[start, end), gradients already gathered into node order (og[p] is row idx[p]'s).
// Each group of four features is summed into a small table of its own, per bin [Σg, rows] with
// constant hessians or [Σg, Σh, rows, 0] otherwise, zeroed per group (16 or 32 KB: it stays in L1,
// where the histograms' 24-byte bins and a separate count table cost two read-modify-writes a
// cell); a row's terms go in as one vector add. Each bin still receives the same float64 additions
// in the same row order, starting from 0, and the count is 1.0 added per row (exact), so flushing
// the table into the zeroed histograms (0 + s = s) gives the JavaScript pass's sums bit for bit.
// A bin past a feature's count (corrupt input) lands in the table, never outside it, and is flagged
// at the flush.
template <int kWidth>
struct GroupSums {
  alignas(32) double s[4][256][kWidth];
  void clear() { std::memset(s, 0, sizeof s); }
  // Adds the group's sums into its four features' histograms; flags rows counted in bins a feature lacks.
  void flush(const Feature* f, int features, uint32_t& bad) {
    constexpr int kRows = kWidth == 2 ? 1 : 2;
    for (int u = 0; u < features; u++) {
      double* hist = f[u].hist;
      const uint32_t count = f[u].count < 256 ? f[u].count : 256;
      // Empty bins too (0 + 0 = 0): a branch per bin mispredicted on the sparse tables of small nodes.
      for (uint32_t b = 0; b < count; b++) {
        const double* t = s[u][b];
        hist[kStride * b] += t[0];
        if (kWidth == 4) hist[kStride * b + 1] += t[1];
        hist[kStride * b + 2] += t[kRows];
      }
      for (uint32_t b = count; b < 256; b++) bad |= s[u][b][kRows] != 0;
    }
  }
};

template <bool kConstant>
inline void addRow(double* t, double g, double h) {
  if (kConstant) {
    addPair(t, g, 1.0);
  } else {
    addPair(t, g, h);
    t[2] += 1.0;
  }
}

// A group of W ≤ 4 consecutive features over a node's rows.
template <bool kConstant, int W>
void nodeGroup(const Feature* f, int64_t n, const int32_t* idx, int64_t start, int64_t end, const float* og, const float* oh, uint32_t& bad, GroupSums<kConstant ? 2 : 4>& sums) {
  const uint8_t* b[4] = {f[0].bins, W > 1 ? f[1].bins : nullptr, W > 2 ? f[2].bins : nullptr, W > 3 ? f[3].bins : nullptr};
  sums.clear();
  const int32_t* rows = idx + start;
  const float* gs = og + start;
  const float* hs = kConstant ? nullptr : oh + start;
  const int64_t count = end - start;
  for (int64_t p = 0; p < count; p++) {
    const uint32_t i = rowAt(rows, p, n, bad);
    const double gi = gs[p], hi = kConstant ? 0 : hs[p];
    for (int u = 0; u < W; u++) addRow<kConstant>(sums.s[u][b[u][i]], gi, hi);
  }
  sums.flush(f, W, bad);
}

template <bool kConstant>
void nodePass(const Feature* f, int features, int64_t n, const int32_t* idx, int64_t start, int64_t end, const float* og, const float* oh, uint32_t& bad) {
  GroupSums<kConstant ? 2 : 4> sums;
  int j = 0;
  for (; j + 4 <= features; j += 4) nodeGroup<kConstant, 4>(f + j, n, idx, start, end, og, oh, bad, sums);
  // The last one to three features as one group: the row index and gradients read once for them too.
  switch (features - j) {
    case 3: nodeGroup<kConstant, 3>(f + j, n, idx, start, end, og, oh, bad, sums); break;
    case 2: nodeGroup<kConstant, 2>(f + j, n, idx, start, end, og, oh, bad, sums); break;
    case 1: nodeGroup<kConstant, 1>(f + j, n, idx, start, end, og, oh, bad, sums); break;
    default: break;
  }
}

// Fewest row × feature cells for which a pass is split over threads: below, handing out the work
// costs more than it saves.
constexpr int64_t kParallelCells = 20000;

// histograms(bins: Uint8Array, n, histOffset: Int32Array, idx: Int32Array, g, h, og, oh: Float32Array,
//            rootCounts, hist: Float64Array, request: Float64Array [j0, j1, start, end, root, gOffset, constantHessian])
// Builds features [j0, j1)'s histograms of the request into `hist` (zeroed by the caller), as
// buildHistograms in gradient-histograms.ts does. Every size is checked; a row index or bin out of
// range throws (after the pass, which clamps them, so nothing is read or written out of bounds).
napi_value Histograms(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 11) return fail(env, "histograms needs bins, n, histOffset, idx, g, h, og, oh, rootCounts, hist and a request");
  uint8_t* bins;
  int32_t *offsets, *idx;
  float *g, *h, *og, *oh;
  double *rootCounts, *hist, *request;
  size_t nBins, nOffsets, nIdx, nG, nH, nOg, nOh, nRoot, nHist, nRequest;
  int64_t n;
  if (!typedArray(env, argv[0], napi_uint8_array, &bins, &nBins)) return fail(env, "histograms: bins must be a Uint8Array");
  if (napi_get_value_int64(env, argv[1], &n) != napi_ok || n < 0) return fail(env, "histograms: n must be a row count");
  if (!typedArray(env, argv[2], napi_int32_array, &offsets, &nOffsets) || nOffsets < 1) return fail(env, "histograms: histOffset must be a non-empty Int32Array");
  if (!typedArray(env, argv[3], napi_int32_array, &idx, &nIdx)) return fail(env, "histograms: idx must be an Int32Array");
  if (!typedArray(env, argv[4], napi_float32_array, &g, &nG) || !typedArray(env, argv[5], napi_float32_array, &h, &nH) ||
      !typedArray(env, argv[6], napi_float32_array, &og, &nOg) || !typedArray(env, argv[7], napi_float32_array, &oh, &nOh))
    return fail(env, "histograms: g, h, og and oh must be Float32Arrays");
  if (!typedArray(env, argv[8], napi_float64_array, &rootCounts, &nRoot) || !typedArray(env, argv[9], napi_float64_array, &hist, &nHist) ||
      !typedArray(env, argv[10], napi_float64_array, &request, &nRequest) || nRequest < 7)
    return fail(env, "histograms: rootCounts, hist and request must be Float64Arrays (request of 7 values)");
  const int features = static_cast<int>(nOffsets - 1);
  if (static_cast<uint64_t>(n) * features > nBins) return fail(env, "histograms: fewer bins than rows × features");
  if (offsets[0] != 0) return fail(env, "histograms: histOffset must start at 0");
  for (int j = 0; j < features; j++) {
    const int64_t width = static_cast<int64_t>(offsets[j + 1]) - offsets[j];
    if (width < kStride || width % kStride != 0) return fail(env, "histograms: histOffset must grow by whole bins");
  }
  const size_t total = static_cast<size_t>(offsets[features]);
  if (nHist < total || nRoot < total) return fail(env, "histograms: hist and rootCounts must hold every feature's bins");
  const double j0d = request[0], j1d = request[1], startd = request[2], endd = request[3], gOffsetd = request[5];
  const bool root = request[4] != 0, constant = request[6] != 0;
  // request[7], when there: the threads the pass may use (the result is the same for any number).
  const int threads = nRequest >= 8 && request[7] >= 1 && request[7] <= 64 ? static_cast<int>(request[7]) : 1;
  // Whole numbers in range (NaN fails every comparison).
  const bool whole = j0d == static_cast<int64_t>(j0d) && j1d == static_cast<int64_t>(j1d) && startd == static_cast<int64_t>(startd) &&
                     endd == static_cast<int64_t>(endd) && gOffsetd == static_cast<int64_t>(gOffsetd);
  if (!whole || !(j0d >= 0 && j0d <= j1d && j1d <= features)) return fail(env, "histograms: features [j0, j1) out of range");
  const int j0 = static_cast<int>(j0d), j1 = static_cast<int>(j1d);
  const int64_t start = static_cast<int64_t>(startd), end = static_cast<int64_t>(endd), gOffset = static_cast<int64_t>(gOffsetd);
  Feature f[256];
  std::vector<Feature> many;
  Feature* view = f;
  if (j1 - j0 > 256) {
    many.resize(j1 - j0);
    view = many.data();
  }
  for (int j = j0; j < j1; j++) view[j - j0] = {bins + static_cast<size_t>(j) * n, hist + offsets[j], static_cast<uint32_t>((offsets[j + 1] - offsets[j]) / kStride)};
  if (root) {
    if (gOffset < 0 || static_cast<uint64_t>(gOffset + n) > nG || (!constant && static_cast<uint64_t>(gOffset + n) > nH)) return fail(env, "histograms: gradients shorter than the root's rows");
  } else if (start < 0 || start > end || static_cast<uint64_t>(end) > nIdx || static_cast<uint64_t>(end) > nOg || (!constant && static_cast<uint64_t>(end) > nOh)) {
    return fail(env, "histograms: node rows [start, end) out of range");
  }
  // Threads split the features into equal ranges, each range built by one thread.
  const int width = j1 - j0;
  const int64_t cells = (root ? n : end - start) * width;
  const int parts = threads > 1 && cells >= kParallelCells ? std::min(threads, width) : 1;
  std::atomic<uint32_t> anyBad{0};
  lathe::parallelFor(parts, parts, [&](int64_t t) {
    const int a = static_cast<int>(t * width / parts), b = static_cast<int>((t + 1) * width / parts);
    uint32_t bad = 0;
    if (root) {
      std::memcpy(hist + offsets[j0 + a], rootCounts + offsets[j0 + a], static_cast<size_t>(offsets[j0 + b] - offsets[j0 + a]) * sizeof(double));
      if (constant) rootPass<true>(view + a, b - a, n, g + gOffset, nullptr, bad);
      else rootPass<false>(view + a, b - a, n, g + gOffset, h + gOffset, bad);
    } else {
      if (constant) nodePass<true>(view + a, b - a, n, idx, start, end, og, nullptr, bad);
      else nodePass<false>(view + a, b - a, n, idx, start, end, og, oh, bad);
    }
    if (bad) anyBad.store(1, std::memory_order_relaxed);
  });
  const uint32_t bad = anyBad.load();
  if (bad) return fail(env, "histograms: a row index or bin out of range");
  return nullptr;
}

// subtract(parent: Float64Array, child: Float64Array): parent[q] -= child[q] for every q — the
// larger child's histograms from the parent's and the smaller child's (the same IEEE subtraction
// per element as the JavaScript loop, in any order).
napi_value Subtract(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  double *parent, *child;
  size_t nParent, nChild;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 2 || !typedArray(env, argv[0], napi_float64_array, &parent, &nParent) ||
      !typedArray(env, argv[1], napi_float64_array, &child, &nChild) || nParent != nChild)
    return fail(env, "subtract needs two Float64Arrays of the same length");
  for (size_t q = 0; q < nParent; q++) parent[q] -= child[q];
  return nullptr;
}

// partition(bins: Uint8Array, n, feature, idx: Int32Array, scratch: Int32Array, start, end,
//           goesLeft: Uint8Array(256)) → mid
// Rows in[0, count) split by goesLeft[their bin]: the left ones to left[], the others to right[], each
// side in order; returns how many went left. `left` may be `in` itself (a row is never written ahead
// of where it is read). Each row is written to both sides and only its side advances: no branch to
// mispredict. A row index out of range is flagged in `bad` and read as row 0.
int64_t splitRows(const uint8_t* column, int64_t n, const uint8_t* goesLeft, const int32_t* in, int64_t count, int32_t* left, int32_t* right, uint32_t& bad) {
  int64_t l = 0, r = 0;
  for (int64_t p = 0; p < count; p++) {
    const int32_t i = in[p];
    const uint32_t over = static_cast<uint32_t>(i) >= static_cast<uint64_t>(n);
    bad |= over;
    const int64_t goes = goesLeft[column[over ? 0 : i]] != 0;
    left[l] = i;
    right[r] = i;
    l += goes;
    r += 1 - goes;
  }
  return l;
}

// Stable partition of idx[start, end) by goesLeft[bin of the row in `feature`]: the rows going left
// first, in their order, then the others, in theirs; returns where the right side starts. Integer
// moves only, so the JavaScript partition in gradient-tree.ts gives the same buffer.
napi_value Partition(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  uint8_t *bins, *goesLeft;
  int32_t *idx, *scratch;
  size_t nBins, nIdx, nScratch, nLeft;
  int64_t n, feature, start, end;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 8 || !typedArray(env, argv[0], napi_uint8_array, &bins, &nBins) ||
      napi_get_value_int64(env, argv[1], &n) != napi_ok || napi_get_value_int64(env, argv[2], &feature) != napi_ok ||
      !typedArray(env, argv[3], napi_int32_array, &idx, &nIdx) || !typedArray(env, argv[4], napi_int32_array, &scratch, &nScratch) ||
      napi_get_value_int64(env, argv[5], &start) != napi_ok || napi_get_value_int64(env, argv[6], &end) != napi_ok ||
      !typedArray(env, argv[7], napi_uint8_array, &goesLeft, &nLeft))
    return fail(env, "partition needs bins, n, feature, idx, scratch, start, end and goesLeft");
  if (n < 0 || feature < 0 || static_cast<uint64_t>(feature + 1) * n > nBins) return fail(env, "partition: feature out of range");
  if (start < 0 || start > end || static_cast<uint64_t>(end) > nIdx || static_cast<uint64_t>(end - start) > nScratch) return fail(env, "partition: rows [start, end) out of range");
  if (nLeft < 256) return fail(env, "partition: goesLeft must have 256 entries");
  const uint8_t* column = bins + feature * n;
  // Under two blocks of rows the single pass below; the blocks' pass moves each row twice.
  const int threads = end - start >= 2 * lathe::kRowBlock ? threadsArg(env, argc, argv, 8) : 1;
  uint32_t bad = 0;
  int64_t l = start;
  if (threads == 1) {
    const int64_t lefts = splitRows(column, n, goesLeft, idx + start, end - start, idx + start, scratch, bad);
    l = start + lefts;
    std::memcpy(idx + l, scratch, static_cast<size_t>(end - l) * sizeof(int32_t));
  } else {
    // By blocks of rows: each block partitioned into its own stretch of scratch (its left rows, then
    // its right ones), then every block's left rows copied into place in block order, then the right
    // ones. The stable partition is unique, so this is the buffer the loop above makes.
    const int64_t blocks = (end - start + lathe::kRowBlock - 1) / lathe::kRowBlock;
    std::vector<int64_t> lefts(blocks), rights(blocks);
    std::atomic<uint32_t> anyBad{0};
    lathe::parallelBlocks(start, end, threads, [&](int64_t b, int64_t from, int64_t to) {
      int32_t* out = scratch + (from - start);
      // Per thread, kept: a block's right rows, before they follow its left ones.
      thread_local std::vector<int32_t> right;
      right.resize(static_cast<size_t>(lathe::kRowBlock));
      uint32_t blockBad = 0;
      lefts[b] = splitRows(column, n, goesLeft, idx + from, to - from, out, right.data(), blockBad);
      rights[b] = to - from - lefts[b];
      std::memcpy(out + lefts[b], right.data(), static_cast<size_t>(rights[b]) * sizeof(int32_t));
      if (blockBad) anyBad.store(1, std::memory_order_relaxed);
    });
    bad = anyBad.load();
    std::vector<int64_t> leftAt(blocks), rightAt(blocks);
    int64_t totalLeft = 0;
    for (int64_t b = 0; b < blocks; b++) totalLeft += lefts[b];
    int64_t lp = start, rp = start + totalLeft;
    for (int64_t b = 0; b < blocks; b++) {
      leftAt[b] = lp;
      rightAt[b] = rp;
      lp += lefts[b];
      rp += rights[b];
    }
    lathe::parallelBlocks(start, end, threads, [&](int64_t b, int64_t from, int64_t) {
      const int32_t* in = scratch + (from - start);
      std::memcpy(idx + leftAt[b], in, static_cast<size_t>(lefts[b]) * sizeof(int32_t));
      std::memcpy(idx + rightAt[b], in + lefts[b], static_cast<size_t>(rights[b]) * sizeof(int32_t));
    });
    l = start + totalLeft;
  }
  if (bad) return fail(env, "partition: a row index out of range");
  napi_value result;
  if (napi_create_int64(env, l, &result) != napi_ok) return nullptr;
  return result;
}

// gather(idx: Int32Array, g, h, og, oh: Float32Array, start, end, gOffset, constantHessian)
// og[p] = g[gOffset + idx[p]] (and oh from h unless the hessians are constant) for p in [start, end).
napi_value Gather(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  int32_t* idx;
  float *g, *h, *og, *oh;
  size_t nIdx, nG, nH, nOg, nOh;
  int64_t start, end, gOffset;
  bool constant;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 9 || !typedArray(env, argv[0], napi_int32_array, &idx, &nIdx) ||
      !typedArray(env, argv[1], napi_float32_array, &g, &nG) || !typedArray(env, argv[2], napi_float32_array, &h, &nH) ||
      !typedArray(env, argv[3], napi_float32_array, &og, &nOg) || !typedArray(env, argv[4], napi_float32_array, &oh, &nOh) ||
      napi_get_value_int64(env, argv[5], &start) != napi_ok || napi_get_value_int64(env, argv[6], &end) != napi_ok ||
      napi_get_value_int64(env, argv[7], &gOffset) != napi_ok || napi_get_value_bool(env, argv[8], &constant) != napi_ok)
    return fail(env, "gather needs idx, g, h, og, oh, start, end, gOffset and constantHessian");
  if (start < 0 || start > end || static_cast<uint64_t>(end) > nIdx || static_cast<uint64_t>(end) > nOg || (!constant && static_cast<uint64_t>(end) > nOh))
    return fail(env, "gather: rows [start, end) out of range");
  if (gOffset < 0 || static_cast<uint64_t>(gOffset) > nG || (!constant && static_cast<uint64_t>(gOffset) > nH)) return fail(env, "gather: gOffset out of range");
  // Row indices are checked against what both gradient arrays hold past gOffset.
  const uint64_t rows = constant ? nG - gOffset : std::min<uint64_t>(nG, nH) - gOffset;
  std::atomic<uint32_t> anyBad{0};
  lathe::parallelBlocks(start, end, threadsArg(env, argc, argv, 9), [&](int64_t, int64_t from, int64_t to) {
    uint32_t bad = 0;
    for (int64_t p = from; p < to; p++) {
      const uint32_t i = static_cast<uint32_t>(idx[p]);
      const uint32_t over = i >= rows;
      bad |= over;
      og[p] = g[gOffset + (over ? 0 : i)];
    }
    if (!constant)
      for (int64_t p = from; p < to; p++) {
        const uint32_t i = static_cast<uint32_t>(idx[p]);
        oh[p] = h[gOffset + (i >= rows ? 0 : i)];
      }
    if (bad) anyBad.store(1, std::memory_order_relaxed);
  });
  const uint32_t bad = anyBad.load();
  if (bad) return fail(env, "gather: a row index out of range");
  return nullptr;
}

// findSplit(hist: Float64Array, histOffset: Int32Array, valueBins: Int32Array, node: Float64Array
//           [G, H, rows, l2, minSamplesLeaf, constantHessian, parentScore, minHessian], out: Float64Array(7))
// The best cut "bin <= b" of a node over every feature, as GradientTreeGrower.findSplit/scan in
// gradient-tree.ts: the same sweeps in the same order with the same double arithmetic, so the same
// cut and gains. out: [gain, feature (−1: none gains), bin, missingLeft, leftG, leftH, leftRows].
napi_value FindSplit(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  double *hist, *node, *out;
  int32_t *offsets, *valueBins;
  size_t nHist, nOffsets, nValue, nNode, nOut;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 5 || !typedArray(env, argv[0], napi_float64_array, &hist, &nHist) ||
      !typedArray(env, argv[1], napi_int32_array, &offsets, &nOffsets) || !typedArray(env, argv[2], napi_int32_array, &valueBins, &nValue) ||
      !typedArray(env, argv[3], napi_float64_array, &node, &nNode) || !typedArray(env, argv[4], napi_float64_array, &out, &nOut) || nNode < 8 || nOut < 7 ||
      nOffsets < 1 || nValue != nOffsets - 1)
    return fail(env, "findSplit needs hist, histOffset, valueBins (one per feature), node (8 values) and out (7 values)");
  const int features = static_cast<int>(nValue);
  for (int j = 0; j < features; j++) {
    // The feature's value bins and its missing bin must lie inside its part of hist.
    const int64_t from = offsets[j], to = offsets[j + 1];
    if (from < 0 || to > static_cast<int64_t>(nHist) || valueBins[j] < 0 || from + (static_cast<int64_t>(valueBins[j]) + 1) * kStride > to)
      return fail(env, "findSplit: histOffset and valueBins do not fit hist");
  }
  const double G = node[0], H = node[1], N = node[2], l2 = node[3], minSamplesLeaf = node[4], parentScore = node[6], minHessian = node[7];
  const bool constant = node[5] != 0;
  double best = 0, bestFeature = -1, bestBin = 0, bestMissingLeft = 0, bestG = 0, bestH = 0, bestRows = 0;
  for (int j = 0; j < features; j++) {
    const double* base = hist + offsets[j];
    const int bins = valueBins[j];
    const double* missing = base + static_cast<int64_t>(bins) * kStride;
    const bool noneMissing = missing[2] == 0;
    for (int side = 0; side < (noneMissing ? 1 : 2); side++) {
      const bool missingLeft = side == 1;
      double gl = 0, hl = 0, nl = 0;
      if (missingLeft) {
        gl = missing[0];
        nl = missing[2];
        hl = constant ? nl : missing[1];
      }
      for (int b = 0; b < bins; b++) {
        const double* k = base + static_cast<int64_t>(b) * kStride;
        const double rows = k[2];
        if (rows == 0) continue;
        gl += k[0];
        hl += constant ? rows : k[1];
        nl += rows;
        const double nr = N - nl;
        if (nr < minSamplesLeaf) break;
        if (nl < minSamplesLeaf) continue;
        const double hr = H - hl;
        if (hl < minHessian || hr < minHessian) continue;
        const double gr = G - gl;
        const double gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentScore;
        if (gain > best) {
          best = gain;
          bestFeature = j;
          bestBin = b;
          bestMissingLeft = missingLeft || (noneMissing && nl >= nr) ? 1 : 0;
          bestG = gl;
          bestH = hl;
          bestRows = nl;
        }
      }
    }
  }
  out[0] = best;
  out[1] = bestFeature;
  out[2] = bestBin;
  out[3] = bestMissingLeft;
  out[4] = bestG;
  out[5] = bestH;
  out[6] = bestRows;
  return nullptr;
}

// The one-feature histogram of the CART builder (runtime/models/trees/tree-builder.ts buildOne), for
// random forests: per row of a node, its weight into [bin·d] and into its class's slot (or weight ×
// target into [bin·d + 1]); a bin is noted in `touched` the first time its weight sum is 0 before an
// add. The same float64 additions in the same row order as the JavaScript, so the same histogram.
template <typename Bin, bool kClassification>
int64_t oneHistogram(const Bin* column, int64_t n, const int32_t* idx, int64_t start, int64_t end, const double* weight, const int32_t* yClass, const float* yValue,
                     int64_t d, double* hist, size_t nHist, int32_t* touched, size_t nTouched, uint32_t& bad) {
  int64_t t = 0;
  for (int64_t p = start; p < end; p++) {
    uint32_t i = static_cast<uint32_t>(idx[p]);
    if (i >= static_cast<uint64_t>(n)) {
      bad = 1;
      i = 0;
    }
    const int64_t b = column[i];
    const int64_t h = b * d;
    int64_t slot = kClassification ? static_cast<int64_t>(yClass[i]) : 0;
    if (h + d > static_cast<int64_t>(nHist) || slot < 0 || slot + 1 >= d) {
      bad = 1;
      continue;
    }
    const double w = weight[i];
    if (hist[h] == 0) {
      // A JavaScript typed array ignores a write past its end and the count goes on: the same here.
      if (static_cast<size_t>(t) < nTouched) touched[t] = static_cast<int32_t>(b);
      t++;
    }
    hist[h] += w;
    if (kClassification) hist[h + 1 + slot] += w;
    else hist[h + 1] += w * static_cast<double>(yValue[i]);
  }
  return t;
}

// oneHistogram(bins: Uint8Array | Uint16Array, n, feature, idx: Int32Array, start, end, weight: Float64Array,
//              yClass: Int32Array, yValue: Float32Array, d, classification, hist: Float64Array, touched: Int32Array)
// → the number of touched bins. Every size is checked; a row, bin or class out of range throws.
napi_value OneHistogram(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 13) return fail(env, "oneHistogram needs 13 arguments");
  napi_typedarray_type binType;
  size_t nBins = 0;
  void* binData = nullptr;
  napi_value buffer;
  size_t byteOffset;
  bool isTyped = false;
  if (napi_is_typedarray(env, argv[0], &isTyped) != napi_ok || !isTyped || napi_get_typedarray_info(env, argv[0], &binType, &nBins, &binData, &buffer, &byteOffset) != napi_ok ||
      (binType != napi_uint8_array && binType != napi_uint16_array))
    return fail(env, "oneHistogram: bins must be a Uint8Array or a Uint16Array");
  int64_t n, feature, start, end, d;
  int32_t *idx, *yClass, *touched;
  double *weight, *hist;
  float* yValue;
  size_t nIdx, nWeight, nClass, nValue, nHist, nTouched;
  bool classification;
  if (napi_get_value_int64(env, argv[1], &n) != napi_ok || napi_get_value_int64(env, argv[2], &feature) != napi_ok || !typedArray(env, argv[3], napi_int32_array, &idx, &nIdx) ||
      napi_get_value_int64(env, argv[4], &start) != napi_ok || napi_get_value_int64(env, argv[5], &end) != napi_ok ||
      !typedArray(env, argv[6], napi_float64_array, &weight, &nWeight) || !typedArray(env, argv[7], napi_int32_array, &yClass, &nClass) ||
      !typedArray(env, argv[8], napi_float32_array, &yValue, &nValue) || napi_get_value_int64(env, argv[9], &d) != napi_ok ||
      napi_get_value_bool(env, argv[10], &classification) != napi_ok || !typedArray(env, argv[11], napi_float64_array, &hist, &nHist) ||
      !typedArray(env, argv[12], napi_int32_array, &touched, &nTouched))
    return fail(env, "oneHistogram: arguments of the wrong type");
  if (n < 0 || feature < 0 || static_cast<uint64_t>(feature + 1) * n > nBins) return fail(env, "oneHistogram: feature out of range");
  if (start < 0 || start > end || static_cast<uint64_t>(end) > nIdx) return fail(env, "oneHistogram: rows [start, end) out of range");
  if (nWeight < static_cast<uint64_t>(n) || (classification ? nClass : nValue) < static_cast<uint64_t>(n)) return fail(env, "oneHistogram: weights or targets shorter than the rows");
  if (d < 2) return fail(env, "oneHistogram: d must be at least 2");
  uint32_t bad = 0;
  int64_t t;
  if (binType == napi_uint8_array) {
    const uint8_t* column = static_cast<uint8_t*>(binData) + feature * n;
    t = classification ? oneHistogram<uint8_t, true>(column, n, idx, start, end, weight, yClass, yValue, d, hist, nHist, touched, nTouched, bad)
                       : oneHistogram<uint8_t, false>(column, n, idx, start, end, weight, yClass, yValue, d, hist, nHist, touched, nTouched, bad);
  } else {
    const uint16_t* column = static_cast<uint16_t*>(binData) + feature * n;
    t = classification ? oneHistogram<uint16_t, true>(column, n, idx, start, end, weight, yClass, yValue, d, hist, nHist, touched, nTouched, bad)
                       : oneHistogram<uint16_t, false>(column, n, idx, start, end, weight, yClass, yValue, d, hist, nHist, touched, nTouched, bad);
  }
  if (bad) return fail(env, "oneHistogram: a row index, bin or class out of range");
  napi_value result;
  if (napi_create_int64(env, t, &result) != napi_ok) return nullptr;
  return result;
}

}  // namespace

namespace lathe {

void defineHistograms(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"histograms", nullptr, Histograms, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"subtract", nullptr, Subtract, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"partition", nullptr, Partition, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gather", nullptr, Gather, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"findSplit", nullptr, FindSplit, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"oneHistogram", nullptr, OneHistogram, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
}

}  // namespace lathe
