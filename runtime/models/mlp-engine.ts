import type { SeededRandom } from "./seeded-random.js";

export type Activation = "relu" | "tanh" | "sigmoid";

/** What an MLP engine needs to know about the network and its training, fixed for one fit. */
export interface MlpConfig {
  /** Input width, hidden widths, output width. */
  sizes: number[];
  activation: Activation;
  regression: boolean;
  dropout: number;
  optimizer: "adam" | "sgd";
  learningRate: number;
  momentum: number;
  l2: number;
  batchSize: number;
}

/**
 * One way to run the mini-batch steps of `neural_network` (native SIMD kernels, or TensorFlow.js).
 * The learner owns the epochs, shuffling, early stopping and progress; an engine owns the
 * parameters while training. Losses are in standardised units (the learner rescales them).
 */
export interface MlpEngine {
  /** The name recorded with the run as the model's backend. */
  readonly backend: string;
  /** Trains on the mini-batches of rows order[from..to); returns Σ (batch loss incl. L2) × batch rows. */
  train(order: Uint32Array, from: number, to: number, rng: SeededRandom): number;
  /** Mean data loss over rows (no dropout, no penalty), e.g. the validation loss. */
  loss(rows: Float32Array, targets: Float32Array): number;
  /** A copy of the parameter blocks [W0, b0, W1, b1, ...]. */
  snapshot(): Float32Array[];
  dispose?(): void;
}
