import { throwIfAborted, yieldToEventLoop } from "./abort.js";
import { adam, sgd } from "./gradient-optimizer.js";
import { argmaxRows } from "./linear-scores.js";
import { booleanParam, choiceParam, numberParam, sizesParam } from "./params.js";
import { SeededRandom } from "./seeded-random.js";
import { fitStandardizer, standardizedRows, targetScale, type Standardizer } from "./standardizer.js";
import { initBackend, tf } from "./tf-backend.js";
import type { HistoryPoint, Learner, Matrix, ParamValue, SerializedModel, TrainedModel, TrainInput } from "./types.js";

type Activation = "relu" | "tanh" | "sigmoid";

interface DenseLayer {
  inputs: number;
  outputs: number;
  /** inputs×outputs row-major. */
  weights: number[];
  bias: number[];
}

interface MlpState {
  standardizer: Standardizer;
  activation: Activation;
  /** Hidden layers then the output layer (logits, or one standardised value for regression). */
  layers: DenseLayer[];
  target?: { mean: number; std: number };
  history: HistoryPoint[];
}

const defaults: Record<string, ParamValue> = {
  layers: [64, 32],
  activation: "relu",
  dropout: 0,
  optimizer: "adam",
  learning_rate: 0.001,
  momentum: 0.9,
  l2: 0.0001,
  epochs: 200,
  batch_size: 200,
  early_stopping: true,
  patience: 10,
  tol: 0.0001,
};

const activateScalar: Record<Activation, (v: number) => number> = {
  relu: (v) => (v > 0 ? v : 0),
  tanh: Math.tanh,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
};

/** Forward pass in float64 plain JS: a loaded model predicts the same on every backend and needs none. */
function forward(state: MlpState, x: Matrix, featureNames: string[]): Float64Array {
  const rows = standardizedRows(x, featureNames, state.standardizer);
  let h: Float64Array = Float64Array.from(rows);
  const f = activateScalar[state.activation];
  state.layers.forEach((layer, li) => {
    const { inputs: I, outputs: O, weights: W, bias } = layer;
    const out = new Float64Array(x.n * O);
    for (let i = 0; i < x.n; i++) {
      const o0 = i * O;
      for (let o = 0; o < O; o++) out[o0 + o] = bias[o];
      for (let j = 0; j < I; j++) {
        const v = h[i * I + j];
        if (v === 0) continue;
        const w0 = j * O;
        for (let o = 0; o < O; o++) out[o0 + o] += v * W[w0 + o];
      }
    }
    if (li < state.layers.length - 1) for (let i = 0; i < out.length; i++) out[i] = f(out[i]);
    h = out;
  });
  return h;
}

function build(model: SerializedModel): TrainedModel {
  const state = model.state as MlpState;
  const { featureNames, classes } = model;
  const common = { kind: model.kind, featureNames, classes, history: state.history, toJSON: () => model };
  if (model.task === "regression") {
    const { mean, std } = state.target!;
    return { ...common, task: "regression", predict: (x) => Float32Array.from(forward(state, x, featureNames), (v) => v * std + mean) };
  }
  const k = classes.length;
  const proba = (x: Matrix): Float32Array => {
    const z = forward(state, x, featureNames);
    const out = new Float32Array(x.n * k);
    for (let i = 0; i < x.n; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, z[i * k + c]);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(z[i * k + c] - max);
      for (let c = 0; c < k; c++) out[i * k + c] = Math.exp(z[i * k + c] - max) / sum;
    }
    return out;
  };
  return { ...common, task: "classification", predict: (x) => argmaxRows(proba(x), x.n, k), predictProba: proba };
}

/**
 * Multi-layer perceptron for classification (softmax cross-entropy) and regression (squared error
 * on the standardised target), trained with mini-batches: forward and backward matrix products on
 * the tfjs backend, backpropagation written out and the optimiser (adam, or sgd with Nesterov
 * momentum) in JS, since per-call overhead, not arithmetic, dominates small batches on wasm.
 * Weight init (Glorot uniform), batch order and dropout masks all come from one PRNG seeded by
 * the run seed, so a seed reproduces the model bit for bit on the same backend.
 * Stops like sklearn: when the monitored loss (validation loss if `validation` is given, else
 * training loss) has not improved by `tol` for `patience` epochs; with validation the best
 * epoch's weights are kept. The penalty `l2` is sklearn's alpha: l2/(2·batch)·‖W‖².
 */
export const neuralNetwork: Learner = {
  name: "neural_network",
  tasks: ["classification", "regression"],
  defaults,
  async train(input: TrainInput): Promise<TrainedModel> {
    await initBackend();
    const params = { ...defaults, ...input.params };
    const hidden = sizesParam(params, "layers", [64, 32]);
    const activation = choiceParam(params, "activation", ["relu", "tanh", "sigmoid"] as const, "relu");
    const dropout = numberParam(params, "dropout", 0);
    if (!(dropout >= 0 && dropout < 1)) throw new Error("option dropout must be in [0, 1)");
    const optimizerName = choiceParam(params, "optimizer", ["adam", "sgd"] as const, "adam");
    const learningRate = numberParam(params, "learning_rate", 0.001);
    const momentum = numberParam(params, "momentum", 0.9);
    const l2 = numberParam(params, "l2", 0.0001);
    const epochs = numberParam(params, "epochs", 200);
    const earlyStopping = booleanParam(params, "early_stopping", true);
    const patience = numberParam(params, "patience", 10);
    const tol = numberParam(params, "tol", 0.0001);
    const { x, y, task } = input;
    const n = x.n;
    const batchSize = Math.max(1, Math.min(n, Math.floor(numberParam(params, "batch_size", 200))));
    const featureNames = x.names.length ? x.names : x.columns.map((_, j) => `x${j}`);
    const d = featureNames.length;
    const K = input.classes.length;
    if (task === "classification" && K < 2) throw new Error("neural_network needs at least two classes");
    const outputs = task === "regression" ? 1 : K;
    const standardizer = fitStandardizer(x);
    const target = task === "regression" ? targetScale(y) : undefined;
    const rng = new SeededRandom(input.seed);

    const rows = standardizedRows(x, featureNames, standardizer);
    // Targets as the loss needs them: class index, or the standardised value.
    const t = target ? Float32Array.from(y, (v) => (v - target.mean) / target.std) : y;
    const val = input.validation;
    const valRows = val ? standardizedRows(val.x, featureNames, standardizer) : undefined;
    const valT = val && target ? Float32Array.from(val.y, (v) => (v - target.mean) / target.std) : val?.y;

    const sizes = [d, ...hidden, outputs];
    const L = sizes.length - 1;
    // Parameter blocks [W0, b0, W1, b1, ...], Wl row-major sizes[l]×sizes[l+1].
    const blocks: Float32Array[] = [];
    for (let l = 0; l < L; l++) {
      const [fin, fout] = [sizes[l], sizes[l + 1]];
      // Glorot uniform, sklearn's choice (its factor 2 instead of 6 for sigmoid units).
      const limit = Math.sqrt((activation === "sigmoid" ? 2 : 6) / (fin + fout));
      blocks.push(Float32Array.from({ length: fin * fout }, () => (2 * rng.next() - 1) * limit));
      blocks.push(new Float32Array(fout));
    }
    const optimizer = optimizerName === "adam" ? adam(learningRate) : sgd(learningRate, momentum);

    /**
     * Forward pass on the backend. `h[l]` is what layer l reads (h[0] the input, h[L] the output);
     * `a[l]` the activation of hidden layer l before its dropout mask, which the backward pass needs.
     */
    const forwardT = (xb: tf.Tensor2D, masks?: tf.Tensor2D[]): { h: tf.Tensor2D[]; a: tf.Tensor2D[]; w: tf.Tensor2D[] } => {
      const h = [xb];
      const a: tf.Tensor2D[] = [xb];
      const ws: tf.Tensor2D[] = [];
      for (let l = 0; l < L; l++) {
        const w = tf.tensor2d(blocks[2 * l], [sizes[l], sizes[l + 1]]);
        ws.push(w);
        const b = tf.tensor1d(blocks[2 * l + 1]);
        const hiddenLayer = l < L - 1;
        let out: tf.Tensor2D;
        // The fused kernel applies bias and relu/sigmoid in one backend call; tanh is not fusable.
        const fusedActivation = !hiddenLayer || activation === "tanh" ? "linear" : activation;
        out = tf.fused.matMul({ a: h[l], b: w, bias: b, activation: fusedActivation }) as tf.Tensor2D;
        if (hiddenLayer && activation === "tanh") out = tf.tanh(out);
        a.push(out);
        h.push(hiddenLayer && masks ? tf.mul(out, masks[l]) : out);
      }
      return { h, a, w: ws };
    };
    /** Data loss of output rows `z` against targets, and (optionally) its gradient dL/dz, mean over rows. */
    const lossOf = (z: Float32Array, m: number, targetsOf: (i: number) => number, dz?: Float32Array): number => {
      let loss = 0;
      if (target) {
        for (let i = 0; i < m; i++) {
          const r = z[i] - targetsOf(i);
          loss += r * r;
          if (dz) dz[i] = (2 * r) / m;
        }
        return loss / m;
      }
      for (let i = 0; i < m; i++) {
        let max = -Infinity;
        for (let c = 0; c < K; c++) max = Math.max(max, z[i * K + c]);
        let sum = 0;
        for (let c = 0; c < K; c++) sum += Math.exp(z[i * K + c] - max);
        const label = targetsOf(i);
        loss += Math.log(sum) - (z[i * K + label] - max);
        if (dz) for (let c = 0; c < K; c++) dz[i * K + c] = (Math.exp(z[i * K + c] - max) / sum - (c === label ? 1 : 0)) / m;
      }
      return loss / m;
    };
    // Losses are reported in the target's own units (MSE of the original target) for regression.
    const lossScale = target ? target.std * target.std : 1;
    const evaluate = (vr: Float32Array, vt: Float32Array): number => {
      const nv = vt.length;
      let total = 0;
      const chunk = 8192;
      for (let s = 0; s < nv; s += chunk) {
        const m = Math.min(chunk, nv - s);
        const z = tf.tidy(() => forwardT(tf.tensor2d(vr.subarray(s * d, (s + m) * d), [m, d])).h[L]);
        total += lossOf(z.dataSync() as Float32Array, m, (i) => vt[s + i]) * m;
        z.dispose();
      }
      return (total / nv) * lossScale;
    };
    /** Derivative of the activation, from its output a. */
    const slope = (a: tf.Tensor2D): tf.Tensor =>
      activation === "relu" ? tf.step(a) : activation === "tanh" ? tf.sub(1, tf.square(a)) : tf.mul(a, tf.sub(1, a));

    const history: HistoryPoint[] = [];
    const order = Uint32Array.from({ length: n }, (_, i) => i);
    const xb = new Float32Array(batchSize * d);
    const dz = new Float32Array(batchSize * outputs);
    let best = Infinity;
    let bestBlocks: Float32Array[] | undefined;
    let stale = 0;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      throwIfAborted(input.signal);
      rng.shuffle(order);
      let epochLoss = 0;
      for (let start = 0, batch = 0; start < n; start += batchSize, batch++) {
        const m = Math.min(batchSize, n - start);
        for (let i = 0; i < m; i++) xb.set(rows.subarray(order[start + i] * d, (order[start + i] + 1) * d), i * d);
        // Inverted dropout masks from the seeded PRNG, so they replay exactly.
        const maskData =
          dropout > 0
            ? hidden.map((h) => Float32Array.from({ length: m * h }, () => (rng.next() < dropout ? 0 : 1 / (1 - dropout))))
            : undefined;
        const masks = maskData ? tf.tidy(() => maskData.map((md, l) => tf.tensor2d(md, [m, hidden[l]]))) : undefined;
        const { h: acts, a: pre, w: weightsT } = tf.tidy(() => forwardT(tf.tensor2d(xb.subarray(0, m * d), [m, d]), masks));
        const z = acts[L].dataSync() as Float32Array;
        let loss = lossOf(z, m, (i) => t[order[start + i]], dz);
        // Backpropagation written out: fewer backend calls than autodiff, which dominates at small batches.
        const grads = tf.tidy(() => {
          const out: tf.Tensor[] = new Array(2 * L);
          let delta: tf.Tensor2D = tf.tensor2d(dz.subarray(0, m * outputs), [m, outputs]);
          for (let l = L - 1; l >= 0; l--) {
            out[2 * l] = tf.matMul(acts[l], delta, true, false);
            out[2 * l + 1] = tf.sum(delta, 0);
            if (l > 0) {
              let back = tf.matMul(delta, weightsT[l], false, true);
              if (masks) back = tf.mul(back, masks[l - 1]);
              delta = tf.mul(back, slope(pre[l])) as tf.Tensor2D;
            }
          }
          return out;
        });
        tf.dispose([acts, pre, weightsT, masks ?? []]);
        const g = grads.map((gt) => gt.dataSync() as Float32Array);
        grads.forEach((gt) => gt.dispose());
        if (l2 > 0) {
          // sklearn's alpha: l2/(2·batch)·‖W‖² on weights, not biases.
          for (let l = 0; l < L; l++) {
            const w = blocks[2 * l];
            const gw = g[2 * l];
            let sq = 0;
            for (let i = 0; i < w.length; i++) {
              sq += w[i] * w[i];
              gw[i] += (l2 / m) * w[i];
            }
            loss += (l2 / (2 * m)) * sq;
          }
        }
        optimizer.step(blocks, g);
        epochLoss += loss * m;
        // Let an abort (or a progress UI) in between long epochs.
        if (batch % 64 === 63) {
          await yieldToEventLoop();
          throwIfAborted(input.signal);
        }
      }
      const loss = (epochLoss / n) * lossScale;
      const valLoss = valRows && valT ? evaluate(valRows, valT) : undefined;
      history.push(valLoss === undefined ? { step: epoch, loss } : { step: epoch, loss, valLoss });
      input.onProgress?.({ step: epoch, total: epochs, unit: "epoch", loss, valLoss });
      if (!Number.isFinite(loss)) throw new Error(`neural_network diverged at epoch ${epoch} (loss ${loss}); lower learning_rate`);
      if (earlyStopping) {
        const monitored = valLoss ?? loss;
        if (monitored < best - tol * lossScale) {
          best = monitored;
          stale = 0;
          if (valLoss !== undefined) bestBlocks = blocks.map((b) => b.slice());
        } else if (++stale >= patience) {
          break;
        }
      }
      await yieldToEventLoop();
    }
    const final = bestBlocks ?? blocks;
    const layers: DenseLayer[] = Array.from({ length: L }, (_, l) => ({
      inputs: sizes[l],
      outputs: sizes[l + 1],
      weights: Array.from(final[2 * l]),
      bias: Array.from(final[2 * l + 1]),
    }));
    const state: MlpState = { standardizer, activation, layers, target, history };
    return build({ kind: "neural_network", task, featureNames, classes: input.classes, params, state });
  },
  load: build,
};
