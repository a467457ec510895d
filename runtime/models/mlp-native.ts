import type { MlpConfig, MlpEngine } from "./mlp-engine.js";
import type { NativeMlpModule } from "./native-engine.js";
import type { SeededRandom } from "./seeded-random.js";

const activations = { relu: 0, tanh: 1, sigmoid: 2 } as const;

/**
 * The MLP engine on native/mlp.cc: each call runs whole mini-batch steps (gather, forward, loss,
 * backward, L2, adam/sgd) in SIMD C++ on float32 rows; the parameters live in the module until
 * `snapshot`. Dropout masks come from a seed drawn from the run's generator per call.
 */
export function nativeMlpEngine(native: NativeMlpModule, c: MlpConfig, blocks: Float32Array[], rows: Float32Array, targets: Float32Array): MlpEngine & { trainOn(rows: Float32Array, targets: Float32Array, order: Uint32Array, from: number, to: number, rng: SeededRandom): number } {
  const config = Float64Array.of(activations[c.activation], c.regression ? 1 : 0, c.dropout, c.optimizer === "adam" ? 0 : 1, c.learningRate, c.momentum, c.l2, 0.9, 0.999, 1e-8, c.batchSize);
  const net = native.create(Int32Array.from(c.sizes), config, blocks);
  return {
    backend: "native",
    train: (order, from, to, rng) => native.train(net, rows, targets, order, from, to, rng.seed()),
    /** `train` on other rows than the engine was made with: a block of rows streamed from DuckDB. */
    trainOn: (r, t, order, from, to, rng) => native.train(net, r, t, order, from, to, rng.seed()),
    loss: (r, t) => native.loss(net, r, t),
    snapshot() {
      const out = blocks.map((b) => new Float32Array(b.length));
      native.params(net, out);
      return out;
    },
  };
}
