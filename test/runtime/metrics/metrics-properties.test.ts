import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  accuracy,
  binaryRocAuc,
  computeMetrics,
  confusionMatrix,
  metricInfo,
  precisionRecallF1,
  r2,
  rocAuc,
  suggestMetric,
} from "../../../runtime/metrics/index.js";

/** Labels and predictions over k classes, of equal length. */
const labelled = fc.integer({ min: 2, max: 6 }).chain((k) =>
  fc
    .array(fc.tuple(fc.integer({ min: 0, max: k - 1 }), fc.integer({ min: 0, max: k - 1 })), { minLength: 1, maxLength: 60 })
    .map((pairs) => ({
      k,
      yTrue: Float32Array.from(pairs, (p) => p[0]),
      yPred: Float32Array.from(pairs, (p) => p[1]),
    })),
);

describe("metric identities", () => {
  it("micro-averaged precision, recall and F1 equal accuracy", () => {
    fc.assert(
      fc.property(labelled, ({ k, yTrue, yPred }) => {
        const s = precisionRecallF1(yTrue, yPred, k, "micro");
        const acc = accuracy(yTrue, yPred);
        expect(s.precision).toBeCloseTo(acc, 12);
        expect(s.recall).toBeCloseTo(acc, 12);
        expect(s.f1).toBeCloseTo(acc, 12);
      }),
    );
  });

  it("confusion matrix sums to n and its trace is the hit count", () => {
    fc.assert(
      fc.property(labelled, ({ k, yTrue, yPred }) => {
        const m = confusionMatrix(yTrue, yPred, k);
        const total = m.flat().reduce((a, b) => a + b, 0);
        const trace = m.reduce((a, row, i) => a + row[i], 0);
        expect(total).toBe(yTrue.length);
        expect(trace / total).toBe(accuracy(yTrue, yPred));
      }),
    );
  });

  it("binary ROC AUC equals the Mann-Whitney probability (ties count half)", () => {
    const data = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 10 })), { minLength: 2, maxLength: 50 });
    fc.assert(
      fc.property(data, (rows) => {
        const pos = rows.filter((r) => r[0]).map((r) => r[1] / 10);
        const neg = rows.filter((r) => !r[0]).map((r) => r[1] / 10);
        const auc = binaryRocAuc(
          rows.map((r) => r[0]),
          rows.map((r) => r[1] / 10),
        );
        if (pos.length === 0 || neg.length === 0) {
          expect(auc).toBeNaN();
          return;
        }
        let wins = 0;
        for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
        expect(auc).toBeCloseTo(wins / (pos.length * neg.length), 12);
      }),
    );
  });

  it("perfect predictions score 1 everywhere and r2 of the mean is 0", () => {
    const y = Float32Array.from([0, 1, 2, 2, 1, 0]);
    const proba = new Float32Array(18);
    y.forEach((c, i) => (proba[i * 3 + c] = 1));
    const m = computeMetrics(["accuracy", "f1", "f1_weighted", "roc_auc"], {
      task: "classification",
      yTrue: y,
      yPred: y,
      proba,
      classes: ["a", "b", "c"],
    });
    expect(m).toEqual({ accuracy: 1, f1: 1, f1_weighted: 1, roc_auc: 1 });
    const t = Float32Array.from([1, 2, 3, 4]);
    expect(r2(t, new Float32Array(4).fill(2.5))).toBe(0);
  });

  it("multiclass AUC leaves out a class absent from yTrue", () => {
    const yTrue = Float32Array.from([0, 0, 1, 1]);
    const proba = Float32Array.from([0.8, 0.1, 0.1, 0.6, 0.3, 0.1, 0.2, 0.7, 0.1, 0.3, 0.5, 0.2]);
    const expected = (binaryRocAuc([1, 1, 0, 0], [0.8, 0.6, 0.2, 0.3]) + binaryRocAuc([0, 0, 1, 1], [0.1, 0.3, 0.7, 0.5])) / 2;
    expect(rocAuc(yTrue, proba, 3)).toBeCloseTo(expected, 12);
  });
});

describe("computeMetrics validation", () => {
  const base = { task: "classification" as const, yTrue: Float32Array.from([0, 1]), yPred: Float32Array.from([0, 1]), classes: ["n", "y"] };

  it("suggests a close name for a typo", () => {
    expect(() => computeMetrics(["acuracy"], base)).toThrow(/did you mean "accuracy"/);
    expect(suggestMetric("rsme")).toBe("rmse");
  });

  it("rejects a metric of the other task and a probability metric without probabilities", () => {
    expect(() => computeMetrics(["r2"], base)).toThrow(/applies to regression/);
    expect(() => computeMetrics(["roc_auc"], base)).toThrow(/needs class probabilities/);
  });

  it("rejects class indices outside the class list", () => {
    expect(() => computeMetrics(["accuracy", "f1"], { ...base, yPred: Float32Array.from([0, 2]) })).toThrow(/not a class index/);
  });

  it("describes every metric it can compute", () => {
    for (const [name, info] of Object.entries(metricInfo)) {
      expect(info.doc.length).toBeGreaterThan(10);
      const input =
        info.task === "regression"
          ? { task: "regression" as const, yTrue: Float32Array.from([1, 2, 3]), yPred: Float32Array.from([1, 2, 4]), classes: [] }
          : { ...base, proba: Float32Array.from([0.7, 0.3, 0.4, 0.6]) };
      expect(Number.isFinite(computeMetrics([name], input)[name]), name).toBe(true);
    }
  });
});
