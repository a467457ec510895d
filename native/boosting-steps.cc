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

#include <cstdint>

namespace {

using lathe::fail;
using lathe::typedArray;

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
  size_t argc = 4;
  napi_value argv[4];
  int32_t *idx, *bounds;
  double *raw, *values;
  size_t nIdx, nRaw, nBounds, nValues;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 4 || !typedArray(env, argv[0], napi_int32_array, &idx, &nIdx) ||
      !typedArray(env, argv[1], napi_float64_array, &raw, &nRaw) || !typedArray(env, argv[2], napi_int32_array, &bounds, &nBounds) ||
      !typedArray(env, argv[3], napi_float64_array, &values, &nValues) || nBounds != 2 * nValues)
    return fail(env, "addLeaves needs idx, raw, bounds (a start and an end per leaf) and values (one per leaf)");
  for (size_t l = 0; l < nValues; l++) {
    const int64_t start = bounds[2 * l], end = bounds[2 * l + 1];
    if (start < 0 || start > end || static_cast<uint64_t>(end) > nIdx) return fail(env, "addLeaves: a leaf's rows out of range");
  }
  uint32_t bad = 0;
  for (size_t l = 0; l < nValues; l++) {
    const double v = values[l];
    for (int64_t p = bounds[2 * l]; p < bounds[2 * l + 1]; p++) {
      const uint32_t i = static_cast<uint32_t>(idx[p]);
      const uint32_t over = i >= nRaw;
      bad |= over;
      if (!over) raw[i] += v;
    }
  }
  if (bad) return fail(env, "addLeaves: a row index out of range");
  return nullptr;
}

// walkTree(nodes: Int32Array (packed-forest slots; thresholds are the same memory as float32), missingLeft: Uint8Array,
//          root, values: Float64Array, k, block: Float32Array, rows, stride, sum: Float64Array, out)
// Adds one packed tree's leaf outputs for each row of a row-major block (runtime/models/scoring/
// packed-forest.ts walk/walkWithMissing): left when x <= threshold, or x is NaN and the node sends
// missing left; sum[out + r·k + c] += values[leaf + c]. A packed tree lists a node before its
// children (preorder), so a step that does not move forward is a malformed tree: it throws
// instead of looping.
napi_value WalkTree(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
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
  const float* F = reinterpret_cast<const float*>(I);
  const int64_t slots = static_cast<int64_t>(nI);
  for (int64_t r = 0; r < rows; r++) {
    const float* x = X + r * stride;
    int64_t p = root;
    while (I[p] != 0) {
      const int64_t j = I[p];
      if (j < 0 || j >= stride) return fail(env, "walkTree: a node's feature out of range");
      const float v = x[j];
      const bool left = v <= F[p + 1] || (v != v && M[p >> 2] != 0);
      const int64_t next = I[p + (left ? 2 : 3)];
      if (next <= p || next >= slots || next % 4 != 0) return fail(env, "walkTree: a malformed tree");
      p = next;
    }
    const int64_t o = I[p + 1];
    if (o < 0 || static_cast<uint64_t>(o + k) > nV) return fail(env, "walkTree: a leaf's values out of range");
    for (int64_t c = 0; c < k; c++) sum[out + r * k + c] += V[o + c];
  }
  return nullptr;
}

}  // namespace

namespace lathe {

void defineBoostingSteps(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"rootSums", nullptr, RootSums, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"addLeaves", nullptr, AddLeaves, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"walkTree", nullptr, WalkTree, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
}

}  // namespace lathe
