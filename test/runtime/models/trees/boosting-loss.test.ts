import { describe, expect, test } from "vitest";
import { nativeBoosting } from "../../../../runtime/models/native-engine.js";
import { binomialPassJs, boostingLoss, multinomialPassJs, nativeLossPass } from "../../../../runtime/models/trees/boosting-loss.js";
import { Rng } from "../../../../runtime/models/trees/prng.js";

const rng = new Rng(4);
const n = 2000;
/** Raw scores from −40 to 40: saturated rows must not overflow. */
const scores = (k: number) => Float64Array.from({ length: k * n }, () => (rng.nextInt(80_000) - 40_000) / 1000);

describe("boosting losses", () => {
  test("log loss for two classes: mean of log(1 + e^r) − y·r, gradient p − y, hessian p(1 − p)", () => {
    const loss = boostingLoss("classification", 2);
    const y = Float32Array.from({ length: n }, () => rng.nextInt(2));
    const raw = scores(1);
    const g = new Float32Array(n);
    const h = new Float32Array(n);
    let expected = 0;
    for (let i = 0; i < n; i++) expected += Math.max(raw[i], 0) + Math.log1p(Math.exp(-Math.abs(raw[i]))) - y[i] * raw[i];
    expected /= n;
    expect(loss.gradients(y, raw, g, h)).toBeCloseTo(expected, 10);
    expect(loss.loss(y, raw)).toBe(loss.gradients(y, raw, g, h));
    for (const i of [0, 1, 17, n - 1]) {
      const p = 1 / (1 + Math.exp(-raw[i]));
      expect(g[i]).toBeCloseTo(p - y[i], 6);
      expect(h[i]).toBeCloseTo(p * (1 - p), 6);
    }
    // The baseline is the log-odds of the second class's share.
    expect(loss.baseline(Float32Array.of(1, 0, 0, 0))[0]).toBeCloseTo(Math.log(1 / 3), 12);
  });

  test("softmax cross-entropy for more classes, with symmetric baseline logits", () => {
    const k = 4;
    const loss = boostingLoss("classification", k);
    expect(loss.outputs).toBe(k);
    const y = Float32Array.from({ length: n }, () => rng.nextInt(k));
    const raw = scores(k);
    const g = new Float32Array(k * n);
    const h = new Float32Array(k * n);
    let expected = 0;
    for (let i = 0; i < n; i++) {
      const r = Array.from({ length: k }, (_, c) => raw[c * n + i]);
      const max = Math.max(...r);
      expected += Math.log(r.reduce((s, v) => s + Math.exp(v - max), 0)) + max - r[y[i]];
    }
    expect(loss.gradients(y, raw, g, h)).toBeCloseTo(expected / n, 10);
    // Gradients of a row sum to 0 (probabilities sum to 1).
    expect(g[0] + g[n] + g[2 * n] + g[3 * n]).toBeCloseTo(0, 6);
    const base = loss.baseline(Float32Array.of(0, 0, 1, 3));
    expect(base.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 12);
    expect(base[0] - base[1]).toBeCloseTo(Math.log(2), 12);
  });

  test("half squared error for regression, its hessians constant", () => {
    const loss = boostingLoss("regression", 0);
    expect(loss.constantHessian).toBe(true);
    const y = Float32Array.of(1, 2, 6);
    expect(Array.from(loss.baseline(y))).toEqual([3]);
    const g = new Float32Array(3);
    expect(loss.gradients(y, Float64Array.of(3, 3, 3), g, new Float32Array(0))).toBeCloseTo((4 + 1 + 9) / 6, 12);
    expect(Array.from(g)).toEqual([2, 1, -3]);
  });

  test.skipIf(!nativeBoosting())("the native two-class pass gives the JavaScript pass's gradients, hessians and loss bit for bit (its exp is Math.exp)", () => {
    const native = nativeBoosting()!;
    const rows = 400_000;
    // Every range exp meets: tiny, around ln2 / 2 and 1.5 ln2, large, past under- and overflow, ±0.
    const raw = Float64Array.from({ length: rows }, (_, i) => {
      const u = rng.nextUint32() / 2 ** 32 - 0.5;
      const scale = [1e-9, 0.4, 1.1, 3, 40, 800][i % 6];
      return u * 2 * scale;
    });
    raw.set([0, -0, 2 ** -29, -(2 ** -29), 0.5 * Math.LN2, 1.5 * Math.LN2, 709.78, -745.2, -708.5, 1e308, -1e308], 0);
    const y = Float32Array.from({ length: rows }, () => rng.nextInt(2));
    const gJs = new Float32Array(rows);
    const hJs = new Float32Array(rows);
    const g = new Float32Array(rows);
    const h = new Float32Array(rows);
    const expected = binomialPassJs(y, raw, gJs, hJs);
    expect(Object.is(nativeLossPass(y, raw, 1, g, h, 1, native), expected)).toBe(true);
    expect(Buffer.from(g.buffer).equals(Buffer.from(gJs.buffer))).toBe(true);
    expect(Buffer.from(h.buffer).equals(Buffer.from(hJs.buffer))).toBe(true);
    expect(Object.is(nativeLossPass(y, raw, 1, undefined, undefined, 1, native), binomialPassJs(y, raw))).toBe(true);
    expect(() => native.binomial(y, raw, g, h, true, new Float64Array(3))).toThrow(/out too short/);
  });

  test.skipIf(!nativeBoosting())("the native softmax pass gives the JavaScript pass's gradients, hessians and loss bit for bit", () => {
    const native = nativeBoosting()!;
    for (const k of [3, 7]) {
      const rows = 30_000;
      const raw = Float64Array.from({ length: k * rows }, (_, i) => (rng.nextUint32() / 2 ** 32 - 0.5) * [0.1, 3, 60, 900][i % 4]);
      const y = Float32Array.from({ length: rows }, () => rng.nextInt(k));
      const [g, h, gJs, hJs] = Array.from({ length: 4 }, () => new Float32Array(k * rows));
      const expected = multinomialPassJs(y, raw, k, gJs, hJs);
      expect(Object.is(nativeLossPass(y, raw, k, g, h, 1, native), expected)).toBe(true);
      expect(Buffer.from(g.buffer).equals(Buffer.from(gJs.buffer))).toBe(true);
      expect(Buffer.from(h.buffer).equals(Buffer.from(hJs.buffer))).toBe(true);
      expect(Object.is(nativeLossPass(y, raw, k, undefined, undefined, 1, native), multinomialPassJs(y, raw, k))).toBe(true);
    }
    expect(() => native.multinomial(Float32Array.of(3), new Float64Array(3), 3, new Float32Array(3), new Float32Array(3), true, new Float64Array(4))).toThrow(/class index/);
  });
});
