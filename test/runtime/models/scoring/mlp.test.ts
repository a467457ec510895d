import { describe, expect, it } from "vitest";
import { mlpForward, mlpScorer, type MlpWeights } from "../../../../runtime/models/scoring/mlp.js";
import { SeededRandom } from "../../../../runtime/models/seeded-random.js";
import type { Matrix, SerializedModel } from "../../../../runtime/models/types.js";

/** A network of random weights over `d` features (hidden layers `hidden`, `outputs` out) and `n` random rows. */
function network(d: number, hidden: number[], outputs: number, n: number, seed: number): { state: MlpWeights; x: Matrix; names: string[] } {
  const rng = new SeededRandom(seed);
  const sizes = [d, ...hidden, outputs];
  const layers = sizes.slice(1).map((out, l) => ({
    inputs: sizes[l],
    outputs: out,
    weights: Array.from({ length: sizes[l] * out }, () => rng.normal() * 0.3),
    bias: Array.from({ length: out }, () => rng.normal() * 0.1),
  }));
  const names = Array.from({ length: d }, (_, j) => `f${j}`);
  const columns = names.map((_, j) => Float32Array.from({ length: n }, () => rng.normal() * (j + 1) + j));
  const state: MlpWeights = { standardizer: { mean: names.map((_, j) => j), std: names.map((_, j) => j + 1) }, activation: "relu", layers };
  return { state, x: { n, columns, names }, names };
}

const rowOf = (x: Matrix, i: number): Matrix => ({ n: 1, names: x.names, columns: x.columns.map((c) => c.subarray(i, i + 1)) });

describe("the MLP's forward pass", () => {
  it("scores each row as it scores it alone, across its blocks of rows", () => {
    const { state, x, names } = network(5, [16, 8], 3, 2500, 7);
    const all = mlpForward(state, x, names);
    expect(all.length).toBe(2500 * 3);
    for (const i of [0, 1, 1023, 1024, 1025, 2047, 2048, 2499]) expect(Array.from(all.subarray(i * 3, i * 3 + 3))).toEqual(Array.from(mlpForward(state, rowOf(x, i), names)));
  });

  it("gives predictions and probabilities in one pass, the same as predict and predictProba", () => {
    const { state, x, names } = network(5, [16, 8], 3, 1500, 8);
    const model: SerializedModel = { kind: "neural_network", task: "classification", featureNames: names, classes: ["a", "b", "c"], params: {}, state };
    const scorer = mlpScorer(model);
    const both = scorer.predictWithProba!(x);
    expect(both.predictions).toEqual(scorer.predict(x));
    expect(both.probabilities).toEqual(scorer.predictProba!(x));
  });
});
