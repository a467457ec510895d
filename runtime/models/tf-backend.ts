import type * as TF from "@tensorflow/tfjs-core";
import { createRequire } from "node:module";

// The tfjs packages are CommonJS bundles: an ES `import` makes Node pre-parse each for its export
// names (≈ 170 ms of CPU for tfjs-core alone); `require` loads them as Node loads any CommonJS package.
const require = createRequire(import.meta.url);
const tf: typeof TF = require("@tensorflow/tfjs-core");
// The tensor types under the same name (`tf.Tensor2D`), as `import * as tf` gave them.
declare namespace tf {
  export type Tensor = TF.Tensor;
  export type Tensor2D = TF.Tensor2D;
  export type Scalar = TF.Scalar;
}
// Registers the pure-JS "cpu" backend, the last resort.
require("@tensorflow/tfjs-backend-cpu");

/** The TensorFlow.js module every learner uses, so all share one backend. */
export { tf };

let chosen: Promise<string> | undefined;

/**
 * Picks the fastest backend that loads: tfjs-node (native), else wasm, else the pure-JS cpu backend.
 * tfjs-node is not a dependency (its install downloads libtensorflow from outside the npm registry):
 * a user who installs it next to Lathe gets it, and its absence is normal and silent.
 */
export function initBackend(preferred?: string): Promise<string> {
  if (chosen) return chosen;
  chosen = (async () => {
    const order = preferred ? [preferred] : ["tensorflow", "wasm", "cpu"];
    for (const name of order) {
      try {
        if (name === "tensorflow") {
          // Loading tfjs-node registers the "tensorflow" backend as a side effect.
          require("@tensorflow/tfjs-node");
        } else if (name === "wasm") {
          require("@tensorflow/tfjs-backend-wasm");
        }
        if (await tf.setBackend(name)) {
          await tf.ready();
          return tf.getBackend();
        }
      } catch {
        // try the next one
      }
    }
    throw new Error(`no TensorFlow.js backend could be initialised (tried ${order.join(", ")})`);
  })();
  return chosen;
}

/** The backend in use, for run records; undefined before `initBackend` resolves. */
export function backendName(): string | undefined {
  return chosen ? tf.getBackend() : undefined;
}
