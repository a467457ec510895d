// Mini-batch training of a multi-layer perceptron, the hot loop of runtime/models/neural-network.ts.
//
// Why native code: on TensorFlow.js's wasm backend one step of a (64, 32) MLP on a batch of 200
// costs ~1.3 ms, most of it per-op dispatch and scalar elementwise kernels; scikit-learn does the
// same step in ~0.5 ms. Here the whole step (gather, forward, loss, backward, L2, optimiser) is one
// call over float32 rows with SIMD row kernels: no allocation, no dispatch. bench/tf-models.mjs
// times this engine against both the tfjs path and scikit-learn.
//
// Numerics follow the TypeScript learner: float32 activations and weights, float64 loss, softmax and
// optimiser state. Summation order is fixed (no threads, no -ffast-math, no FMA contraction), so a
// seed reproduces a model bit for bit (see "Run-time dispatch" below for across CPUs).
#include <node_api.h>

#include "module.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

using lathe::fail;
using lathe::typedArray;

enum Activation { kRelu = 0, kTanh = 1, kSigmoid = 2 };
enum Optimizer { kAdam = 0, kSgd = 1 };

typedef float v8 __attribute__((vector_size(32)));

inline v8 load8(const float* p) {
  v8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store8(float* p, v8 v) { std::memcpy(p, &v, sizeof v); }

// One output row block: c[0..NB) = init + sum_k a[k*aStride] * b[k*bStride .. +NB).
// The accumulators stay in registers across k. Zero coefficients (ReLU outputs) are not skipped:
// they fall at random, and the mispredicted branch costs more than the multiply it saves.
template <int NB>
inline void rowBlock(int K, const float* a, long aStride, const float* b, long bStride, float* c, const float* init) {
  constexpr int V = NB / 8;
  v8 acc[V];
  for (int v = 0; v < V; v++) acc[v] = init ? load8(init + 8 * v) : v8{};
  for (int k = 0; k < K; k++) {
    const v8 sv = v8{} + a[k * aStride];
    const float* bk = b + k * bStride;
    for (int v = 0; v < V; v++) acc[v] += sv * load8(bk + 8 * v);
  }
  for (int v = 0; v < V; v++) store8(c + 8 * v, acc[v]);
}

// A row narrower than one vector (e.g. the two logits of a binary classifier). Four partial sums
// over k break the floating-point dependency chain that would otherwise bound the loop at one
// add per FMA latency; their order is fixed, so results stay deterministic.
template <int NB>
inline void rowNarrow(int K, const float* a, long aStride, const float* b, long bStride, float* c, const float* init) {
  float acc[4][NB] = {};
  int k = 0;
  for (; k + 4 <= K; k += 4) {
    for (int u = 0; u < 4; u++) {
      const float s = a[(k + u) * aStride];
      const float* bk = b + (k + u) * bStride;
      for (int o = 0; o < NB; o++) acc[u][o] += s * bk[o];
    }
  }
  for (; k < K; k++) {
    const float s = a[k * aStride];
    const float* bk = b + k * bStride;
    for (int o = 0; o < NB; o++) acc[0][o] += s * bk[o];
  }
  for (int o = 0; o < NB; o++) c[o] = (init ? init[o] : 0.0f) + ((acc[0][o] + acc[1][o]) + (acc[2][o] + acc[3][o]));
}

// A switch, not a table of function pointers: each dispatch variant below inlines (flattens) every
// kernel it calls, and an indirect call would leave the narrow kernels compiled for the baseline.
inline void narrow(int n, int K, const float* a, long aStride, const float* b, long bStride, float* c, const float* init) {
  switch (n) {
    case 1: return rowNarrow<1>(K, a, aStride, b, bStride, c, init);
    case 2: return rowNarrow<2>(K, a, aStride, b, bStride, c, init);
    case 3: return rowNarrow<3>(K, a, aStride, b, bStride, c, init);
    case 4: return rowNarrow<4>(K, a, aStride, b, bStride, c, init);
    case 5: return rowNarrow<5>(K, a, aStride, b, bStride, c, init);
    case 6: return rowNarrow<6>(K, a, aStride, b, bStride, c, init);
    default: return rowNarrow<7>(K, a, aStride, b, bStride, c, init);
  }
}

// C (M×N, row-major) = A·B (+ bias per column). A's element (r, k) is at a[r*ars + k*aks], so the
// same kernel computes X·W (ars = K, aks = 1) and Xᵀ·D (ars = 1, aks = row length). B is K×N row-major.
inline void gemm(int M, int N, int K, const float* a, long ars, long aks, const float* b, float* c, const float* bias) {
  for (int r = 0; r < M; r++) {
    const float* ar = a + r * ars;
    float* cr = c + static_cast<long>(r) * N;
    int n0 = 0;
    for (; n0 + 64 <= N; n0 += 64) rowBlock<64>(K, ar, aks, b + n0, N, cr + n0, bias ? bias + n0 : nullptr);
    for (; n0 + 32 <= N; n0 += 32) rowBlock<32>(K, ar, aks, b + n0, N, cr + n0, bias ? bias + n0 : nullptr);
    for (; n0 + 8 <= N; n0 += 8) rowBlock<8>(K, ar, aks, b + n0, N, cr + n0, bias ? bias + n0 : nullptr);
    if (n0 < N) narrow(N - n0, K, ar, aks, b + n0, N, cr + n0, bias ? bias + n0 : nullptr);
  }
}

// A small fast PRNG for dropout masks (xorshift32 behind a splitmix-style seed scramble): the mask
// stream is a pure function of the seed the caller draws from the run's generator.
struct Rng {
  uint32_t s;
  explicit Rng(uint32_t seed) {
    uint32_t z = seed + 0x9e3779b9u;
    z = (z ^ (z >> 16)) * 0x85ebca6bu;
    z = (z ^ (z >> 13)) * 0xc2b2ae35u;
    s = (z ^ (z >> 16)) | 1u;
  }
  double next() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s / 4294967296.0;
  }
};

struct Mlp {
  int L = 0;                 // number of weight layers
  std::vector<int> sizes;    // L + 1 widths: inputs, hidden..., outputs
  int activation = kRelu;
  bool regression = false;
  double dropout = 0, learningRate = 0.001, momentum = 0.9, l2 = 0, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  int optimizer = kAdam;
  int batch = 200;
  long step = 0;
  // Parameters in blocks [W0, b0, W1, b1, ...], Wl row-major sizes[l]×sizes[l+1]; gradients and
  // optimiser moments in the same layout.
  std::vector<std::vector<float>> params, grads;
  std::vector<std::vector<double>> moment1, moment2;
  std::vector<std::vector<float>> transposed;  // Wlᵀ, refreshed each step for the backward product
  // Scratch, sized for one batch.
  std::vector<float> xb;
  std::vector<std::vector<float>> act, masked, mask;
  std::vector<float> delta, back;
  std::vector<float> dz;

  const float* input(int l) const {
    if (l == 0) return xb.data();
    return dropout > 0 ? masked[l - 1].data() : act[l - 1].data();
  }

  void allocate(int rows) {
    xb.assign(static_cast<size_t>(rows) * sizes[0], 0.0f);
    act.resize(L);
    masked.resize(L);
    mask.resize(L);
    int widest = 0;
    for (int l = 0; l < L; l++) {
      act[l].assign(static_cast<size_t>(rows) * sizes[l + 1], 0.0f);
      if (dropout > 0 && l < L - 1) {
        masked[l].assign(act[l].size(), 0.0f);
        mask[l].assign(act[l].size(), 0.0f);
      }
      widest = std::max(widest, sizes[l + 1]);
    }
    delta.assign(static_cast<size_t>(rows) * widest, 0.0f);
    back.assign(static_cast<size_t>(rows) * widest, 0.0f);
    dz.assign(static_cast<size_t>(rows) * sizes[L], 0.0f);
  }

  // Forward pass over m rows already in xb; `rng` draws dropout masks when training.
  void forward(int m, Rng* rng) {
    for (int l = 0; l < L; l++) {
      const int I = sizes[l], O = sizes[l + 1];
      float* __restrict out = act[l].data();
      gemm(m, O, I, input(l), I, 1, params[2 * l].data(), out, params[2 * l + 1].data());
      if (l == L - 1) break;
      const long count = static_cast<long>(m) * O;
      if (activation == kRelu) {
        for (long i = 0; i < count; i++) out[i] = out[i] > 0.0f ? out[i] : 0.0f;
      } else if (activation == kTanh) {
        for (long i = 0; i < count; i++) out[i] = std::tanh(out[i]);
      } else {
        for (long i = 0; i < count; i++) out[i] = 1.0f / (1.0f + std::exp(-out[i]));
      }
      if (rng && dropout > 0) {
        const float keep = static_cast<float>(1.0 / (1.0 - dropout));
        float* __restrict mk = mask[l].data();
        float* __restrict mo = masked[l].data();
        for (long i = 0; i < count; i++) {
          mk[i] = rng->next() < dropout ? 0.0f : keep;
          mo[i] = out[i] * mk[i];
        }
      } else if (dropout > 0) {
        std::memcpy(masked[l].data(), out, count * sizeof(float));
      }
    }
  }

  // Mean data loss of the output rows against targets; with `gradient`, dL/dz into dz.
  double loss(int m, const float* targets, bool gradient) {
    const int K = sizes[L];
    const float* z = act[L - 1].data();
    double total = 0;
    if (regression) {
      for (int i = 0; i < m; i++) {
        const double r = static_cast<double>(z[i]) - targets[i];
        total += r * r;
        if (gradient) dz[i] = static_cast<float>(2 * r / m);
      }
      return total / m;
    }
    for (int i = 0; i < m; i++) {
      const float* zi = z + static_cast<long>(i) * K;
      double max = -INFINITY;
      for (int c = 0; c < K; c++) max = std::max(max, static_cast<double>(zi[c]));
      double sum = 0;
      for (int c = 0; c < K; c++) sum += std::exp(zi[c] - max);
      const int label = static_cast<int>(targets[i]);
      total += std::log(sum) - (zi[label] - max);
      if (gradient) {
        for (int c = 0; c < K; c++) dz[static_cast<long>(i) * K + c] = static_cast<float>((std::exp(zi[c] - max) / sum - (c == label ? 1 : 0)) / m);
      }
    }
    return total / m;
  }

  void backward(int m) {
    const float* d = dz.data();
    for (int l = L - 1; l >= 0; l--) {
      const int I = sizes[l], O = sizes[l + 1];
      // dW = inputᵀ·δ, db = column sums of δ.
      gemm(I, O, m, input(l), 1, I, d, grads[2 * l].data(), nullptr);
      float* __restrict gb = grads[2 * l + 1].data();
      for (int o = 0; o < O; o++) gb[o] = 0.0f;
      for (int i = 0; i < m; i++) {
        const float* di = d + static_cast<long>(i) * O;
        for (int o = 0; o < O; o++) gb[o] += di[o];
      }
      if (l == 0) break;
      // δ for the layer below: (δ·Wᵀ) ⊙ mask ⊙ f'(a).
      const float* w = params[2 * l].data();
      float* wt = transposed[l].data();
      for (int i = 0; i < I; i++)
        for (int o = 0; o < O; o++) wt[static_cast<long>(o) * I + i] = w[static_cast<long>(i) * O + o];
      gemm(m, I, O, d, O, 1, wt, back.data(), nullptr);
      const float* __restrict a = act[l - 1].data();
      float* __restrict bk = back.data();
      float* __restrict dl = delta.data();
      const long count = static_cast<long>(m) * I;
      if (dropout > 0) {
        const float* __restrict mk = mask[l - 1].data();
        for (long i = 0; i < count; i++) bk[i] *= mk[i];
      }
      if (activation == kRelu) {
        for (long i = 0; i < count; i++) dl[i] = a[i] > 0.0f ? bk[i] : 0.0f;
      } else if (activation == kTanh) {
        for (long i = 0; i < count; i++) dl[i] = bk[i] * (1.0f - a[i] * a[i]);
      } else {
        for (long i = 0; i < count; i++) dl[i] = bk[i] * (a[i] * (1.0f - a[i]));
      }
      // The next layer down reads δ from `delta` and writes δ·Wᵀ into `back`: no aliasing.
      d = delta.data();
    }
  }

  // L2 penalty (sklearn's alpha: l2/(2m)·‖W‖² on weights) into the gradients; returns its loss.
  double penalty(int m) {
    if (l2 <= 0) return 0;
    double total = 0;
    const double scale = l2 / m;
    for (int l = 0; l < L; l++) {
      const float* __restrict w = params[2 * l].data();
      float* __restrict g = grads[2 * l].data();
      const size_t n = params[2 * l].size();
      // Four partial sums (fixed order) instead of one serial chain of dependent adds.
      double sq[4] = {0, 0, 0, 0};
      size_t i = 0;
      for (; i + 4 <= n; i += 4)
        for (int u = 0; u < 4; u++) sq[u] += static_cast<double>(w[i + u]) * w[i + u];
      for (; i < n; i++) sq[0] += static_cast<double>(w[i]) * w[i];
      for (i = 0; i < n; i++) g[i] = static_cast<float>(g[i] + scale * w[i]);
      total += l2 / (2.0 * m) * ((sq[0] + sq[1]) + (sq[2] + sq[3]));
    }
    return total;
  }

  void update() {
    step++;
    if (optimizer == kAdam) {
      const double rate = learningRate * std::sqrt(1 - std::pow(beta2, step)) / (1 - std::pow(beta1, step));
      for (size_t k = 0; k < params.size(); k++) {
        float* __restrict p = params[k].data();
        const float* __restrict g = grads[k].data();
        double* __restrict m1 = moment1[k].data();
        double* __restrict m2 = moment2[k].data();
        const size_t n = params[k].size();
        for (size_t i = 0; i < n; i++) {
          m1[i] = beta1 * m1[i] + (1 - beta1) * g[i];
          m2[i] = beta2 * m2[i] + (1 - beta2) * static_cast<double>(g[i]) * g[i];
          p[i] = static_cast<float>(p[i] - rate * m1[i] / (std::sqrt(m2[i]) + epsilon));
        }
      }
    } else {
      for (size_t k = 0; k < params.size(); k++) {
        float* __restrict p = params[k].data();
        const float* __restrict g = grads[k].data();
        double* __restrict v = moment1[k].data();
        const size_t n = params[k].size();
        for (size_t i = 0; i < n; i++) {
          v[i] = momentum * v[i] - learningRate * g[i];
          p[i] = static_cast<float>(p[i] + momentum * v[i] - learningRate * g[i]);
        }
      }
    }
  }
};

// Trains on the mini-batches of rows order[from..to); returns Σ batch loss (incl. L2) × batch rows.
inline double trainRange(Mlp& mlp, const float* rows, const float* targets, const uint32_t* order, int64_t from, int64_t to, uint32_t seed) {
  const int d = mlp.sizes[0];
  Rng rng(seed);
  std::vector<float> batchTargets(mlp.batch);
  double total = 0;
  for (int64_t start = from; start < to; start += mlp.batch) {
    const int m = static_cast<int>(std::min<int64_t>(mlp.batch, to - start));
    for (int i = 0; i < m; i++) {
      const uint32_t r = order[start + i];
      std::memcpy(mlp.xb.data() + static_cast<long>(i) * d, rows + static_cast<long>(r) * d, d * sizeof(float));
      batchTargets[i] = targets[r];
    }
    mlp.forward(m, &rng);
    double loss = mlp.loss(m, batchTargets.data(), true);
    mlp.backward(m);
    loss += mlp.penalty(m);
    mlp.update();
    total += loss * m;
  }
  return total;
}

// Mean data loss over n rows, without dropout or penalty.
inline double meanLoss(Mlp& mlp, const float* rows, const float* targets, size_t n) {
  const int d = mlp.sizes[0];
  double total = 0;
  for (size_t start = 0; start < n; start += mlp.batch) {
    const int m = static_cast<int>(std::min<size_t>(mlp.batch, n - start));
    std::memcpy(mlp.xb.data(), rows + start * d, static_cast<size_t>(m) * d * sizeof(float));
    mlp.forward(m, nullptr);
    total += mlp.loss(m, targets + start, false) * m;
  }
  return total / n;
}

// ---- Run-time dispatch ------------------------------------------------------------------------
//
// The module is built for the architecture's baseline (x86-64: SSE2), so a build copied to another
// machine (a Docker layer, a CI cache, the npm package) never meets an instruction its CPU lacks. The
// two entry points are compiled again for AVX2 with a `target` attribute; `flatten` inlines the whole
// step (gemm, activations, optimiser) into each copy, so every kernel is compiled for that target.
// The widest variant the CPU supports is chosen once at load (`__builtin_cpu_supports` also checks
// that the OS saves the wider registers). Built with -ffp-contract=off, every variant performs the
// same IEEE operations in the same order — wider vectors only do more lanes at once — so a seed gives
// the same weights bit for bit on every x86-64 CPU (test/runtime/models/mlp-native.test.ts checks
// each variant this CPU runs against the baseline). The C library's exp/log/tanh are outside this
// promise: glibc picks their code by CPU too.

typedef double (*TrainFn)(Mlp&, const float*, const float*, const uint32_t*, int64_t, int64_t, uint32_t);
typedef double (*LossFn)(Mlp&, const float*, const float*, size_t);

#define LATHE_VARIANT(ID, ATTRS)                                                                                                            \
  ATTRS __attribute__((flatten)) double train_##ID(Mlp& m, const float* r, const float* t, const uint32_t* o, int64_t f, int64_t e, uint32_t s) { \
    return trainRange(m, r, t, o, f, e, s);                                                                                               \
  }                                                                                                                                       \
  ATTRS __attribute__((flatten)) double loss_##ID(Mlp& m, const float* r, const float* t, size_t n) { return meanLoss(m, r, t, n); }

LATHE_VARIANT(baseline, )
#if defined(__x86_64__) && defined(__GNUC__)
LATHE_VARIANT(avx2, __attribute__((target("avx2"))))
#endif

struct Variant {
  const char* name;
  TrainFn train;
  LossFn loss;
  bool (*supported)();
};

const Variant variants[] = {
#if defined(__x86_64__) && defined(__GNUC__)
    // AVX2 (x86 CPUs from 2013 on). No AVX-512 variant: with 256-bit row kernels and no FMA it
    // measured slower than this one (bench/RESULTS.md, "Native MLP: portable build").
    {"avx2", train_avx2, loss_avx2, []() -> bool { return __builtin_cpu_supports("avx2") != 0; }},
    {"x86-64", train_baseline, loss_baseline, [] { return true; }},
#else
    {"baseline", train_baseline, loss_baseline, [] { return true; }},
#endif
};
constexpr int kVariants = sizeof variants / sizeof variants[0];

const Variant* active = nullptr;

// The widest variant this CPU supports.
const Variant* bestVariant() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
#endif
  for (const Variant& v : variants)
    if (v.supported()) return &v;
  return &variants[kVariants - 1];
}

// ---- N-API glue -------------------------------------------------------------------------------

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, nullptr, "lathe-native: " #call " failed"); \
      return nullptr;                                                   \
    }                                                                   \
  } while (0)



// The network a call is about (its first argument) and its other arguments; null, with a JS error
// thrown, when the call has too few arguments or the first is not a network.
Mlp* callArgs(napi_env env, napi_callback_info info, size_t want, napi_value* argv, const char* usage) {
  size_t argc = want;
  void* p = nullptr;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < want || napi_get_value_external(env, argv[0], &p) != napi_ok || !p) {
    fail(env, usage);
    return nullptr;
  }
  return static_cast<Mlp*>(p);
}

// create(sizes: Int32Array, config: Float64Array, blocks: Float32Array[]) → handle
// config: [activation, regression, dropout, optimizer, learningRate, momentum, l2, beta1, beta2, epsilon, batch]
napi_value Create(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc < 3) return fail(env, "create needs sizes, config and blocks");
  int32_t* sizes;
  double* config;
  size_t nSizes, nConfig;
  if (!typedArray(env, argv[0], napi_int32_array, &sizes, &nSizes) || nSizes < 2) return fail(env, "sizes must be an Int32Array of at least 2 widths");
  if (!typedArray(env, argv[1], napi_float64_array, &config, &nConfig) || nConfig < 11) return fail(env, "config must be a Float64Array of 11 values");
  auto* mlp = new Mlp();
  mlp->L = static_cast<int>(nSizes) - 1;
  mlp->sizes.assign(sizes, sizes + nSizes);
  mlp->activation = static_cast<int>(config[0]);
  mlp->regression = config[1] != 0;
  mlp->dropout = config[2];
  mlp->optimizer = static_cast<int>(config[3]);
  mlp->learningRate = config[4];
  mlp->momentum = config[5];
  mlp->l2 = config[6];
  mlp->beta1 = config[7];
  mlp->beta2 = config[8];
  mlp->epsilon = config[9];
  mlp->batch = static_cast<int>(config[10]);
  uint32_t nBlocks = 0;
  CHECK(napi_get_array_length(env, argv[2], &nBlocks));
  if (static_cast<int>(nBlocks) != 2 * mlp->L) {
    delete mlp;
    return fail(env, "blocks must hold a weight matrix and a bias per layer");
  }
  for (int l = 0; l < mlp->L; l++) {
    for (int part = 0; part < 2; part++) {
      napi_value block;
      CHECK(napi_get_element(env, argv[2], 2 * l + part, &block));
      float* data;
      size_t length;
      const size_t want = part == 0 ? static_cast<size_t>(mlp->sizes[l]) * mlp->sizes[l + 1] : mlp->sizes[l + 1];
      if (!typedArray(env, block, napi_float32_array, &data, &length) || length != want) {
        delete mlp;
        return fail(env, "a parameter block has the wrong type or size");
      }
      mlp->params.emplace_back(data, data + length);
      mlp->grads.emplace_back(length, 0.0f);
      mlp->moment1.emplace_back(length, 0.0);
      mlp->moment2.emplace_back(mlp->optimizer == kAdam ? length : 0, 0.0);
    }
    mlp->transposed.emplace_back(static_cast<size_t>(mlp->sizes[l]) * mlp->sizes[l + 1], 0.0f);
  }
  mlp->allocate(mlp->batch);
  napi_value handle;
  CHECK(napi_create_external(
      env, mlp, [](napi_env, void* data, void*) { delete static_cast<Mlp*>(data); }, nullptr, &handle));
  return handle;
}

// train(handle, rows: Float32Array, targets: Float32Array, order: Uint32Array, from, to, seed)
// → sum over the mini-batches of rows order[from..to) of (batch loss incl. L2) × batch rows.
napi_value Train(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  Mlp* mlp = callArgs(env, info, 7, argv, "train needs a network, rows, targets, order, from, to and a seed");
  if (!mlp) return nullptr;
  float *rows, *targets;
  uint32_t* order;
  size_t nRows, nTargets, nOrder;
  if (!typedArray(env, argv[1], napi_float32_array, &rows, &nRows)) return fail(env, "rows must be a Float32Array");
  if (!typedArray(env, argv[2], napi_float32_array, &targets, &nTargets)) return fail(env, "targets must be a Float32Array");
  if (!typedArray(env, argv[3], napi_uint32_array, &order, &nOrder)) return fail(env, "order must be a Uint32Array");
  int64_t from, to;
  uint32_t seed;
  CHECK(napi_get_value_int64(env, argv[4], &from));
  CHECK(napi_get_value_int64(env, argv[5], &to));
  CHECK(napi_get_value_uint32(env, argv[6], &seed));
  const int d = mlp->sizes[0];
  if (nRows != nTargets * d || from < 0 || to > static_cast<int64_t>(nOrder) || from > to) return fail(env, "train: inconsistent sizes");
  for (int64_t i = from; i < to; i++)
    if (order[i] >= nTargets) return fail(env, "train: row index out of range");
  const double total = active->train(*mlp, rows, targets, order, from, to, seed);
  napi_value result;
  CHECK(napi_create_double(env, total, &result));
  return result;
}

// loss(handle, rows: Float32Array, targets: Float32Array) → mean data loss (no penalty, no dropout).
napi_value Loss(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Mlp* mlp = callArgs(env, info, 3, argv, "loss needs a network, rows and targets");
  if (!mlp) return nullptr;
  float *rows, *targets;
  size_t nRows, nTargets;
  if (!typedArray(env, argv[1], napi_float32_array, &rows, &nRows) || !typedArray(env, argv[2], napi_float32_array, &targets, &nTargets)) return fail(env, "rows and targets must be Float32Arrays");
  const int d = mlp->sizes[0];
  if (nRows != nTargets * d || nTargets == 0) return fail(env, "loss: inconsistent sizes");
  const double mean = active->loss(*mlp, rows, targets, nTargets);
  napi_value result;
  CHECK(napi_create_double(env, mean, &result));
  return result;
}

// params(handle, out: Float32Array[]) copies the current parameter blocks out.
napi_value Params(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Mlp* mlp = callArgs(env, info, 2, argv, "params needs a network and blocks");
  if (!mlp) return nullptr;
  for (size_t k = 0; k < mlp->params.size(); k++) {
    napi_value block;
    CHECK(napi_get_element(env, argv[1], static_cast<uint32_t>(k), &block));
    float* data;
    size_t length;
    if (!typedArray(env, block, napi_float32_array, &data, &length) || length != mlp->params[k].size()) return fail(env, "params: a block has the wrong type or size");
    std::memcpy(data, mlp->params[k].data(), length * sizeof(float));
  }
  return nullptr;
}

#ifndef LATHE_FLAGS
#define LATHE_FLAGS "unknown"
#endif
#if defined(__clang__)
#define LATHE_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define LATHE_COMPILER "gcc " __VERSION__
#else
#define LATHE_COMPILER "unknown"
#endif

napi_value stringValue(napi_env env, const char* s) {
  napi_value v;
  return napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) == napi_ok ? v : nullptr;
}

// info() → { variant, variants: names this CPU can run (widest first), compiler, flags }: what a run
// records, so a result that differs on another machine says which code produced each.
napi_value Info(napi_env env, napi_callback_info) {
  napi_value out, list;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_array(env, &list));
  uint32_t n = 0;
  for (const Variant& v : variants)
    if (v.supported()) CHECK(napi_set_element(env, list, n++, stringValue(env, v.name)));
  CHECK(napi_set_named_property(env, out, "variant", stringValue(env, active->name)));
  CHECK(napi_set_named_property(env, out, "variants", list));
  CHECK(napi_set_named_property(env, out, "compiler", stringValue(env, LATHE_COMPILER)));
  CHECK(napi_set_named_property(env, out, "flags", stringValue(env, LATHE_FLAGS)));
  return out;
}

// select(name) → whether the variant exists and this CPU runs it; it then serves every network.
napi_value Select(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  char name[32] = {0};
  size_t length = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &length) != napi_ok) return fail(env, "select needs a variant name");
  bool found = false;
  for (const Variant& v : variants) {
    if (std::strcmp(v.name, name) == 0 && v.supported()) {
      active = &v;
      found = true;
    }
  }
  napi_value result;
  CHECK(napi_get_boolean(env, found, &result));
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"create", nullptr, Create, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"train", nullptr, Train, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"loss", nullptr, Loss, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"params", nullptr, Params, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"select", nullptr, Select, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  // Once per process: a worker thread loading the module (gradient boosting's histogram threads) must
  // not undo a variant the main thread selected.
  if (!active) active = bestVariant();
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
  lathe::defineHistograms(env, exports);
  lathe::defineBoostingSteps(env, exports);
  lathe::defineNormalEquations(env, exports);
  lathe::defineLinearPass(env, exports);
  lathe::defineDuckdbAllocator(env, exports);
  lathe::defineColumnRead(env, exports);
  lathe::defineRepeatedKeys(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
