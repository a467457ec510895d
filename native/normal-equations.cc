// The normal equations of linear_regression: Z'Z and Z'(y − ȳ) over the standardised float32
// feature columns Z (runtime/models/linear-regression.ts has the JavaScript twin, kept as the
// fallback when this module is not built).
//
// Why native code: a fit calls the sum once, so in JavaScript it mostly runs before V8 has
// optimised it (≈ 190 ms of CPU for 140k × 20 rows on the first fit of a process, 60 ms once warm);
// here it is ≈ 10 ms from the first call.
//
// Bit for bit equal to the JavaScript sum: rows are taken in the same blocks of 2,048; within a
// block every entry (j, l) has its own accumulator that starts at 0 and adds z_j·z_l row after row,
// and is then added to the entry — exactly the JavaScript's operations, in its order per entry.
// Vectors only hold four such accumulators side by side (lanes never mix; no FMA contraction), so
// the baseline (SSE2) and AVX2 copies give the same doubles.
#include "module.h"

#include <algorithm>
#include <cstdlib>

#include <cmath>
#include <cstdint>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <cstring>
#include <string>
#include <vector>

namespace {

using lathe::fail;
using lathe::typedArray;

constexpr int kBlock = 2048;  // linear-regression.ts BLOCK
typedef double v4 __attribute__((vector_size(32)));

inline v4 load4(const double* p) {
  v4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(double* p, v4 v) { std::memcpy(p, &v, sizeof v); }



// One tile of a block's Z'Z: the accumulators of entries (j0..j0+3) × (l0..l0+3), and with `Two`
// also × (l0+4..l0+7), held in registers over every row of the block (each still starts at 0 and
// adds z_j·z_l row after row), then stored in acc. The old loop loaded and stored each accumulator
// on every row; this reads a row's values once a tile: ≈ 3× fewer memory operations.
template <bool Two>
inline void tile(int stride, int rows, const double* z, int j0, int l0, double* acc) {
  v4 a0 = {}, a1 = {}, a2 = {}, a3 = {}, c0 = {}, c1 = {}, c2 = {}, c3 = {};
  for (int r = 0; r < rows; r++) {
    const double* zr = z + static_cast<size_t>(r) * stride;
    const v4 x = load4(zr + l0);
    const v4 b0 = v4{} + zr[j0], b1 = v4{} + zr[j0 + 1], b2 = v4{} + zr[j0 + 2], b3 = v4{} + zr[j0 + 3];
    a0 = a0 + b0 * x;
    a1 = a1 + b1 * x;
    a2 = a2 + b2 * x;
    a3 = a3 + b3 * x;
    if (Two) {
      const v4 w = load4(zr + l0 + 4);
      c0 = c0 + b0 * w;
      c1 = c1 + b1 * w;
      c2 = c2 + b2 * w;
      c3 = c3 + b3 * w;
    }
  }
  double* aj = acc + static_cast<size_t>(j0) * stride + l0;
  store4(aj, a0);
  store4(aj + stride, a1);
  store4(aj + 2 * stride, a2);
  store4(aj + 3 * stride, a3);
  if (Two) {
    store4(aj + 4, c0);
    store4(aj + stride + 4, c1);
    store4(aj + 2 * stride + 4, c2);
    store4(aj + 3 * stride + 4, c3);
  }
}

// Adds one block's Z'Z (lower triangle) and Z'(y − ȳ) to gram and rhs. z: the block standardised,
// row-major with `stride` (≥ d rounded up to 4) doubles a row, zero past d; acc: stride × stride
// scratch. Entry (j, l ≤ j)'s accumulator is acc[j·stride + l]; tiles of 4 rows j by 8 (or 4)
// columns l cover the lower triangle (their entries past it, and past d, are computed and dropped).
inline void block(int d, int stride, int rows, const double* z, const double* yc, double* acc, double* rhsAcc, double* gram, double* rhs) {
  for (int j0 = 0; j0 < d; j0 += 4) {
    int l0 = 0;
    for (; l0 + 4 <= j0; l0 += 8) tile<true>(stride, rows, z, j0, l0, acc);
    if (l0 <= j0) tile<false>(stride, rows, z, j0, l0, acc);
  }
  // Z'(y − ȳ) row by row: d sums side by side, each still in row order.
  for (int j = 0; j < d; j++) rhsAcc[j] = 0;
  for (int r = 0; r < rows; r++) {
    const double* zr = z + static_cast<size_t>(r) * stride;
    for (int j = 0; j < d; j++) rhsAcc[j] += zr[j] * yc[r];
  }
  for (int j = 0; j < d; j++) {
    for (int l = 0; l <= j; l++) gram[j * d + l] += acc[static_cast<size_t>(j) * stride + l];
    rhs[j] += rhsAcc[j];
  }
}

inline void normalEquations(int d, int64_t n, const float* const* cols, const float* y, const double* mean, const double* stdv, double yMean, double* gram, double* rhs) {
  const int stride = (d + 3) / 4 * 4;
  std::vector<double> z(static_cast<size_t>(kBlock) * stride, 0.0), yc(kBlock), acc(static_cast<size_t>(stride) * stride), rhsAcc(d);
  std::vector<double> inv(d);
  for (int j = 0; j < d; j++) inv[j] = 1 / stdv[j];
  for (int64_t start = 0; start < n; start += kBlock) {
    const int rows = static_cast<int>(std::min<int64_t>(kBlock, n - start));
    // Row by row: each row of z written whole (d column streams read in step), not d passes of strided stores.
    for (int r = 0; r < rows; r++) {
      double* zr = z.data() + static_cast<size_t>(r) * stride;
      for (int j = 0; j < d; j++) zr[j] = (static_cast<double>(cols[j][start + r]) - mean[j]) * inv[j];
    }
    for (int r = 0; r < rows; r++) yc[r] = static_cast<double>(y[start + r]) - yMean;
    block(d, stride, rows, z.data(), yc.data(), acc.data(), rhsAcc.data(), gram, rhs);
  }
  for (int j = 0; j < d; j++)
    for (int l = 0; l < j; l++) gram[l * d + j] = gram[j * d + l];
}

typedef void (*NormalFn)(int, int64_t, const float* const*, const float*, const double*, const double*, double, double*, double*);

__attribute__((flatten)) void normal_baseline(int d, int64_t n, const float* const* c, const float* y, const double* m, const double* s, double ym, double* g, double* r) {
  normalEquations(d, n, c, y, m, s, ym, g, r);
}
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"), flatten)) void normal_avx2(int d, int64_t n, const float* const* c, const float* y, const double* m, const double* s, double ym, double* g, double* r) {
  normalEquations(d, n, c, y, m, s, ym, g, r);
}
#endif

// The widest copy this CPU runs (lathe::useAvx2).
NormalFn pick() {
#if defined(__x86_64__) && defined(__GNUC__)
  if (lathe::useAvx2()) return normal_avx2;
#endif
  return normal_baseline;
}

// normalEquations(cols: Float32Array[], y: Float32Array, mean: Float64Array, std: Float64Array,
//                 yMean: number, gram: Float64Array (d×d, zeroed), rhs: Float64Array (d, zeroed))
napi_value NormalEquations(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 7) return fail(env, "normalEquations needs cols, y, mean, std, yMean, gram and rhs");
  bool isArray = false;
  uint32_t d = 0;
  if (napi_is_array(env, argv[0], &isArray) != napi_ok || !isArray || napi_get_array_length(env, argv[0], &d) != napi_ok || d == 0 || d > 100000)
    return fail(env, "normalEquations: cols must be a non-empty array of Float32Arrays");
  float* y;
  double *mean, *stdv, *gram, *rhs;
  size_t n, nMean, nStd, nGram, nRhs;
  double yMean;
  if (!typedArray(env, argv[1], napi_float32_array, &y, &n)) return fail(env, "normalEquations: y must be a Float32Array");
  if (!typedArray(env, argv[2], napi_float64_array, &mean, &nMean) || !typedArray(env, argv[3], napi_float64_array, &stdv, &nStd) || nMean != d || nStd != d)
    return fail(env, "normalEquations: mean and std must be Float64Arrays of one value per column");
  if (napi_get_value_double(env, argv[4], &yMean) != napi_ok) return fail(env, "normalEquations: yMean must be a number");
  if (!typedArray(env, argv[5], napi_float64_array, &gram, &nGram) || !typedArray(env, argv[6], napi_float64_array, &rhs, &nRhs) || nGram != static_cast<size_t>(d) * d || nRhs != d)
    return fail(env, "normalEquations: gram must be a d×d and rhs a d Float64Array");
  std::vector<const float*> cols;
  if (!lathe::floatColumns(env, argv[0], d, n, cols)) return fail(env, "normalEquations: every column must be a Float32Array of at least y's length");
  static const NormalFn fn = pick();
  fn(static_cast<int>(d), static_cast<int64_t>(n), cols.data(), y, mean, stdv, yMean, gram, rhs);
  return nullptr;
}

// moments(cols: Float32Array[], n, mean: Float64Array, std: Float64Array): per column the mean and the
// population standard deviation of its first n values — fitStandardizer's sums (standardizer.ts),
// one sequential float64 sum each, in row order, so the same doubles (the std ≤ 1e-12 → 1 rule stays
// in JavaScript).
napi_value Moments(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  bool isArray = false;
  uint32_t d = 0;
  int64_t n = 0;
  double *mean, *stdv;
  size_t nMean, nStd;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 4 || napi_is_array(env, argv[0], &isArray) != napi_ok || !isArray ||
      napi_get_array_length(env, argv[0], &d) != napi_ok || napi_get_value_int64(env, argv[1], &n) != napi_ok || n <= 0 ||
      !typedArray(env, argv[2], napi_float64_array, &mean, &nMean) || !typedArray(env, argv[3], napi_float64_array, &stdv, &nStd) || nMean != d || nStd != d)
    return fail(env, "moments needs cols, a row count n > 0 and mean and std Float64Arrays of one value per column");
  std::vector<const float*> cols;
  if (!lathe::floatColumns(env, argv[0], d, static_cast<size_t>(n), cols)) return fail(env, "moments: every column must be a Float32Array of at least n values");
  // Four columns at a time: each column's sum is still one sequential chain, but four chains run
  // side by side instead of each waiting on its own additions (≈ 3× faster, the same doubles).
  uint32_t j = 0;
  for (; j + 4 <= d; j += 4) {
    const float *c0 = cols[j], *c1 = cols[j + 1], *c2 = cols[j + 2], *c3 = cols[j + 3];
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int64_t i = 0; i < n; i++) {
      s0 += c0[i];
      s1 += c1[i];
      s2 += c2[i];
      s3 += c3[i];
    }
    const double m0 = s0 / static_cast<double>(n), m1 = s1 / static_cast<double>(n), m2 = s2 / static_cast<double>(n), m3 = s3 / static_cast<double>(n);
    double v0 = 0, v1 = 0, v2 = 0, v3 = 0;
    for (int64_t i = 0; i < n; i++) {
      v0 += (c0[i] - m0) * (c0[i] - m0);
      v1 += (c1[i] - m1) * (c1[i] - m1);
      v2 += (c2[i] - m2) * (c2[i] - m2);
      v3 += (c3[i] - m3) * (c3[i] - m3);
    }
    const double m[4] = {m0, m1, m2, m3}, v[4] = {v0, v1, v2, v3};
    for (int k = 0; k < 4; k++) {
      mean[j + k] = m[k];
      stdv[j + k] = std::sqrt(v[k] / static_cast<double>(n));
    }
  }
  for (; j < d; j++) {
    const float* c = cols[j];
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += c[i];
    const double m = s / static_cast<double>(n);
    double v = 0;
    for (int64_t i = 0; i < n; i++) v += (c[i] - m) * (c[i] - m);
    mean[j] = m;
    stdv[j] = std::sqrt(v / static_cast<double>(n));
  }
  return nullptr;
}

// firstNonFinite(cols: Float32Array[], n): the index of the first column whose first n values hold
// a NaN or an infinity, or −1 — what `hasNonFinite` (runtime/data/feature-check.ts) says of each
// column, for the read of a training set's features (≈ 1 ms where the JavaScript took 10–30 ms cold).
// A sum of finite float32 values stays finite in float64, so a non-finite sum means a bad value.
napi_value FirstNonFinite(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  bool isArray = false;
  uint32_t d = 0;
  int64_t n = 0;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 2 || napi_is_array(env, argv[0], &isArray) != napi_ok || !isArray ||
      napi_get_array_length(env, argv[0], &d) != napi_ok || napi_get_value_int64(env, argv[1], &n) != napi_ok || n < 0)
    return fail(env, "firstNonFinite needs cols and a row count n >= 0");
  std::vector<const float*> cols;
  if (!lathe::floatColumns(env, argv[0], d, static_cast<size_t>(n), cols)) return fail(env, "firstNonFinite: every column must be a Float32Array of at least n values");
  int32_t found = -1;
  for (uint32_t j = 0; j < d && found < 0; j++) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += cols[j][i];
      s1 += cols[j][i + 1];
      s2 += cols[j][i + 2];
      s3 += cols[j][i + 3];
    }
    for (; i < n; i++) s0 += cols[j][i];
    if (!std::isfinite(s0 + s1 + s2 + s3)) found = static_cast<int32_t>(j);
  }
  napi_value result;
  napi_create_int32(env, found, &result);
  return result;
}

// narrowInto(src: Uint8Array, dst: Float32Array, offset, n): dst[offset + i] = the double at src's
// bytes 8i..8i+7, rounded to nearest (±Infinity beyond a float's range), as a Float32Array's store
// rounds it — the copy of a DOUBLE column out of a DuckDB vector (runtime/data/database.ts), where
// TypedArray.prototype.set's conversion took ≈ 2.5 ns a value.
napi_value NarrowInto(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  uint8_t* src;
  float* dst;
  size_t srcLength, dstLength;
  int64_t offset = 0, n = 0;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 4 || !typedArray(env, argv[0], napi_uint8_array, &src, &srcLength) ||
      !typedArray(env, argv[1], napi_float32_array, &dst, &dstLength) || napi_get_value_int64(env, argv[2], &offset) != napi_ok ||
      napi_get_value_int64(env, argv[3], &n) != napi_ok || offset < 0 || n < 0 || srcLength < static_cast<size_t>(n) * 8 || dstLength < static_cast<size_t>(offset + n))
    return fail(env, "narrowInto needs a Uint8Array of n doubles, a Float32Array with room for n values at offset, offset and n");
  for (int64_t i = 0; i < n; i++) {
    double v;
    std::memcpy(&v, src + i * 8, sizeof v);
    dst[offset + i] = static_cast<float>(v);
  }
  return nullptr;
}

}  // namespace

namespace lathe {

// Gives the C library's free pages back to the system (glibc's malloc_trim; nothing elsewhere), after a
// collection freed large arrays. glibc keeps freed blocks below its mmap threshold, which it raises to
// the size of the largest block freed (a 560 KB column), so the columns and bins of a fit stayed in
// RSS after V8 freed them: 16–18 MB at the end of a 140k × 20 fit (bench/RESULTS.md).
napi_value TrimMemory(napi_env, napi_callback_info) {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
  return nullptr;
}

void defineNormalEquations(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"normalEquations", nullptr, NormalEquations, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"moments", nullptr, Moments, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"firstNonFinite", nullptr, FirstNonFinite, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"narrowInto", nullptr, NarrowInto, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"trimMemory", nullptr, TrimMemory, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
}

}  // namespace lathe
