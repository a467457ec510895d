import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** An opaque network held by the native module. */
export type NativeNetwork = { readonly __native: unique symbol };

/** The functions of `native/mlp.cc` (built by scripts/build-native.mjs into dist/native/). */
export interface NativeMlpModule {
  /** config: [activation, regression, dropout, optimizer, learningRate, momentum, l2, beta1, beta2, epsilon, batch]. */
  create(sizes: Int32Array, config: Float64Array, blocks: Float32Array[]): NativeNetwork;
  /** Trains on the mini-batches of rows order[from..to); returns Σ batch loss × batch rows. */
  train(net: NativeNetwork, rows: Float32Array, targets: Float32Array, order: Uint32Array, from: number, to: number, seed: number): number;
  /** Mean data loss over all rows, without dropout or penalty. */
  loss(net: NativeNetwork, rows: Float32Array, targets: Float32Array): number;
  /** Copies the current parameters into `blocks`. */
  params(net: NativeNetwork, blocks: Float32Array[]): void;
}

let cached: NativeMlpModule | null | undefined;

/**
 * The native MLP engine, or undefined when it was not built (no compiler at install) or is
 * switched off with LATHE_NN_ENGINE=tfjs (benchmarks time both engines that way).
 */
export function nativeMlp(): NativeMlpModule | undefined {
  if (process.env.LATHE_NN_ENGINE === "tfjs") return undefined;
  if (cached === undefined) {
    // From dist/runtime/models/ the module sits in dist/native/; from the sources (tests) in ../../dist/native/.
    const candidates = ["../../native/lathe-native.node", "../../dist/native/lathe-native.node"].map((p) => fileURLToPath(new URL(p, import.meta.url)));
    const file = candidates.find((f) => existsSync(f));
    cached = null;
    if (file) {
      try {
        cached = createRequire(import.meta.url)(file) as NativeMlpModule;
      } catch {
        // A module built for another Node ABI or CPU: fall back to TensorFlow.js.
      }
    }
  }
  if (!cached && process.env.LATHE_NN_ENGINE === "native") throw new Error("LATHE_NN_ENGINE=native but the native MLP engine is not built (npm run build)");
  return cached ?? undefined;
}
