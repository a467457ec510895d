// gradient_boosting's per-tree steps around the histograms (runtime/models/trees/gradient-tree.ts and
// boosting-loop.ts hold their JavaScript twins, kept as the fallback): the root's sums, adding the
// leaves' values to the training rows' raw scores, and walking a new tree over the validation rows.
//
// Why native code: each is a short loop over every training or validation row per tree, ≈ 15% of a
// 140k-row fit together in V8 (bounds checks, float32 loads through the generic path, the walk's
// four interleaved descents); here the same loops without them.
//
// Bit for bit equal to the JavaScript: the same float64 additions in the same order (rows in order,
// one tree), comparisons on the same float32 values; nothing reassociated (-ffp-contract=off).
#include "module.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

using lathe::fail;
using lathe::typedArray;
using lathe::kRowBlock;
using lathe::threadsArg;

// Rows whose loss terms a split loss pass keeps at once (eight blocks; 1 MB of doubles).
constexpr int64_t kStretchRows = 8 * kRowBlock;

// rootSums(idx: Int32Array, g: Float32Array, h: Float32Array, gOffset, n, constantHessian, out: Float64Array(2))
// idx[i] = i for i < n; out = [Σ g[gOffset + i], Σ h[gOffset + i]] in row order (n when constant).
napi_value RootSums(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  int32_t* idx;
  float *g, *h;
  double* out;
  size_t nIdx, nG, nH, nOut;
  int64_t gOffset, n;
  bool constant;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 7 || !typedArray(env, argv[0], napi_int32_array, &idx, &nIdx) ||
      !typedArray(env, argv[1], napi_float32_array, &g, &nG) || !typedArray(env, argv[2], napi_float32_array, &h, &nH) ||
      napi_get_value_int64(env, argv[3], &gOffset) != napi_ok || napi_get_value_int64(env, argv[4], &n) != napi_ok ||
      napi_get_value_bool(env, argv[5], &constant) != napi_ok || !typedArray(env, argv[6], napi_float64_array, &out, &nOut) || nOut < 2)
    return fail(env, "rootSums needs idx, g, h, gOffset, n, constantHessian and out (2 values)");
  if (n < 0 || gOffset < 0 || static_cast<uint64_t>(n) > nIdx || static_cast<uint64_t>(gOffset + n) > nG || (!constant && static_cast<uint64_t>(gOffset + n) > nH))
    return fail(env, "rootSums: rows out of range");
  for (int64_t i = 0; i < n; i++) idx[i] = static_cast<int32_t>(i);
  double sumG = 0, sumH = 0;
  for (int64_t i = 0; i < n; i++) sumG += g[gOffset + i];
  if (constant) sumH = static_cast<double>(n);
  else
    for (int64_t i = 0; i < n; i++) sumH += h[gOffset + i];
  out[0] = sumG;
  out[1] = sumH;
  return nullptr;
}

// addLeaves(idx: Int32Array, raw: Float64Array, bounds: Int32Array [start, end per leaf], values: Float64Array (per leaf))
// raw[idx[p]] += values[l] for p in leaf l's [start, end), leaves in order.
napi_value AddLeaves(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  int32_t *idx, *bounds;
  double *raw, *values;
  size_t nIdx, nRaw, nBounds, nValues;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 4 || !typedArray(env, argv[0], napi_int32_array, &idx, &nIdx) ||
      !typedArray(env, argv[1], napi_float64_array, &raw, &nRaw) || !typedArray(env, argv[2], napi_int32_array, &bounds, &nBounds) ||
      !typedArray(env, argv[3], napi_float64_array, &values, &nValues) || nBounds != 2 * nValues)
    return fail(env, "addLeaves needs idx, raw, bounds (a start and an end per leaf) and values (one per leaf)");
  int64_t rows = 0;
  for (size_t l = 0; l < nValues; l++) {
    const int64_t start = bounds[2 * l], end = bounds[2 * l + 1];
    if (start < 0 || start > end || static_cast<uint64_t>(end) > nIdx) return fail(env, "addLeaves: a leaf's rows out of range");
    rows += end - start;
  }
  // The leaves hold disjoint rows (a partition of the root's): one addition per row, whichever thread makes it.
  const int threads = rows >= 2 * kRowBlock ? threadsArg(env, argc, argv, 4) : 1;
  std::atomic<uint32_t> anyBad{0};
  lathe::parallelFor(static_cast<int64_t>(nValues), threads, [&](int64_t l) {
    const double v = values[l];
    uint32_t bad = 0;
    for (int64_t p = bounds[2 * l]; p < bounds[2 * l + 1]; p++) {
      const uint32_t i = static_cast<uint32_t>(idx[p]);
      const uint32_t over = i >= nRaw;
      bad |= over;
      if (!over) raw[i] += v;
    }
    if (bad) anyBad.store(1, std::memory_order_relaxed);
  });
  if (anyBad.load()) return fail(env, "addLeaves: a row index out of range");
  return nullptr;
}

// walkTree(nodes: Int32Array (packed-forest slots; thresholds are the same memory as float32), missingLeft: Uint8Array,
//          root, values: Float64Array, k, block: Float32Array, rows, stride, sum: Float64Array, out)
// Adds one packed tree's leaf outputs for each row of a row-major block (runtime/models/scoring/
// packed-forest.ts walk/walkWithMissing): left when x <= threshold, or x is NaN and the node sends
// missing left; sum[out + r·k + c] += values[leaf + c]. The tree's nodes are checked first (a
// packed tree lists a node before its children, a leaf points at itself), so the walk needs no
// check and ends; eight rows descend side by side (a leaf's step stays on it), as the JavaScript
// walk steps four, so their loads overlap instead of waiting one on the other.
napi_value WalkTree(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  int32_t* I;
  uint8_t* M;
  double *V, *sum;
  float* X;
  size_t nI, nM, nV, nX, nSum;
  int64_t root, k, rows, stride, out;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 10 || !typedArray(env, argv[0], napi_int32_array, &I, &nI) ||
      !typedArray(env, argv[1], napi_uint8_array, &M, &nM) || napi_get_value_int64(env, argv[2], &root) != napi_ok ||
      !typedArray(env, argv[3], napi_float64_array, &V, &nV) || napi_get_value_int64(env, argv[4], &k) != napi_ok ||
      !typedArray(env, argv[5], napi_float32_array, &X, &nX) || napi_get_value_int64(env, argv[6], &rows) != napi_ok ||
      napi_get_value_int64(env, argv[7], &stride) != napi_ok || !typedArray(env, argv[8], napi_float64_array, &sum, &nSum) ||
      napi_get_value_int64(env, argv[9], &out) != napi_ok)
    return fail(env, "walkTree needs nodes, missingLeft, root, values, k, block, rows, stride, sum and out");
  if (nI % 4 != 0 || nM * 4 < nI || root < 0 || root % 4 != 0 || static_cast<uint64_t>(root) >= nI) return fail(env, "walkTree: root or nodes out of range");
  if (k < 1 || rows < 0 || stride < 1 || static_cast<uint64_t>(rows * stride) > nX || out < 0 || static_cast<uint64_t>(out + rows * k) > nSum)
    return fail(env, "walkTree: block or sums out of range");
  const int64_t slots = static_cast<int64_t>(nI);
  // Every node from the root on: children after their parent, features inside a row, leaves pointing at themselves.
  for (int64_t p = root; p < slots; p += 4) {
    if (I[p] == 0) {
      if (I[p + 2] != p || I[p + 3] != p || I[p + 1] < 0 || static_cast<uint64_t>(I[p + 1] + k) > nV) return fail(env, "walkTree: a malformed leaf");
    } else if (I[p] < 0 || I[p] >= stride || I[p + 2] <= p || I[p + 3] <= p || I[p + 2] >= slots || I[p + 3] >= slots || I[p + 2] % 4 != 0 || I[p + 3] % 4 != 0) {
      return fail(env, "walkTree: a malformed tree");
    }
  }
  const float* F = reinterpret_cast<const float*>(I);
  // Each row's sums are its own: blocks of rows on any thread give the same sums.
  lathe::parallelBlocks(0, rows, threadsArg(env, argc, argv, 10), [&](int64_t, int64_t from, int64_t last) {
    constexpr int kLanes = 8;
    int64_t r = from;
    for (; r + kLanes <= last; r += kLanes) {
      int64_t p[kLanes];
      const float* x[kLanes];
      for (int u = 0; u < kLanes; u++) {
        p[u] = root;
        x[u] = X + (r + u) * stride;
      }
      for (;;) {
        int32_t any = 0;
        for (int u = 0; u < kLanes; u++) any |= I[p[u]];
        if (any == 0) break;
        for (int u = 0; u < kLanes; u++) {
          const int64_t q = p[u];
          const float v = x[u][I[q]];
          const int left = (v <= F[q + 1]) | ((v != v) & (M[q >> 2] != 0));
          p[u] = I[q + 3 - left];
        }
      }
      for (int u = 0; u < kLanes; u++) {
        const int64_t o = I[p[u] + 1];
        for (int64_t c = 0; c < k; c++) sum[out + (r + u) * k + c] += V[o + c];
      }
    }
    for (; r < last; r++) {
      const float* x = X + r * stride;
      int64_t q = root;
      while (I[q] != 0) {
        const float v = x[I[q]];
        q = I[q + 3 - ((v <= F[q + 1]) | ((v != v) & (M[q >> 2] != 0)))];
      }
      const int64_t o = I[q + 1];
      for (int64_t c = 0; c < k; c++) sum[out + r * k + c] += V[o + c];
    }
  });
  return nullptr;
}

// V8's Math.exp, to the bit: fdlibm's exp (e_exp.c, Sun Microsystems 1993, "permission to use, copy,
// modify, and distribute this software is freely granted, provided that this notice is preserved")
// in the FreeBSD msun form V8 compiles into src/base/ieee754.cc: reduce x = k·ln2 + r with ln2 split
// in two, a degree-5 rational approximation on r, scale by 2^k. Only +, −, ×, ÷ and exact bit
// moves (built with -ffp-contract=off), so every compiler gives the same doubles V8 does; the twin
// test compares it with Math.exp over millions of arguments.
inline uint32_t highWord(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, 8);
  return static_cast<uint32_t>(bits >> 32);
}

inline uint32_t lowWord(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, 8);
  return static_cast<uint32_t>(bits);
}

inline double fromWords(uint32_t high, uint32_t low) {
  const uint64_t bits = (static_cast<uint64_t>(high) << 32) | low;
  double x;
  std::memcpy(&x, &bits, 8);
  return x;
}

double v8Exp(double x) {
  static const double halF[2] = {0.5, -0.5};
  static const double ln2HI[2] = {6.93147180369123816490e-01, -6.93147180369123816490e-01};
  static const double ln2LO[2] = {1.90821492927058770002e-10, -1.90821492927058770002e-10};
  const double huge = 1.0e+300, twom1000 = 0x1p-1000, two1023 = 0x1p1023;
  const double overflow = 7.09782712893383973096e+02, underflow = -7.45133219101941108420e+02, invln2 = 1.44269504088896338700e+00;
  const double P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05, P4 = -1.65339022054652515390e-06,
               P5 = 4.13813679705723846039e-08;
  uint32_t hx = highWord(x);
  const int sign = static_cast<int>(hx >> 31);
  hx &= 0x7fffffff;
  if (hx >= 0x40862E42) {  // |x| ≥ 709.78…: overflow, underflow, ±∞ or NaN
    if (hx >= 0x7ff00000) return ((hx & 0xfffff) | lowWord(x)) != 0 ? x + x : (sign == 0 ? x : 0.0);
    if (x > overflow) return huge * huge;
    if (x < underflow) return twom1000 * twom1000;
  }
  double hi = 0, lo = 0;
  int k = 0;
  if (hx > 0x3fd62e42) {  // |x| > ln2 / 2
    if (hx < 0x3FF0A2B2) {  // and < 1.5 ln2
      hi = x - ln2HI[sign];
      lo = ln2LO[sign];
      k = 1 - sign - sign;
    } else {
      k = static_cast<int>(invln2 * x + halF[sign]);
      const double t = k;
      hi = x - t * ln2HI[0];
      lo = t * ln2LO[0];
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {  // |x| < 2^-28
    if (huge + x > 1.0) return 1.0 + x;
  }
  const double t = x * x;
  const double twopk = fromWords(static_cast<uint32_t>(0x3ff00000 + ((k >= -1021 ? k : k + 1000) * (1 << 20))), 0);
  const double c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) return k == 1024 ? y * 2.0 * two1023 : y * twopk;
  return y * twopk * twom1000;
}

// The running product of a loss's normalisers (each ≥ 1), handed back in `out` from out[3] on each
// time it passes 1e250, for JavaScript to take its logarithm (boosting-loss.ts LogSum, in the same order).
struct ProductLog {
  double* out;
  size_t capacity;
  double product = 1;
  size_t flushed = 0;
  // Multiplies v in; false when out has no room left for a product to hand back.
  bool add(double v) {
    product *= v;
    if (!(product > 1e250)) return true;
    if (3 + flushed >= capacity) return false;
    out[3 + flushed++] = product;
    product = 1;
    return true;
  }
  void finish(double first) {
    out[0] = first;
    out[1] = product;
    out[2] = static_cast<double>(flushed);
  }
};

// binomial(y: Float32Array, raw: Float64Array, g: Float32Array, h: Float32Array, gradients: boolean, out: Float64Array)
// Two-class log loss, as boosting-loss.ts's binomial: per row e = exp(−|r|), p the sigmoid of r,
// g = p − y and h = p(1 − p) (when `gradients`), linear += max(r, 0) − y·r, and 1 + e multiplied
// into a running product that is handed back for its logarithm whenever it passes 1e250 (the
// logarithms stay in JavaScript: V8's Math.log is not the C library's). out: [linear, the last
// product, the number of products handed back, those products…].
napi_value Binomial(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  float *y, *g, *h;
  double *raw, *out;
  size_t n, nRaw, nG, nH, nOut;
  bool gradients;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 6 || !typedArray(env, argv[0], napi_float32_array, &y, &n) ||
      !typedArray(env, argv[1], napi_float64_array, &raw, &nRaw) || !typedArray(env, argv[2], napi_float32_array, &g, &nG) ||
      !typedArray(env, argv[3], napi_float32_array, &h, &nH) || napi_get_value_bool(env, argv[4], &gradients) != napi_ok ||
      !typedArray(env, argv[5], napi_float64_array, &out, &nOut) || nOut < 3)
    return fail(env, "binomial needs y, raw, g, h, gradients and out (at least 3 values)");
  if (nRaw < n || (gradients && (nG < n || nH < n))) return fail(env, "binomial: raw scores or gradients shorter than the targets");
  // Row i's exponential term 1 + e^−|r|, and its gradient and hessian when asked.
  auto term = [&](size_t i) {
    const double r = raw[i];
    const double e = v8Exp(-std::fabs(r));
    if (gradients) {
      const double p = r >= 0 ? 1 / (1 + e) : e / (1 + e);
      g[i] = static_cast<float>(p - static_cast<double>(y[i]));
      h[i] = static_cast<float>(p * (1 - p));
    }
    return 1 + e;
  };
  // The loss's sums, in row order.
  double linear = 0;
  ProductLog logs{out, nOut};
  auto add = [&](size_t i, double t) {
    const double r = raw[i];
    linear += (r > 0 ? r : 0) - static_cast<double>(y[i]) * r;
    return logs.add(t);
  };
  const int threads = n >= 2 * kRowBlock ? threadsArg(env, argc, argv, 6) : 1;
  if (threads == 1) {
    for (size_t i = 0; i < n; i++)
      if (!add(i, term(i))) return fail(env, "binomial: out too short for the products to log");
  } else {
    // The terms by blocks of rows on the threads, a stretch of rows at a time; the sums here, in row
    // order, of the same terms: the same loss as the loop above. The terms of one stretch only are
    // kept (1 MB), not n of them.
    std::vector<double> terms(static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), kStretchRows)));
    for (size_t first = 0; first < n; first += kStretchRows) {
      const size_t stop = std::min<size_t>(n, first + kStretchRows);
      lathe::parallelBlocks(first, stop, threads, [&](int64_t, int64_t from, int64_t to) {
        for (int64_t i = from; i < to; i++) terms[i - first] = term(i);
      });
      for (size_t i = first; i < stop; i++)
        if (!add(i, terms[i - first])) return fail(env, "binomial: out too short for the products to log");
    }
  }
  logs.finish(linear);
  return nullptr;
}

// The binning of the tree learners (runtime/models/trees/binning.ts computeEdges, binInto and
// binRanges; sort-floats.ts): ≈ 10% of a 140k × 20 boosting fit in V8. Each result is defined by
// the data alone — the values in float order, edges from them with the same double arithmetic,
// each value's first bin whose edge is ≥ it, each bin's least and greatest value — so this code
// gives the JavaScript's arrays exactly.

// The non-missing values of a column in Float32Array.prototype.sort's order (−0 before +0): an LSD
// radix sort of their bit patterns, sign-flipped so they order as unsigned integers.
void sortedValues(const float* column, int64_t n, std::vector<uint32_t>& keys, std::vector<uint32_t>& spare) {
  keys.clear();
  for (int64_t i = 0; i < n; i++) {
    const float v = column[i];
    if (v != v) continue;
    uint32_t b;
    std::memcpy(&b, &v, 4);
    keys.push_back(b & 0x80000000u ? ~b : b | 0x80000000u);
  }
  const size_t m = keys.size();
  spare.resize(m);
  constexpr int kBits = 11, kBuckets = 1 << kBits;
  std::vector<uint32_t> counts(kBuckets);
  for (int shift = 0; shift < 32; shift += kBits) {
    std::fill(counts.begin(), counts.end(), 0);
    for (size_t i = 0; i < m; i++) counts[(keys[i] >> shift) & (kBuckets - 1)]++;
    uint32_t sum = 0;
    for (auto& c : counts) {
      const uint32_t here = c;
      c = sum;
      sum += here;
    }
    for (size_t i = 0; i < m; i++) spare[counts[(keys[i] >> shift) & (kBuckets - 1)]++] = keys[i];
    keys.swap(spare);
  }
}

inline float keyValue(uint32_t k) {
  const uint32_t b = k & 0x80000000u ? k & 0x7fffffffu : ~k;
  float v;
  std::memcpy(&v, &b, 4);
  return v;
}

// edges(column: Float32Array, maxBins, out: Float32Array) → the number of edges written: midpoints
// between distinct values when there are at most maxBins of them, else quantiles (binning.ts computeEdges).
napi_value Edges(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  float *column, *out;
  size_t n, nOut;
  int64_t maxBins;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 3 || !typedArray(env, argv[0], napi_float32_array, &column, &n) ||
      napi_get_value_int64(env, argv[1], &maxBins) != napi_ok || !typedArray(env, argv[2], napi_float32_array, &out, &nOut))
    return fail(env, "edges needs a column, maxBins and out");
  const int64_t bins = std::max<int64_t>(2, std::min<int64_t>(65535, maxBins));
  if (nOut < static_cast<size_t>(bins)) return fail(env, "edges: out shorter than maxBins");
  std::vector<uint32_t> keys, spare;
  sortedValues(column, static_cast<int64_t>(n), keys, spare);
  const int64_t m = static_cast<int64_t>(keys.size());
  std::vector<float> sorted(m);
  for (int64_t i = 0; i < m; i++) sorted[i] = keyValue(keys[i]);
  int64_t distinct = m > 0 ? 1 : 0;
  for (int64_t i = 1; i < m && distinct <= bins; i++)
    if (sorted[i] != sorted[i - 1]) distinct++;
  size_t count = 0;
  if (distinct <= bins) {
    for (int64_t i = 1; i < m; i++) {
      const double a = sorted[i - 1], b = sorted[i];
      if (a == b) continue;
      float mid = static_cast<float>(a / 2 + b / 2);
      // Rounding to float32 may land on b, which would put b in the lower bin.
      if (!(mid < b)) mid = static_cast<float>(a);
      if (std::isfinite(mid)) {
        if (count >= nOut) return fail(env, "edges: more edges than out holds");
        out[count++] = mid;
      }
    }
  } else {
    const float max = sorted[m - 1];
    for (int64_t k = 1; k < bins; k++) {
      const float v = sorted[(k * m) / bins];
      if (v < max && std::isfinite(v) && (count == 0 || v > out[count - 1])) out[count++] = v;
    }
  }
  napi_value result;
  if (napi_create_int64(env, static_cast<int64_t>(count), &result) != napi_ok) return nullptr;
  return result;
}

// binColumn(column: Float32Array, edges: Float32Array, out: Uint8Array | Uint16Array, low: Float32Array, high: Float32Array)
// out[i] = the first bin b with column[i] <= edges[b] (edges.length past the last edge, edges.length + 1
// when missing); low/high: each value bin's least and greatest value, NaN where it is empty
// (binning.ts binInto and binRanges).
napi_value BinColumn(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  float *column, *edges, *low, *high;
  size_t n, nEdges, nLow, nHigh, nOut;
  napi_typedarray_type outType;
  void* outData = nullptr;
  napi_value buffer;
  size_t byteOffset;
  bool isTyped = false;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 5 || !typedArray(env, argv[0], napi_float32_array, &column, &n) ||
      !typedArray(env, argv[1], napi_float32_array, &edges, &nEdges) || napi_is_typedarray(env, argv[2], &isTyped) != napi_ok || !isTyped ||
      napi_get_typedarray_info(env, argv[2], &outType, &nOut, &outData, &buffer, &byteOffset) != napi_ok || (outType != napi_uint8_array && outType != napi_uint16_array) ||
      !typedArray(env, argv[3], napi_float32_array, &low, &nLow) || !typedArray(env, argv[4], napi_float32_array, &high, &nHigh))
    return fail(env, "binColumn needs a column, edges, out (Uint8Array or Uint16Array), low and high");
  const size_t valueBins = nEdges + 1;
  if (nOut < n || nLow < valueBins || nHigh < valueBins || valueBins + 1 > (outType == napi_uint8_array ? 256u : 65536u)) return fail(env, "binColumn: out, low or high too short for the column and its bins");
  for (size_t b = 0; b < valueBins; b++) low[b] = high[b] = NAN;
  // Each value starts at the bin of its cell in a grid over the column's range and walks from
  // there (binning.ts binInto): a value's bin is data, so a binary search mispredicts most of its steps.
  constexpr int kGrid = 4096;
  float lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    lo = column[i] < lo ? column[i] : lo;
    hi = column[i] > hi ? column[i] : hi;
  }
  const double scale = kGrid / (static_cast<double>(hi) - lo);
  const bool grid = nEdges > 0 && scale > 0 && scale < INFINITY;
  std::vector<int32_t> start(grid ? kGrid : 0);
  const auto search = [&](double x) {
    return static_cast<int32_t>(std::lower_bound(edges, edges + nEdges, x, [](float e, double v) { return e < v; }) - edges);
  };
  for (int c = 0; c < (grid ? kGrid : 0); c++) start[c] = search(lo + c / scale);
  const int32_t count = static_cast<int32_t>(nEdges);
  for (size_t i = 0; i < n; i++) {
    const float x = column[i];
    int32_t b;
    if (x != x) {
      b = count + 1;
    } else {
      b = grid ? start[std::min<int64_t>(kGrid - 1, static_cast<int64_t>(std::floor((x - static_cast<double>(lo)) * scale)))] : search(x);
      while (b > 0 && x <= edges[b - 1]) b--;
      while (b < count && x > edges[b]) b++;
      if (!(x >= low[b])) low[b] = x;
      if (!(x <= high[b])) high[b] = x;
    }
    if (outType == napi_uint8_array) static_cast<uint8_t*>(outData)[i] = static_cast<uint8_t>(b);
    else static_cast<uint16_t*>(outData)[i] = static_cast<uint16_t>(b);
  }
  return nullptr;
}

// routeRows(bins: Uint8Array (a chunk's codes, feature-major), m, valueBins: Int32Array (per feature), node: Int32Array,
//           cutFeature, cutBin: Int32Array, cutMissing: Uint8Array, nodeLeft, nodeRight: Int32Array,
//           aheadFeature, aheadBin: Int32Array, aheadMissing: Uint8Array, aheadLeft, aheadRight, alias, slotOf: Int32Array,
//           targets: Int32Array [feature, bin, missingLeft, missingBin, smallLeft, gathered] per target,
//           g, h: Float32Array, constantHessian, rowSlot, counts, idx: Int32Array, og, oh: Float32Array)
// The per-row loop of a streamed histogram pass (streamed-gradient-tree.ts buildAhead, its JavaScript
// twin): each row of the chunk stepped from its node down the tree's cuts, through children made
// nodes since (alias) and the cuts worked out ahead, to the frontier (node[r]); its target's slot
// (slotOf), and whether it is that target's smaller child's row (rowSlot[r] = slot, else −1; a
// target whose rows are gathered gets −2 − slot, for the caller to copy). counts: the prefix sums of
// the smaller children's rows (counts[s] to counts[s + 1] are target s's), whose row indices and
// gradients are placed there in row order (idx, og, oh). Every index is checked; a walk longer than
// the nodes there are is a malformed tree.
napi_value RouteRows(napi_env env, napi_callback_info info) {
  size_t argc = 25;
  napi_value argv[25];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 25) return fail(env, "routeRows needs 25 arguments");
  uint8_t *bins, *cutMissing, *aheadMissing;
  int32_t *valueBins, *node, *cutFeature, *cutBin, *nodeLeft, *nodeRight, *aheadFeature, *aheadBin, *aheadLeft, *aheadRight, *alias, *slotOf, *targets, *rowSlot, *counts, *idx;
  float *g, *h, *og, *oh;
  size_t nBins, f, nNode, nCut, nCutBin, nCutMissing, nLeft, nRight, nAhead, nAheadBin, nAheadMissing, nAheadLeft, nAheadRight, nAlias, nSlot, nTargets, nG, nH, nRowSlot, nCounts, nIdx, nOg, nOh;
  int64_t m;
  bool constant;
  if (!typedArray(env, argv[0], napi_uint8_array, &bins, &nBins) || napi_get_value_int64(env, argv[1], &m) != napi_ok ||
      !typedArray(env, argv[2], napi_int32_array, &valueBins, &f) || !typedArray(env, argv[3], napi_int32_array, &node, &nNode) ||
      !typedArray(env, argv[4], napi_int32_array, &cutFeature, &nCut) || !typedArray(env, argv[5], napi_int32_array, &cutBin, &nCutBin) ||
      !typedArray(env, argv[6], napi_uint8_array, &cutMissing, &nCutMissing) || !typedArray(env, argv[7], napi_int32_array, &nodeLeft, &nLeft) ||
      !typedArray(env, argv[8], napi_int32_array, &nodeRight, &nRight) || !typedArray(env, argv[9], napi_int32_array, &aheadFeature, &nAhead) ||
      !typedArray(env, argv[10], napi_int32_array, &aheadBin, &nAheadBin) || !typedArray(env, argv[11], napi_uint8_array, &aheadMissing, &nAheadMissing) ||
      !typedArray(env, argv[12], napi_int32_array, &aheadLeft, &nAheadLeft) || !typedArray(env, argv[13], napi_int32_array, &aheadRight, &nAheadRight) ||
      !typedArray(env, argv[14], napi_int32_array, &alias, &nAlias) || !typedArray(env, argv[15], napi_int32_array, &slotOf, &nSlot) ||
      !typedArray(env, argv[16], napi_int32_array, &targets, &nTargets) || !typedArray(env, argv[17], napi_float32_array, &g, &nG) ||
      !typedArray(env, argv[18], napi_float32_array, &h, &nH) || napi_get_value_bool(env, argv[19], &constant) != napi_ok ||
      !typedArray(env, argv[20], napi_int32_array, &rowSlot, &nRowSlot) || !typedArray(env, argv[21], napi_int32_array, &counts, &nCounts) ||
      !typedArray(env, argv[22], napi_int32_array, &idx, &nIdx) || !typedArray(env, argv[23], napi_float32_array, &og, &nOg) ||
      !typedArray(env, argv[24], napi_float32_array, &oh, &nOh))
    return fail(env, "routeRows: arguments of the wrong type");
  const size_t rows = static_cast<size_t>(m);
  const size_t T = nTargets / 6;
  if (m < 0 || f * rows > nBins || nNode < rows || nRowSlot < rows || nIdx < rows || nOg < rows || nG < rows || (!constant && (nH < rows || nOh < rows)))
    return fail(env, "routeRows: buffers shorter than the chunk's rows");
  if (nCutBin < nCut || nCutMissing < nCut || nAheadBin < nAhead || nAheadMissing < nAhead || nAheadLeft < nAhead || nAheadRight < nAhead || nAlias < nAhead ||
      nTargets % 6 != 0 || nCounts < T + 1)
    return fail(env, "routeRows: cut, ahead or target arrays of unequal lengths");
  for (size_t s = 0; s < T; s++) {
    const int32_t* t = targets + 6 * s;
    if (t[0] < 0 || static_cast<size_t>(t[0]) >= f) return fail(env, "routeRows: a target's feature out of range");
  }
  const int64_t firstKey = static_cast<int64_t>(nCut);
  const int64_t limit = 2 * (firstKey + static_cast<int64_t>(nAhead)) + 2;
  std::memset(counts, 0, (T + 1) * sizeof(int32_t));
  for (size_t r = 0; r < rows; r++) {
    int64_t id = node[r];
    for (int64_t steps = 0;; steps++) {
      if (steps > limit || id < 0 || (id >= firstKey && static_cast<size_t>(id) >= nAhead)) return fail(env, "routeRows: a malformed tree");
      if (id >= firstKey && alias[id] >= 0) {
        id = alias[id];
        continue;
      }
      const bool split = id < firstKey && cutFeature[id] >= 0;
      if (!split && static_cast<size_t>(id) >= nAhead) return fail(env, "routeRows: a malformed tree");
      const int32_t j = split ? cutFeature[id] : aheadFeature[id];
      if (j < 0) break;
      if (static_cast<size_t>(j) >= f) return fail(env, "routeRows: a cut's feature out of range");
      const int32_t b = bins[static_cast<size_t>(j) * rows + r];
      const bool left = b == valueBins[j] ? (split ? cutMissing[id] : aheadMissing[id]) == 1 : b <= (split ? cutBin[id] : aheadBin[id]);
      if (split) {
        if (static_cast<size_t>(id) >= nLeft || static_cast<size_t>(id) >= nRight) return fail(env, "routeRows: a malformed tree");
        id = left ? nodeLeft[id] : nodeRight[id];
      } else {
        id = left ? aheadLeft[id] : aheadRight[id];
      }
    }
    node[r] = static_cast<int32_t>(id);
    if (static_cast<size_t>(id) >= nSlot) return fail(env, "routeRows: a row's node has no slot");
    const int32_t s = slotOf[id];
    rowSlot[r] = -1;
    if (s < 0) continue;
    if (static_cast<size_t>(s) >= T) return fail(env, "routeRows: a slot out of range");
    const int32_t* t = targets + 6 * s;
    if (t[5]) {
      rowSlot[r] = -2 - s;
      continue;
    }
    const int32_t b = bins[static_cast<size_t>(t[0]) * rows + r];
    const int32_t left = b == t[3] ? t[2] : b <= t[1] ? 1 : 0;
    if (left != t[4]) continue;
    rowSlot[r] = s;
    counts[s + 1]++;
  }
  for (size_t s = 0; s < T; s++) counts[s + 1] += counts[s];
  // Each smaller child's rows in row order, their gradients gathered alongside.
  std::vector<int32_t> at(counts, counts + T);
  for (size_t r = 0; r < rows; r++) {
    const int32_t s = rowSlot[r];
    if (s < 0) continue;
    const int32_t p = at[s]++;
    idx[p] = static_cast<int32_t>(r);
    og[p] = g[r];
    if (!constant) oh[p] = h[r];
  }
  return nullptr;
}

// addRoute(feature, bin: Int32Array, missingLeft: Uint8Array, left, right: Int32Array, value: Float64Array (per node),
//          valueBins: Int32Array, codes: Uint8Array (feature-major), m, raw: Float64Array, offset)
// raw[offset + r] += value[the leaf row r's codes reach] for each of the m rows (streamed-boosting.ts,
// a tree's update of a chunk's raw scores by bin; its JavaScript twin walks routeRow). A child's id
// is above its parent's, so a step that does not go up is a malformed tree.
napi_value AddRoute(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  int32_t *feature, *bin, *left, *right, *valueBins;
  uint8_t *missingLeft, *codes;
  double *value, *raw;
  size_t nFeature, nBin, nMissing, nLeft, nRight, nValue, f, nCodes, nRaw;
  int64_t m, offset;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 11 || !typedArray(env, argv[0], napi_int32_array, &feature, &nFeature) ||
      !typedArray(env, argv[1], napi_int32_array, &bin, &nBin) || !typedArray(env, argv[2], napi_uint8_array, &missingLeft, &nMissing) ||
      !typedArray(env, argv[3], napi_int32_array, &left, &nLeft) || !typedArray(env, argv[4], napi_int32_array, &right, &nRight) ||
      !typedArray(env, argv[5], napi_float64_array, &value, &nValue) || !typedArray(env, argv[6], napi_int32_array, &valueBins, &f) ||
      !typedArray(env, argv[7], napi_uint8_array, &codes, &nCodes) || napi_get_value_int64(env, argv[8], &m) != napi_ok ||
      !typedArray(env, argv[9], napi_float64_array, &raw, &nRaw) || napi_get_value_int64(env, argv[10], &offset) != napi_ok)
    return fail(env, "addRoute needs feature, bin, missingLeft, left, right, value, valueBins, codes, m, raw and offset");
  const size_t nodes = nFeature;
  if (nodes == 0 || nBin < nodes || nMissing < nodes || nLeft < nodes || nRight < nodes || nValue < nodes) return fail(env, "addRoute: route arrays of unequal lengths");
  if (m < 0 || offset < 0 || static_cast<uint64_t>(m) * f > nCodes || static_cast<uint64_t>(offset + m) > nRaw) return fail(env, "addRoute: codes or raw scores shorter than the chunk");
  for (size_t id = 0; id < nodes; id++) {
    if (feature[id] < 0) continue;
    if (static_cast<size_t>(feature[id]) >= f || left[id] <= static_cast<int64_t>(id) || right[id] <= static_cast<int64_t>(id) || static_cast<size_t>(left[id]) >= nodes ||
        static_cast<size_t>(right[id]) >= nodes)
      return fail(env, "addRoute: a malformed tree");
  }
  const size_t rows = static_cast<size_t>(m);
  for (size_t r = 0; r < rows; r++) {
    int32_t id = 0;
    for (int32_t j = feature[id]; j >= 0; j = feature[id]) {
      const int32_t b = codes[static_cast<size_t>(j) * rows + r];
      const bool goLeft = b == valueBins[j] ? missingLeft[id] == 1 : b <= bin[id];
      id = goLeft ? left[id] : right[id];
    }
    raw[offset + r] += value[id];
  }
  return nullptr;
}

// multinomial(y: Float32Array, raw: Float64Array (class-major, k·n), k, g, h: Float32Array, gradients: boolean, out: Float64Array)
// Softmax cross-entropy over every row, as boosting-loss.ts's multinomial: per row the classes' raw
// scores less their max, exponentiated (V8's Math.exp) and summed in class order, each share the
// exponential over that sum; g = share − [class is the row's], h = share(1 − share) when `gradients`;
// Σ (max − the row's class's raw score) into out[0], and the sums (≥ 1) multiplied into a running
// product handed back for its logarithm whenever it passes 1e250, as `binomial` does.
napi_value Multinomial(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  float *y, *g, *h;
  double *raw, *out;
  size_t n, nRaw, nG, nH, nOut;
  int64_t k;
  bool gradients;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 7 || !typedArray(env, argv[0], napi_float32_array, &y, &n) ||
      !typedArray(env, argv[1], napi_float64_array, &raw, &nRaw) || napi_get_value_int64(env, argv[2], &k) != napi_ok ||
      !typedArray(env, argv[3], napi_float32_array, &g, &nG) || !typedArray(env, argv[4], napi_float32_array, &h, &nH) ||
      napi_get_value_bool(env, argv[5], &gradients) != napi_ok || !typedArray(env, argv[6], napi_float64_array, &out, &nOut) || nOut < 3)
    return fail(env, "multinomial needs y, raw, k, g, h, gradients and out (at least 3 values)");
  if (k < 1 || k > 65536 || nRaw < n * k || (gradients && (nG < n * k || nH < n * k))) return fail(env, "multinomial: raw scores or gradients shorter than k per target");
  for (size_t i = 0; i < n; i++) {
    const double label = y[i];
    if (!(label >= 0 && label < static_cast<double>(k)) || label != std::floor(label)) return fail(env, "multinomial: a class index out of range");
  }
  // Row i's softmax: its normaliser (≥ 1) and max − its class's raw score, the gradients when asked.
  auto row = [&](size_t i, std::vector<double>& e, double& total, double& term) {
    const size_t t = static_cast<size_t>(y[i]);
    double max = -INFINITY;
    for (int64_t c = 0; c < k; c++) max = raw[c * n + i] > max ? raw[c * n + i] : max;
    total = 0;
    for (int64_t c = 0; c < k; c++) total += e[c] = v8Exp(raw[c * n + i] - max);
    for (int64_t c = 0; c < k; c++) e[c] /= total;
    term = max - raw[t * n + i];
    if (gradients)
      for (int64_t c = 0; c < k; c++) {
        const double p = e[c];
        g[c * n + i] = static_cast<float>(static_cast<size_t>(c) == t ? p - 1 : p);
        h[c * n + i] = static_cast<float>(p * (1 - p));
      }
  };
  const int threads = n * k >= 2 * kRowBlock ? threadsArg(env, argc, argv, 7) : 1;
  double sum = 0;
  ProductLog logs{out, nOut};
  if (threads == 1) {
    std::vector<double> e(static_cast<size_t>(k));
    for (size_t i = 0; i < n; i++) {
      double total, term;
      row(i, e, total, term);
      if (!logs.add(total)) return fail(env, "multinomial: out too short for the products to log");
      sum += term;
    }
  } else {
    // Rows by blocks on the threads, a stretch at a time; the normalisers and terms summed here in
    // row order, as above.
    const size_t kept = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), kStretchRows));
    std::vector<double> totals(kept), terms(kept);
    for (size_t first = 0; first < n; first += kStretchRows) {
      const size_t stop = std::min<size_t>(n, first + kStretchRows);
      lathe::parallelBlocks(first, stop, threads, [&](int64_t, int64_t from, int64_t to) {
        std::vector<double> e(static_cast<size_t>(k));
        for (int64_t i = from; i < to; i++) row(i, e, totals[i - first], terms[i - first]);
      });
      for (size_t i = first; i < stop; i++) {
        if (!logs.add(totals[i - first])) return fail(env, "multinomial: out too short for the products to log");
        sum += terms[i - first];
      }
    }
  }
  logs.finish(sum);
  return nullptr;
}

}  // namespace

namespace lathe {

void defineBoostingSteps(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"rootSums", nullptr, RootSums, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"addLeaves", nullptr, AddLeaves, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"walkTree", nullptr, WalkTree, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binomial", nullptr, Binomial, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"multinomial", nullptr, Multinomial, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"edges", nullptr, Edges, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binColumn", nullptr, BinColumn, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"routeRows", nullptr, RouteRows, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"addRoute", nullptr, AddRoute, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
}

}  // namespace lathe
