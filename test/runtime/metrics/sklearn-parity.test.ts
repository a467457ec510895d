import { beforeAll, describe, expect, it } from "vitest";
import {
  computeMetrics,
  confusionMatrix,
  metricNames,
  precisionRecallCurve,
  rocCurve,
  rocCurves,
} from "../../../runtime/metrics/index.js";
import { rng } from "../../seeded-rng.js";
import { runSklearn, sklearnAvailable, type SklearnJob } from "./sklearn-oracle.js";

const HAVE_SKLEARN = sklearnAvailable();
if (!HAVE_SKLEARN) console.warn("SKIPPED sklearn parity: /usr/bin/python3 cannot import sklearn");

interface Case {
  yTrue: Float32Array;
  yPred: Float32Array;
  proba: Float32Array;
  k: number;
}

/** A classification case whose probabilities are rounded to create ties and whose predictions are noisy. */
function classificationCase(seed: number, n: number, k: number, usedClasses = k): Case {
  const r = rng(seed);
  const yTrue = new Float32Array(n);
  const yPred = new Float32Array(n);
  const proba = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const t = Math.floor(r() * usedClasses);
    yTrue[i] = t;
    const raw = Array.from({ length: k }, (_, c) => (c < usedClasses ? r() + (c === t ? 0.6 : 0) : 0));
    const sum = raw.reduce((a, b) => a + b, 0);
    for (let c = 0; c < k; c++) proba[i * k + c] = Math.round((raw[c] / sum) * 20) / 20;
    // Renormalise after rounding so rows sum to 1 (sklearn's multiclass AUC checks this).
    let s = 0;
    for (let c = 0; c < k; c++) s += proba[i * k + c];
    for (let c = 0; c < k; c++) proba[i * k + c] /= s;
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[i * k + c] > proba[i * k + best]) best = c;
    yPred[i] = best;
  }
  return { yTrue, yPred, proba, k };
}

const CLASSIFICATION = `
from sklearn import metrics as M
yt = np.array(data["yTrue"]).astype(int); yp = np.array(data["yPred"]).astype(int)
k = data["k"]; P = np.array(data["proba"]).reshape(-1, k)
avg = "binary" if k == 2 else "macro"
out = {
  "accuracy": M.accuracy_score(yt, yp),
  "precision": M.precision_score(yt, yp, average=avg),
  "recall": M.recall_score(yt, yp, average=avg),
  "f1": M.f1_score(yt, yp, average=avg),
  "log_loss": M.log_loss(yt, P, labels=list(range(k))),
  "confusion": M.confusion_matrix(yt, yp, labels=list(range(k))).tolist(),
}
for a in ["macro", "weighted"]:
  out["precision_" + a] = M.precision_score(yt, yp, average=a)
  out["recall_" + a] = M.recall_score(yt, yp, average=a)
  out["f1_" + a] = M.f1_score(yt, yp, average=a)
if data["auc"]:
  out["roc_auc"] = M.roc_auc_score(yt, P[:, 1]) if k == 2 else M.roc_auc_score(yt, P, multi_class="ovr", average="macro")
print(json.dumps(out))
`;

const REGRESSION = `
from sklearn import metrics as M
yt = np.array(data["yTrue"]); yp = np.array(data["yPred"])
print(json.dumps({"mse": M.mean_squared_error(yt, yp), "rmse": M.mean_squared_error(yt, yp, squared=False),
  "mae": M.mean_absolute_error(yt, yp), "r2": M.r2_score(yt, yp),
  "r2_const": M.r2_score(np.full(5, 3.0), np.array([3, 3, 3, 3, 4.0])),
  "r2_const_exact": M.r2_score(np.full(5, 3.0), np.full(5, 3.0))}))
`;

const CURVES = `
from sklearn import metrics as M
yt = np.array(data["y"]); s = np.array(data["s"])
fpr, tpr, th = M.roc_curve(yt, s)
p, r, pth = M.precision_recall_curve(yt, s)
print(json.dumps({"fpr": fpr.tolist(), "tpr": tpr.tolist(), "th": th.tolist(), "p": p.tolist(), "r": r.tolist(), "pth": pth.tolist()}))
`;

const OVR_AUCS = `
from sklearn import metrics as M
yt = np.array(data["yTrue"]).astype(int); P = np.array(data["proba"]).reshape(-1, data["k"])
print(json.dumps([M.roc_auc_score(yt == c, P[:, c]) for c in range(data["k"])]))
`;

function payload(c: Case, auc: boolean) {
  return { yTrue: Array.from(c.yTrue), yPred: Array.from(c.yPred), proba: Array.from(c.proba), k: c.k, auc };
}

function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `index ${i}`).toBeLessThan(1e-9);
}

// Every case is declared up front so sklearn runs once for the whole file.
const jobs: SklearnJob[] = [];
const results: unknown[] = [];
function job<T>(script: string, data: unknown): () => T {
  const index = jobs.push({ script, data }) - 1;
  return () => results[index] as T;
}

const classificationCases: Array<[string, Case, boolean]> = [
  ["binary", classificationCase(1, 240, 2), true],
  ["3 classes", classificationCase(2, 300, 3), true],
  ["5 classes, small", classificationCase(3, 23, 5), true],
  // Classes 3 and 4 never occur: macro averages must skip them as sklearn's unique_labels does.
  ["5 classes, 2 unused", classificationCase(4, 80, 5, 3), false],
  [
    "zero division (a class never predicted)",
    {
      yTrue: Float32Array.from([0, 0, 1, 1, 2, 2, 2, 1]),
      yPred: Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]),
      proba: new Float32Array(24).fill(1 / 3),
      k: 3,
    },
    false,
  ],
  [
    "probabilities of exactly 0 and 1 (clipping)",
    {
      yTrue: Float32Array.from([0, 1, 1, 0]),
      yPred: Float32Array.from([0, 1, 0, 1]),
      proba: Float32Array.from([1, 0, 0, 1, 0.5, 0.5, 0, 1]),
      k: 2,
    },
    true,
  ],
];
const classificationRefs = classificationCases.map(([, c, auc]) => job<Record<string, number | number[][]>>(CLASSIFICATION, payload(c, auc)));

const regR = rng(9);
const regTrue = Float32Array.from({ length: 150 }, () => regR() * 100 - 20);
const regPred = Float32Array.from(regTrue, (v) => v + (regR() - 0.5) * 30);
const regressionRef = job<Record<string, number>>(REGRESSION, { yTrue: Array.from(regTrue), yPred: Array.from(regPred) });

const curveCase = classificationCase(5, 120, 2);
const curvePositive = Uint8Array.from(curveCase.yTrue, (v) => (v === 1 ? 1 : 0));
const curveScore = Float64Array.from({ length: 120 }, (_, i) => curveCase.proba[i * 2 + 1]);
const curveRef = job<Record<string, number[]>>(CURVES, { y: Array.from(curvePositive), s: Array.from(curveScore) });

const ovrCase = classificationCase(6, 200, 4);
const ovrRef = job<number[]>(OVR_AUCS, payload(ovrCase, true));

describe.skipIf(!HAVE_SKLEARN)("metrics agree with scikit-learn to 1e-9", () => {
  beforeAll(() => {
    results.push(...runSklearn(jobs));
  }, 60_000);

  classificationCases.forEach(([label, c, auc], i) => {
    it(`classification: ${label}`, () => {
      const classes = Array.from({ length: c.k }, (_, j) => `c${j}`);
      const names = metricNames("classification").filter((n) => auc || n !== "roc_auc");
      const ours = computeMetrics(names, { task: "classification", ...c, classes });
      const ref = classificationRefs[i]();
      for (const name of names) expect(Math.abs(ours[name] - (ref[name] as number)), name).toBeLessThan(1e-9);
      expect(confusionMatrix(c.yTrue, c.yPred, c.k)).toEqual(ref.confusion);
    });
  });

  it("regression, including a constant target", () => {
    const names = metricNames("regression");
    const ours = computeMetrics(names, { task: "regression", yTrue: regTrue, yPred: regPred, classes: [] });
    const ref = regressionRef();
    for (const name of names) expect(Math.abs(ours[name] - ref[name]), name).toBeLessThan(1e-9);
    const constant = Float32Array.from([3, 3, 3, 3, 3]);
    const off = Float32Array.from([3, 3, 3, 3, 4]);
    expect(computeMetrics(["r2"], { task: "regression", yTrue: constant, yPred: off, classes: [] }).r2).toBe(ref.r2_const);
    expect(computeMetrics(["r2"], { task: "regression", yTrue: constant, yPred: constant, classes: [] }).r2).toBe(ref.r2_const_exact);
  });

  it("ROC and PR curve points, with tied scores", () => {
    const ref = curveRef();
    const roc = rocCurve(curvePositive, curveScore);
    expectClose(roc.fpr, ref.fpr);
    expectClose(roc.tpr, ref.tpr);
    expectClose(roc.thresholds, ref.th);
    const pr = precisionRecallCurve(curvePositive, curveScore);
    expectClose(pr.precision, ref.p);
    expectClose(pr.recall, ref.r);
    expectClose(pr.thresholds, ref.pth);
  });

  it("per-class one-vs-rest ROC AUCs", () => {
    const curves = rocCurves(ovrCase.yTrue, ovrCase.proba, 4);
    expect(curves.map((x) => x.label)).toEqual([0, 1, 2, 3]);
    const ref = ovrRef();
    curves.forEach((curve, i) => expect(Math.abs(curve.auc - ref[i])).toBeLessThan(1e-9));
  });
});
