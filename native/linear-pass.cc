// The data term of the penalised linear models (logistic_regression, the linear svm): one pass over
// blocks of rows gives each block's summed loss and gradient. The twin of passBlocksJs in
// runtime/models/linear-pass.ts, which says what is computed; this file does the same operations
// in the same order, so both give the same doubles bit for bit.
//
// Why native code: L-BFGS calls the pass a dozen times a fit, so in JavaScript most of those calls
// ran before V8 had optimised them (≈ 12 ms a pass warm, far more cold, at 140k × 20), and its
// exp/log1p are calls into V8's C++. Here a pass is a few milliseconds from the first call.
//
// Bit for bit: per row, the same additions in the same order as the JavaScript; vectors hold four
// rows (the loss) or nothing at all (sums run row after row in one accumulator per entry, as in
// JavaScript), lanes never mix, no FMA contraction (-ffp-contract=off). exp and log are the
// portable ones of runtime/models/portable-math.ts (+, −, ×, ÷ and exact scalings), not the C
// library's, which differ from V8's in the last bit now and then.
#include "module.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

using lathe::fail;
using lathe::typedArray;

constexpr int kBlockRows = 4096;  // linear-pass.ts BLOCK_ROWS
constexpr int kLogChunk = 32;     // linear-pass.ts LOG_CHUNK

// portable-math.ts's constants, written the same way.
constexpr double kLn2Hi = 0.6931467056274414;
constexpr double kLn2Lo = 4.7493250390316726e-7;
constexpr double kLn2 = 0.6931471805599453;
constexpr double kInvLn2 = 1.4426950408889634;
constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kRound = 6755399441055744.0;
constexpr double kExpMin = -708.0;

typedef double v4 __attribute__((vector_size(32)));
typedef long long i4 __attribute__((vector_size(32)));

inline v4 splat(double x) { return v4{x, x, x, x}; }

// expNonPositive: e^x for x ≤ 0, 0 below kExpMin, NaN stays NaN; four lanes.
inline v4 expNonPositive(v4 x) {
  const i4 ok = x >= kExpMin;
  const v4 xc = ok ? x : splat(0.0);
  const v4 k = xc * kInvLn2 + kRound - kRound;
  const v4 r = xc - k * kLn2Hi - k * kLn2Lo;
  const v4 p =
      1.0 + r * (1.0 + r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664 + r * (0.008333333333333333 + r * (0.001388888888888889 + r * (0.0001984126984126984 + r * (2.48015873015873e-5 + r * (2.7557319223985893e-6 + r * (2.755731922398589e-7 + r * (2.505210838544172e-8 + r * (2.08767569878681e-9 + r * 1.6059043836821613e-10))))))))))));
  // 2^k from its bits: k + 1023 lands in the low bits of kRound + 1023 + k (exact), shifted into the exponent.
  const v4 biased = k + (kRound + 1023.0);
  i4 bits;
  std::memcpy(&bits, &biased, sizeof bits);
  bits <<= 52;
  v4 scale;
  std::memcpy(&scale, &bits, sizeof scale);
  const v4 e = p * scale;
  return ok ? e : (x == x ? splat(0.0) : x);
}

// logNearOne: log m for m in [√2/2, √2]; T is double or v4 (the same operations either way).
template <typename T>
inline T logNearOne(T m) {
  const T f = m - 1.0;
  const T s = f / (2.0 + f);
  const T w = s * s;
  const T t = 2.0 * s;
  const T q = 0.3333333333333333 + w * (0.2 + w * (0.14285714285714285 + w * (0.1111111111111111 + w * (0.09090909090909091 + w * (0.07692307692307693 + w * (0.06666666666666667 + w * (0.058823529411764705 + w * (0.05263157894736842 + w * 0.047619047619047616))))))));
  return t + t * w * q;
}

// log1pUnit: log(1 + e) for e in [0, 1]; four lanes.
inline v4 log1pUnit(v4 e) {
  const v4 u = 1.0 + e;
  const v4 c = (e - (u - 1.0)) / u;
  const i4 big = u > kSqrt2;
  const v4 l = logNearOne(big ? u * 0.5 : u) + c;
  return big ? kLn2 + l : l;
}

// logAtLeastOne: log x for x ≥ 1, by exact halvings.
inline double logAtLeastOne(double x) {
  if (x == INFINITY) return x;
  double k = 0;
  while (x >= 18446744073709551616.0) {
    x *= 5.421010862427522e-20;
    k += 64;
  }
  while (x >= 2) {
    x *= 0.5;
    k++;
  }
  if (x > kSqrt2) {
    x *= 0.5;
    k++;
  }
  return k * kLn2Hi + (k * kLn2Lo + logNearOne(x));
}

// JavaScript's Math.max(a, b): NaN wins, +0 above −0.
inline double jsMax(double a, double b) {
  if (a != a || b != b) return NAN;
  if (a > b) return a;
  if (b > a) return b;
  return std::signbit(a) ? b : a;
}
inline v4 jsMax(v4 a, v4 b) {
  const v4 tie = ((i4)a < 0) ? b : a;
  const v4 m = a > b ? a : (b > a ? b : tie);
  return (a != a) ? a : ((b != b) ? b : m);
}

// JavaScript's Math.sign.
inline double jsSign(double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : x); }

// `v | 0` of a float label (ToInt32 for the values a label can hold).
inline int32_t toInt32(float v) {
  if (!std::isfinite(v)) return 0;
  const double t = std::trunc(static_cast<double>(v));
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<int64_t>(std::fmod(t, 4294967296.0))));
}

enum Loss { kLogistic = 0, kSoftmax = 1, kSquaredHinge = 2, kSquaredEpsilon = 3 };

struct Pass {
  int d, k, loss;
  int64_t n;
  const float* const* cols;
  const float* y;
  const double *mean, *scale, *w;
  double targetMean, targetScale, epsilon;
  double* out;
  double* s;  // k × kBlockRows scratch
};

inline v4 load4(const double* p) {
  v4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(double* p, v4 v) { std::memcpy(p, &v, sizeof v); }

// Four rows' values from position r of a block (lanes past `rows` read 0 and are dropped).
inline v4 rowsOf(const double* p, int r, int rows) {
  if (r + 4 <= rows) return load4(p + r);
  v4 v = splat(0.0);
  for (int q = 0; r + q < rows; q++) v[q] = p[r + q];
  return v;
}
inline v4 targetsOf(const float* y, int r, int rows) {
  v4 v = splat(0.0);
  for (int q = 0; q < 4 && r + q < rows; q++) v[q] = y[r + q];
  return v;
}
inline void storeRows(double* p, int r, int rows, v4 v) {
  if (r + 4 <= rows) return store4(p + r, v);
  for (int q = 0; r + q < rows; q++) p[r + q] = v[q];
}

// lossAndDerivative of linear-pass.ts.
inline double lossAndDerivative(const Pass& P, int64_t start, int rows) {
  double* s = P.s;
  const float* y = P.y + start;
  double loss = 0;
  if (P.loss == kLogistic) {
    const i4 signMask = {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX};
    for (int r = 0; r < rows; r += 4) {
      const v4 z = rowsOf(s, r, rows);
      const v4 t = targetsOf(y, r, rows);
      i4 bits;
      std::memcpy(&bits, &z, sizeof bits);
      bits &= signMask;
      v4 az;
      std::memcpy(&az, &bits, sizeof az);
      const v4 e = expNonPositive(-az);
      const v4 zPos = (z != z) ? z : (z > 0.0 ? z : splat(0.0));
      const v4 term = (zPos + log1pUnit(e)) - t * z;
      for (int q = 0; q < 4 && r + q < rows; q++) loss += term[q];
      const v4 den = 1.0 + e;
      storeRows(s, r, rows, (z >= 0 ? 1.0 / den : e / den) - t);
    }
  } else if (P.loss == kSoftmax) {
    const int k = P.k;
    double product = 1;
    for (int r = 0; r < rows; r += 4) {
      v4 max = splat(-INFINITY);
      for (int c = 0; c < k; c++) max = jsMax(max, rowsOf(s + c * kBlockRows, r, rows));
      v4 zLabel = splat(0.0), label = splat(-1.0);
      for (int q = 0; q < 4 && r + q < rows; q++) {
        const int32_t l = toInt32(y[r + q]);
        label[q] = l;
        zLabel[q] = l >= 0 && l < k ? s[l * kBlockRows + r + q] : NAN;
      }
      v4 sum = splat(0.0);
      for (int c = 0; c < k; c++) {
        const v4 e = expNonPositive(rowsOf(s + c * kBlockRows, r, rows) - max);
        storeRows(s + c * kBlockRows, r, rows, e);
        sum += e;
      }
      const v4 lead = max - zLabel;
      for (int q = 0; q < 4 && r + q < rows; q++) {
        loss += lead[q];
        product *= sum[q];
        if ((r + q + 1) % kLogChunk == 0) {
          loss += logAtLeastOne(product);
          product = 1;
        }
      }
      const v4 inv = 1.0 / sum;
      for (int c = 0; c < k; c++) {
        const v4 e = rowsOf(s + c * kBlockRows, r, rows);
        storeRows(s + c * kBlockRows, r, rows, e * inv - (label == static_cast<double>(c) ? splat(1.0) : splat(0.0)));
      }
    }
    loss += logAtLeastOne(product);
  } else if (P.loss == kSquaredHinge) {
    const int k = P.k;
    for (int c = 0; c < k; c++) {
      double* sc = s + c * kBlockRows;
      const double own = k == 1 ? 1 : c;
      for (int r = 0; r < rows; r++) {
        const double t = y[r] == own ? 1 : -1;
        const double slack = jsMax(0, 1 - t * sc[r]);
        loss += slack * slack;
        sc[r] = -2 * t * slack;
      }
    }
  } else {
    for (int r = 0; r < rows; r++) {
      const double residual = s[r] - (static_cast<double>(y[r]) - P.targetMean) * P.targetScale;
      const double excess = jsMax(0, std::fabs(residual) - P.epsilon);
      loss += excess * excess;
      s[r] = 2 * jsSign(residual) * excess;
    }
  }
  return loss;
}

// Four rows of four columns, standardised, as four row vectors (a 4×4 transpose).
inline void fourRows(const float* const* c, const double* m, int r, v4 out[4]) {
  v4 col[4];
  for (int f = 0; f < 4; f++) {
    float x[4];
    std::memcpy(x, c[f] + r, sizeof x);
    col[f] = v4{x[0], x[1], x[2], x[3]} - m[f];
  }
  const v4 t0 = __builtin_shufflevector(col[0], col[1], 0, 4, 2, 6), t1 = __builtin_shufflevector(col[0], col[1], 1, 5, 3, 7);
  const v4 t2 = __builtin_shufflevector(col[2], col[3], 0, 4, 2, 6), t3 = __builtin_shufflevector(col[2], col[3], 1, 5, 3, 7);
  out[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
  out[1] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
  out[2] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
  out[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

// The gradient of features j .. j + 4G − 1 for score column c (derivatives dz) over a block's rows:
// acc[g] lane f is feature j + 4g + f's Σ (x − mean) · dz, added row after row, then times its scale
// into o[(j + 4g + f) · k + c]. G groups side by side keep G independent chains of additions.
template <int G>
inline void backwardFours(const Pass& P, int j, int64_t start, int rows, const double* dz, double* o, int k, int c) {
  const float* cols[4 * G];
  for (int f = 0; f < 4 * G; f++) cols[f] = P.cols[j + f] + start;
  const double* m = P.mean + j;
  v4 acc[G];
  for (int g = 0; g < G; g++) acc[g] = splat(0.0);
  int r = 0;
  for (; r + 4 <= rows; r += 4) {
    for (int g = 0; g < G; g++) {
      v4 x[4];
      fourRows(cols + 4 * g, m + 4 * g, r, x);
      acc[g] = acc[g] + x[0] * dz[r];
      acc[g] = acc[g] + x[1] * dz[r + 1];
      acc[g] = acc[g] + x[2] * dz[r + 2];
      acc[g] = acc[g] + x[3] * dz[r + 3];
    }
  }
  for (; r < rows; r++)
    for (int g = 0; g < G; g++)
      for (int f = 0; f < 4; f++) acc[g][f] = acc[g][f] + (cols[4 * g + f][r] - m[4 * g + f]) * dz[r];
  for (int g = 0; g < G; g++)
    for (int f = 0; f < 4; f++) o[(j + 4 * g + f) * k + c] = acc[g][f] * P.scale[j + 4 * g + f];
}

// passBlocksJs of linear-pass.ts over blocks [from, to).
inline void passBlocks(const Pass& P, int64_t from, int64_t to) {
  const int d = P.d, k = P.k;
  const int64_t stride = 1 + static_cast<int64_t>(d + 1) * k;
  double* s = P.s;
  const double *mean = P.mean, *scale = P.scale, *w = P.w;
  const int grouped = k == 1 ? d - d % 4 : 0;
  for (int64_t b = from; b < to; b++) {
    const int64_t start = b * kBlockRows;
    const int rows = static_cast<int>(std::min<int64_t>(kBlockRows, P.n - start));
    for (int c = 0; c < k; c++) std::fill(s + c * kBlockRows, s + c * kBlockRows + rows, w[d * k + c]);
    for (int j = 0; j < grouped; j += 4) {
      const float *c0 = P.cols[j] + start, *c1 = P.cols[j + 1] + start, *c2 = P.cols[j + 2] + start, *c3 = P.cols[j + 3] + start;
      const double m0 = mean[j], m1 = mean[j + 1], m2 = mean[j + 2], m3 = mean[j + 3];
      const double a0 = scale[j] * w[j], a1 = scale[j + 1] * w[j + 1], a2 = scale[j + 2] * w[j + 2], a3 = scale[j + 3] * w[j + 3];
      for (int r = 0; r < rows; r++) s[r] += (c0[r] - m0) * a0 + (c1[r] - m1) * a1 + (c2[r] - m2) * a2 + (c3[r] - m3) * a3;
    }
    for (int j = grouped; j < d; j++) {
      const float* col = P.cols[j] + start;
      const double m = mean[j], sj = scale[j];
      for (int c = 0; c < k; c++) {
        double* sc = s + c * kBlockRows;
        const double a = sj * w[j * k + c];
        for (int r = 0; r < rows; r++) sc[r] += (col[r] - m) * a;
      }
    }
    double* o = P.out + b * stride;
    o[0] = lossAndDerivative(P, start, rows);
    for (int c = 0; c < k; c++) {
      const double* sc = s + c * kBlockRows;
      double g = 0;
      for (int r = 0; r < rows; r++) g += sc[r];
      o[1 + d * k + c] = g;
    }
    // Σ standardised x · dz per feature and class: four features at a time, row after row in one
    // accumulator per (feature, class) as in JavaScript (lanes hold features, never rows).
    const int four = d - d % 4;
    for (int c = 0; c < k; c++) {
      const double* dz = s + c * kBlockRows;
      int j = 0;
      for (; j + 16 <= four; j += 16) backwardFours<4>(P, j, start, rows, dz, o + 1, k, c);
      if (four - j == 12) backwardFours<3>(P, j, start, rows, dz, o + 1, k, c);
      else if (four - j == 8) backwardFours<2>(P, j, start, rows, dz, o + 1, k, c);
      else if (four - j == 4) backwardFours<1>(P, j, start, rows, dz, o + 1, k, c);
      for (j = four; j < d; j++) {
        const float* col = P.cols[j] + start;
        const double m = mean[j];
        double g = 0;
        for (int r = 0; r < rows; r++) g += (col[r] - m) * dz[r];
        o[1 + j * k + c] = g * scale[j];
      }
    }
  }
}

typedef void (*PassFn)(const Pass&, int64_t, int64_t);

__attribute__((flatten)) void pass_baseline(const Pass& P, int64_t from, int64_t to) { passBlocks(P, from, to); }
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"), flatten)) void pass_avx2(const Pass& P, int64_t from, int64_t to) { passBlocks(P, from, to); }
#endif

// The widest copy this CPU runs (lathe::useAvx2).
PassFn pick() {
#if defined(__x86_64__) && defined(__GNUC__)
  if (lathe::useAvx2()) return pass_avx2;
#endif
  return pass_baseline;
}

// linearPass(cols: Float32Array[], y: Float32Array, n, k, loss (0 logistic, 1 softmax, 2 squared
//   hinge, 3 squared epsilon-insensitive), mean: Float64Array, scale: Float64Array,
//   [targetMean, targetScale, epsilon]: Float64Array, w: Float64Array ((d+1)·k), from, to,
//   out: Float64Array (≥ to blocks × (1 + (d+1)·k)), scores: Float64Array (k × 4096))
napi_value LinearPass(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 13) return fail(env, "linearPass needs cols, y, n, k, loss, mean, scale, targets, w, from, to, out and scores");
  bool isArray = false;
  uint32_t d = 0;
  if (napi_is_array(env, argv[0], &isArray) != napi_ok || !isArray || napi_get_array_length(env, argv[0], &d) != napi_ok || d > 1000000)
    return fail(env, "linearPass: cols must be an array of Float32Arrays");
  Pass P{};
  P.d = static_cast<int>(d);
  float* y;
  size_t nY, nMean, nScale, nTargets, nW, nOut, nScores;
  int64_t n, k, loss, from, to;
  double *mean, *scale, *targets, *w, *out, *scores;
  if (!typedArray(env, argv[1], napi_float32_array, &y, &nY)) return fail(env, "linearPass: y must be a Float32Array");
  if (napi_get_value_int64(env, argv[2], &n) != napi_ok || n < 0 || static_cast<size_t>(n) > nY) return fail(env, "linearPass: n must be a row count no larger than y");
  if (napi_get_value_int64(env, argv[3], &k) != napi_ok || k < 1 || k > 1000000) return fail(env, "linearPass: k must be a positive count of score columns");
  if (napi_get_value_int64(env, argv[4], &loss) != napi_ok || loss < 0 || loss > 3) return fail(env, "linearPass: loss must be 0, 1, 2 or 3");
  if (!typedArray(env, argv[5], napi_float64_array, &mean, &nMean) || !typedArray(env, argv[6], napi_float64_array, &scale, &nScale) || nMean < d || nScale < d)
    return fail(env, "linearPass: mean and scale must be Float64Arrays of one value per column");
  if (!typedArray(env, argv[7], napi_float64_array, &targets, &nTargets) || nTargets < 3) return fail(env, "linearPass: targets must be a Float64Array [targetMean, targetScale, epsilon]");
  const size_t p = static_cast<size_t>(d + 1) * static_cast<size_t>(k);
  if (!typedArray(env, argv[8], napi_float64_array, &w, &nW) || nW < p) return fail(env, "linearPass: w must be a Float64Array of (d + 1) × k weights");
  const int64_t blocks = (n + kBlockRows - 1) / kBlockRows;
  if (napi_get_value_int64(env, argv[9], &from) != napi_ok || napi_get_value_int64(env, argv[10], &to) != napi_ok || from < 0 || to < from || to > blocks)
    return fail(env, "linearPass: from and to must be a range of the rows' blocks");
  if (!typedArray(env, argv[11], napi_float64_array, &out, &nOut) || nOut < static_cast<size_t>(to) * (1 + p)) return fail(env, "linearPass: out must hold 1 + (d + 1) × k values a block");
  if (!typedArray(env, argv[12], napi_float64_array, &scores, &nScores) || nScores < static_cast<size_t>(k) * kBlockRows) return fail(env, "linearPass: scores must hold k × 4096 values");
  std::vector<const float*> cols;
  if (!lathe::floatColumns(env, argv[0], d, static_cast<size_t>(n), cols)) return fail(env, "linearPass: every column must be a Float32Array of at least n values");
  P.k = static_cast<int>(k);
  P.loss = static_cast<int>(loss);
  P.n = n;
  P.cols = cols.data();
  P.y = y;
  P.mean = mean;
  P.scale = scale;
  P.w = w;
  P.targetMean = targets[0];
  P.targetScale = targets[1];
  P.epsilon = targets[2];
  P.out = out;
  P.s = scores;
  static const PassFn fn = pick();
  fn(P, from, to);
  return nullptr;
}

}  // namespace

namespace lathe {

void defineLinearPass(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"linearPass", nullptr, LinearPass, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
}

}  // namespace lathe
