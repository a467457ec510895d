import { describe, expect, it } from "vitest";
import { decodeSerialized, encodeModel, encodeModelChunks, isEncodedModel } from "../../../runtime/models/codec.js";
import { decodeModel } from "../../../runtime/models/decode-model.js";
import { learners } from "../../../runtime/models/registry.js";
import { randomForest } from "../../../runtime/models/trees/random-forest.js";
import { TreeEnsemble } from "../../../runtime/models/trees/tree-ensemble.js";
import type { ParamValue, TrainedModel } from "../../../runtime/models/types.js";
import { SeededRandom } from "../../../runtime/models/seeded-random.js";
import { cars, penguins } from "./datasets.js";

/** Everything a model answers, for bit-for-bit comparison. */
function answers(model: TrainedModel, x: Parameters<TrainedModel["predict"]>[0]) {
  return {
    kind: model.kind,
    task: model.task,
    featureNames: model.featureNames,
    classes: model.classes,
    method: model.method,
    predict: model.predict(x),
    proba: model.task === "classification" ? model.predictProba?.(x) : undefined,
    importance: model.importance?.(),
    history: model.history,
  };
}

// Every learner, each variant that keeps different state (kernels and methods), both tasks.
const cases: { learner: string; task: "classification" | "regression"; params: Record<string, ParamValue> }[] = [
  { learner: "logistic_regression", task: "classification", params: {} },
  { learner: "linear_regression", task: "regression", params: {} },
  { learner: "decision_tree", task: "classification", params: {} },
  { learner: "decision_tree", task: "regression", params: { max_bins: 1000 } },
  { learner: "random_forest", task: "classification", params: { trees: 5 } },
  { learner: "random_forest", task: "regression", params: { trees: 5 } },
  { learner: "gradient_boosting", task: "classification", params: { max_iter: 10 } },
  { learner: "gradient_boosting", task: "regression", params: { max_iter: 10 } },
  { learner: "svm", task: "classification", params: { kernel: "linear" } },
  { learner: "svm", task: "classification", params: { kernel: "rbf" } },
  { learner: "svm", task: "classification", params: { kernel: "rbf", components: 40 } },
  { learner: "svm", task: "regression", params: { kernel: "rbf" } },
  { learner: "svm", task: "regression", params: { kernel: "linear" } },
  { learner: "neural_network", task: "classification", params: { epochs: 5 } },
  { learner: "neural_network", task: "regression", params: { epochs: 5 } },
];

describe("the binary model codec", () => {
  it("covers every learner in the registry", () => {
    expect(new Set(cases.map((c) => c.learner))).toEqual(new Set(Object.keys(learners)));
  });

  for (const c of cases) {
    it(`round-trips ${c.learner} (${c.task}, ${JSON.stringify(c.params)}) bit for bit`, async () => {
      const data = c.task === "classification" ? penguins() : cars();
      const model = await learners[c.learner].train({ task: c.task, ...data.train, classes: data.classes, params: c.params, seed: 3 });
      const bytes = encodeModel(model);
      expect(isEncodedModel(bytes)).toBe(true);
      const again = decodeModel(bytes);
      expect(answers(again, data.test.x)).toEqual(answers(model, data.test.x));
      // The JSON form of the decoded model is the original's, so the TypeScript API sees no difference.
      expect(JSON.stringify(again.toJSON())).toBe(JSON.stringify(model.toJSON()));
      // Decoding does not depend on where the bytes sit in their buffer.
      const shifted = new Uint8Array(bytes.length + 3);
      shifted.set(bytes, 3);
      expect(answers(decodeModel(shifted.subarray(3)), data.test.x)).toEqual(answers(model, data.test.x));
    });
  }

  it("writes a forest whose JSON text is over 50 MB as raw sections behind a small header, and reads it back exactly", async () => {
    // Random labels on continuous features: fully grown trees with a leaf per few rows. Growing
    // 300 of them takes a minute, so the forest holds 15 copies of 20 grown trees.
    const n = 12_000;
    const rng = new SeededRandom(5);
    const columns = [0, 1, 2].map(() => Float32Array.from({ length: n }, () => rng.next()));
    const y = Float32Array.from({ length: n }, () => (rng.next() < 0.5 ? 0 : 1));
    const x = { n, columns, names: ["a", "b", "c"] };
    const grown = (await randomForest.train({ task: "classification", x, y, classes: ["no", "yes"], params: { trees: 20 }, seed: 1 })) as TreeEnsemble;
    const json = grown.toJSON();
    const model = new TreeEnsemble({ ...json, trees: Array.from({ length: 15 }, () => grown.trees).flat() });
    const jsonLength = JSON.stringify(model.toJSON()).length;
    expect(jsonLength).toBeGreaterThan(50e6);

    const chunks = encodeModelChunks(model);
    const total = chunks.reduce((s, ch) => s + ch.length, 0);
    // The only text is the header (first chunk): names, params and seven section markers a tree.
    expect(chunks[0].length).toBeLessThan(300 * 7 * 100);
    expect(chunks[0].length).toBeLessThan(total / 100);
    expect(total).toBeLessThan(jsonLength);
    const bytes = encodeModel(model);
    expect(bytes.length).toBe(total);
    const again = decodeModel(bytes);
    expect(again.predictProba!(x)).toEqual(model.predictProba!(x));
    expect(again.importance!()).toEqual(model.importance!());
  }, 120_000);

  it("keeps typed arrays typed and plain arrays plain, and NaN, -0 and infinities exactly", () => {
    const state = {
      weights: Float32Array.of(1.5, NaN, -0, Infinity),
      counts: Int32Array.of(-7, 2 ** 31 - 1),
      long: Array.from({ length: 100 }, (_, i) => (i === 3 ? -0 : i === 4 ? NaN : i / 7)),
      short: [1, 2, 3],
      nested: { bytes: Uint8Array.of(255, 0), mixed: [null, 1.25, "x"] },
    };
    const fake: TrainedModel = {
      kind: "decision_tree",
      task: "regression",
      featureNames: ["a"],
      classes: [],
      predict: () => new Float32Array(0),
      toJSON: () => ({ kind: "decision_tree", task: "regression", featureNames: ["a"], classes: [], params: { depth: 3 }, state }),
    };
    const back = decodeSerialized(encodeModel(fake)).state as typeof state;
    expect(back.weights).toBeInstanceOf(Float32Array);
    expect(Object.is(back.weights[2], -0)).toBe(true);
    expect(back.weights).toEqual(state.weights);
    expect(back.counts).toEqual(state.counts);
    expect(Array.isArray(back.long)).toBe(true);
    expect(Object.is(back.long[3], -0)).toBe(true);
    expect(back.long).toEqual(state.long);
    expect(back.short).toEqual([1, 2, 3]);
    expect(back.nested).toEqual(state.nested);
    // The same bytes as a Node Buffer inside a larger pool (what fs reads give): the same state.
    const pooled = Buffer.concat([Buffer.alloc(24, 7), Buffer.from(encodeModel(fake))]).subarray(24);
    expect(decodeSerialized(pooled).state).toEqual(back);
  });

  it("refuses bytes that are not a model file, truncated files and unknown kinds with a clear message", async () => {
    expect(() => decodeModel(new TextEncoder().encode('{"kind":"svm"}'))).toThrow(/not a Lathe model file/);
    const data = penguins();
    const model = await learners.decision_tree.train({ task: "classification", ...data.train, classes: data.classes, params: {}, seed: 1 });
    const bytes = encodeModel(model);
    expect(() => decodeModel(bytes.subarray(0, bytes.length - 8))).toThrow(/truncated/);
    const alien = encodeModel({ ...model, serialize: undefined, toJSON: () => ({ ...model.toJSON(), kind: "quantum_forest" }) });
    expect(() => decodeModel(alien)).toThrow(/no learner/);
  });
});
