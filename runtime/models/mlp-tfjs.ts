import { adam, sgd } from "./gradient-optimizer.js";
import type { MlpConfig, MlpEngine } from "./mlp-engine.js";
import { initBackend, tf } from "./tf-backend.js";

/**
 * The MLP engine on TensorFlow.js, used when the native module is not built: forward and backward
 * matrix products on the tfjs backend, backpropagation written out and the optimiser (adam, or sgd
 * with Nesterov momentum) in JS, since per-call overhead, not arithmetic, dominates small batches
 * on wasm. Dropout masks come from the run's generator, batch by batch.
 */
export async function tfjsMlpEngine(c: MlpConfig, blocks: Float32Array[], rows: Float32Array, targets: Float32Array): Promise<MlpEngine> {
  const backend = await initBackend();
  const { sizes, activation, dropout, l2, batchSize } = c;
  const L = sizes.length - 1;
  const d = sizes[0];
  const outputs = sizes[L];
  const hidden = sizes.slice(1, L);
  const optimizer = c.optimizer === "adam" ? adam(c.learningRate) : sgd(c.learningRate, c.momentum);

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
      // The fused kernel applies bias and relu/sigmoid in one backend call; tanh is not fusable.
      const fusedActivation = !hiddenLayer || activation === "tanh" ? "linear" : activation;
      let out = tf.fused.matMul({ a: h[l], b: w, bias: b, activation: fusedActivation }) as tf.Tensor2D;
      if (hiddenLayer && activation === "tanh") out = tf.tanh(out);
      a.push(out);
      h.push(hiddenLayer && masks ? tf.mul(out, masks[l]) : out);
    }
    return { h, a, w: ws };
  };
  /** Data loss of output rows `z` against targets, and (optionally) its gradient dL/dz, mean over rows. */
  const lossOf = (z: Float32Array, m: number, targetsOf: (i: number) => number, dz?: Float32Array): number => {
    let loss = 0;
    if (c.regression) {
      for (let i = 0; i < m; i++) {
        const r = z[i] - targetsOf(i);
        loss += r * r;
        if (dz) dz[i] = (2 * r) / m;
      }
      return loss / m;
    }
    const K = outputs;
    for (let i = 0; i < m; i++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, z[i * K + k]);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(z[i * K + k] - max);
      const label = targetsOf(i);
      loss += Math.log(sum) - (z[i * K + label] - max);
      if (dz) for (let k = 0; k < K; k++) dz[i * K + k] = (Math.exp(z[i * K + k] - max) / sum - (k === label ? 1 : 0)) / m;
    }
    return loss / m;
  };
  /** Derivative of the activation, from its output a. */
  const slope = (a: tf.Tensor2D): tf.Tensor =>
    activation === "relu" ? tf.step(a) : activation === "tanh" ? tf.sub(1, tf.square(a)) : tf.mul(a, tf.sub(1, a));

  const xb = new Float32Array(batchSize * d);
  const dz = new Float32Array(batchSize * outputs);
  return {
    backend,
    train(order, from, to, rng) {
      let total = 0;
      for (let start = from; start < to; start += batchSize) {
        const m = Math.min(batchSize, to - start);
        for (let i = 0; i < m; i++) xb.set(rows.subarray(order[start + i] * d, (order[start + i] + 1) * d), i * d);
        // Inverted dropout masks from the seeded PRNG, so they replay exactly.
        const maskData =
          dropout > 0
            ? hidden.map((h) => Float32Array.from({ length: m * h }, () => (rng.next() < dropout ? 0 : 1 / (1 - dropout))))
            : undefined;
        const masks = maskData ? tf.tidy(() => maskData.map((md, l) => tf.tensor2d(md, [m, hidden[l]]))) : undefined;
        const { h: acts, a: pre, w: weightsT } = tf.tidy(() => forwardT(tf.tensor2d(xb.subarray(0, m * d), [m, d]), masks));
        const z = acts[L].dataSync() as Float32Array;
        let loss = lossOf(z, m, (i) => targets[order[start + i]], dz);
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
        total += loss * m;
      }
      return total;
    },
    loss(vr, vt) {
      const nv = vt.length;
      let total = 0;
      const chunk = 8192;
      for (let s = 0; s < nv; s += chunk) {
        const m = Math.min(chunk, nv - s);
        const z = tf.tidy(() => forwardT(tf.tensor2d(vr.subarray(s * d, (s + m) * d), [m, d])).h[L]);
        total += lossOf(z.dataSync() as Float32Array, m, (i) => vt[s + i]) * m;
        z.dispose();
      }
      return total / nv;
    },
    snapshot: () => blocks.map((b) => b.slice()),
  };
}
