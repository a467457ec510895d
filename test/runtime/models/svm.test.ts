import { describe, expect, it } from "vitest";
import { fourierComponents, SMO_MAX_ROWS, svm } from "../../../runtime/models/svm.js";
import type { Matrix } from "../../../runtime/models/types.js";
import { runSklearn, sklearnAvailable } from "../metrics/sklearn-oracle.js";
import { accuracy, cars, majorityRate, penguins, r2, seattleWeather } from "./datasets.js";

const HAVE_SKLEARN = sklearnAvailable();
if (!HAVE_SKLEARN) console.warn("SKIPPED svm parity with scikit-learn: /usr/bin/python3 cannot import sklearn");

/** Row-major plain arrays for python. */
const rowsOf = (x: Matrix): number[][] => Array.from({ length: x.n }, (_, i) => x.columns.map((c) => c[i]));

/** scikit-learn's SVC(probability=True) / SVR on StandardScaler'd features (SVR on a standardised target), with Lathe's default tol. */
const SKLEARN_SVM = `
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR
Xtr, Xte, y = np.array(data["train"]), np.array(data["test"]), np.array(data["y"])
sc = StandardScaler().fit(Xtr)
A, B = sc.transform(Xtr), sc.transform(Xte)
if data["task"] == "classification":
    m = SVC(C=data["c"], tol=1e-4, probability=True, random_state=0).fit(A, y.astype(int))
    print(json.dumps({"pred": m.predict(B).tolist(), "proba": m.predict_proba(B).tolist(), "nsv": int(m.n_support_.sum()), "rho": (-m.intercept_).tolist()}))
else:
    mu, sd = y.mean(), y.std()
    m = SVR(C=data["c"], epsilon=data["epsilon"], tol=1e-4).fit(A, (y - mu) / sd)
    print(json.dumps({"pred": (m.predict(B) * sd + mu).tolist(), "nsv": int(len(m.support_)), "rho": (-m.intercept_).tolist()}))
`;

describe("svm", () => {
  const species = penguins();
  const classify = (params: Record<string, string | number>, seed = 1, data = species) =>
    svm.train({ task: "classification", ...data.train, classes: data.classes, params, seed });

  it("classifies penguin species with linear and rbf kernels", async () => {
    for (const kernel of ["linear", "rbf"]) {
      const model = await classify({ kernel });
      expect(accuracy(model.predict(species.test.x), species.test.y)).toBeGreaterThanOrEqual(0.95);
    }
    const linear = await classify({ kernel: "linear" });
    expect(linear.importance!().reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });

  it("regresses car fuel economy", async () => {
    const data = cars();
    const fit = (params: Record<string, string | number>) =>
      svm.train({ task: "regression", ...data.train, classes: [], params, seed: 1 });
    // On this split sklearn gets R² 0.638 (LinearSVR) and 0.708 / 0.782 (SVR rbf, C = 1 / 10).
    const linear = r2((await fit({ kernel: "linear" })).predict(data.test.x), data.test.y);
    const rbf = r2((await fit({ kernel: "rbf", c: 10 })).predict(data.test.x), data.test.y);
    expect(linear).toBeGreaterThanOrEqual(0.63);
    expect(rbf).toBeGreaterThanOrEqual(0.72);
    expect(rbf).toBeGreaterThan(linear);
  });

  it("beats the majority class on seattle weather", async () => {
    const w = seattleWeather();
    const model = await classify({ kernel: "rbf" }, 1, w);
    expect(accuracy(model.predict(w.test.x), w.test.y)).toBeGreaterThan(majorityRate(w.test.y));
  });

  it("is reproducible per seed, seed-dependent with rbf, and round-trips through JSON", async () => {
    const a = await classify({ kernel: "rbf" }, 7);
    const b = await classify({ kernel: "rbf" }, 7);
    // The seed shuffles the rows of Platt's cross-validation folds.
    const c = await classify({ kernel: "rbf" }, 8);
    const proba = (m: typeof a) => m.predictProba!(species.test.x);
    expect(proba(b)).toEqual(proba(a));
    expect(proba(c)).not.toEqual(proba(a));
    const loaded = svm.load(JSON.parse(JSON.stringify(a.toJSON())));
    expect(loaded.predictProba!(species.test.x)).toEqual(proba(a));
    expect(loaded.predict(species.test.x)).toEqual(a.predict(species.test.x));
  });

  it.skipIf(!HAVE_SKLEARN)("rbf is solved exactly (libsvm's SMO): the same support vectors, offsets and predictions as scikit-learn's SVC and SVR", async () => {
    const w = seattleWeather();
    const model = await classify({ kernel: "rbf", c: 2 }, 1, w);
    expect(model.method).toBe("smo");
    const state = model.toJSON().state as { nSV: number[]; rho: number[] };
    const c = cars();
    const reg = await svm.train({ task: "regression", ...c.train, classes: [], params: { kernel: "rbf", c: 3, epsilon: 0.2 }, seed: 1 });
    expect(reg.method).toBe("smo");
    const regState = reg.toJSON().state as { nSV: number[]; rho: number[] };
    const [sk, skReg] = runSklearn([
      { script: SKLEARN_SVM, data: { task: "classification", c: 2, train: rowsOf(w.train.x), test: rowsOf(w.test.x), y: Array.from(w.train.y) } },
      { script: SKLEARN_SVM, data: { task: "regression", c: 3, epsilon: 0.2, train: rowsOf(c.train.x), test: rowsOf(c.test.x), y: Array.from(c.train.y) } },
    ]) as { pred: number[]; proba?: number[][]; nsv: number; rho: number[] }[];
    // Float32 features against float64: the same solution up to the solver's tolerance.
    const pred = Array.from(model.predict(w.test.x));
    const agree = pred.filter((p, i) => p === sk.pred[i]).length / pred.length;
    expect(agree).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(state.nSV.reduce((a, b) => a + b, 0) - sk.nsv)).toBeLessThanOrEqual(0.02 * sk.nsv);
    state.rho.forEach((r, p) => expect(r).toBeCloseTo(sk.rho[p], 2));
    // Platt's sigmoids come from 5-fold cross-validation with another shuffle: close, not equal.
    const proba = model.predictProba!(w.test.x);
    const k = w.classes.length;
    let gap = 0;
    for (let i = 0; i < w.test.x.n; i++) for (let j = 0; j < k; j++) gap += Math.abs(proba[i * k + j] - sk.proba![i][j]);
    expect(gap / (w.test.x.n * k)).toBeLessThan(0.03);
    expect(Math.abs(regState.nSV[0] - skReg.nsv)).toBeLessThanOrEqual(2);
    expect(regState.rho[0]).toBeCloseTo(skReg.rho[0], 2);
    const regPred = reg.predict(c.test.x);
    regPred.forEach((v, i) => expect(v).toBeCloseTo(skReg.pred[i], 1));
  });

  it("says which method ran: smo up to the row limit, random Fourier features beyond it or when components is set", async () => {
    const rff = await classify({ kernel: "rbf", components: 50 });
    expect(rff.method).toBe("rff 50");
    expect(accuracy(rff.predict(species.test.x), species.test.y)).toBeGreaterThanOrEqual(0.9);
    expect((await classify({ kernel: "rbf" })).method).toBe("smo");
    expect((await classify({ kernel: "linear" })).method).toBeUndefined();
    const loaded = svm.load(JSON.parse(JSON.stringify(rff.toJSON())));
    expect(loaded.method).toBe("rff 50");
    expect(loaded.predictProba!(species.test.x)).toEqual(rff.predictProba!(species.test.x));
    // Beyond the limit the feature count follows the data size, between 300 and 2,000.
    expect(fourierComponents(SMO_MAX_ROWS + 1)).toBe(1999);
    expect(fourierComponents(10_000_000)).toBe(300);
  });

  it("kernel svm regression round-trips through JSON and rejects bad options", async () => {
    const c = cars();
    const reg = await svm.train({ task: "regression", ...c.train, classes: [], params: { kernel: "rbf" }, seed: 1 });
    const loaded = svm.load(JSON.parse(JSON.stringify(reg.toJSON())));
    expect(loaded.predict(c.test.x)).toEqual(reg.predict(c.test.x));
    expect(r2(reg.predict(c.test.x), c.test.y)).toBeGreaterThanOrEqual(0.7);
    for (const params of [{ c: -1 }, { tol: 0 }, { components: -1 }, { components: 1.5 }, { epsilon: -0.1 }, { gamma: -1 }] as Record<string, number>[]) {
      await expect(svm.train({ task: "regression", ...c.train, classes: [], params: { kernel: "rbf", ...params }, seed: 1 })).rejects.toThrow(/option/);
    }
  });

  it("separates two classes with a single decision function", async () => {
    const y = species.train.y.map((v) => (v === 2 ? 1 : 0));
    const yt = species.test.y.map((v) => (v === 2 ? 1 : 0));
    const model = await svm.train({ task: "classification", x: species.train.x, y, classes: ["other", "Gentoo"], params: {}, seed: 1 });
    expect(accuracy(model.predict(species.test.x), yt)).toBeGreaterThanOrEqual(0.98);
  });
});
