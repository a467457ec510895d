import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../helpers.js";
import { close, mean, median, quantile, stdPop } from "./reference.js";
import { openSession } from "./run-lathe.js";

type Row = { id: number; day: string; x: number | null; y: number; z: number; c: string; m: string | null };
const dir = tempDir("lathe-fitted-");
// Split by time 60/40: the last 40 days are the test rows, and only they hold extreme values,
// a category never seen in training and most of one `m` value; any statistic that saw them shows it.
const n = 100;
const rows: Row[] = Array.from({ length: n }, (_, i) => {
  const late = i >= 60;
  return {
    id: i,
    day: new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
    x: i % 9 === 0 ? null : late ? 1e6 + i : (i * 37) % 50,
    y: late ? -1e5 : (i * 13) % 17,
    z: late ? 1e9 : i,
    c: late ? "only-in-test" : ["red", "green", "blue"][i % 3],
    // Over all rows the mode of `m` would be "q"; over training rows it is "r".
    m: late ? "q" : i % 4 === 0 ? "q" : "r",
  };
});
const train = rows.slice(0, 60);

let s: Awaited<ReturnType<typeof openSession>>;
beforeAll(async () => {
  // Written in a scrambled order so "first 60 rows of the file" is not the training set.
  writeFileSync(path.join(dir, "rows.json"), JSON.stringify([...rows].reverse()));
  s = await openSession(dir);
  await s.run(`source raw = read "rows.json"
prepare clean = raw {
  derive x2 = x * 2
  fill x with median
  fill x2 with mean
  fill m with mode
  onehot c
  scale y standard
  scale x minmax
  bucket z into 4
}
split clean into train 60%, test 40% by time on day`);
});
afterAll(() => s.close());

describe("fitted steps learn on the training part only", () => {
  it("learns median, mean, mode, scale, vocabulary and bucket edges from training rows", async () => {
    // The part's transform: the stateless derive before the split, then the steps fitted on the training part.
    const post = s.session.executor.dataset("train").transform!.slice(1);
    const fitted = Object.fromEntries(post.map((a, i) => [`${a.step.kind}${i}`, a.fitted]));
    const xTrain = train.map((r) => r.x);
    expect(post[0].step.kind).toBe("fill");
    expect(fitted.fill0).toEqual({ kind: "fill", values: { x: median(xTrain) } });
    const x2 = (fitted.fill1 as { values: Record<string, number> }).values.x2;
    expect(close(x2, mean(xTrain.map((v) => (v === null ? null : v * 2))))).toBe(true);
    expect(fitted.fill2).toEqual({ kind: "fill", values: { m: "r" } });
    expect(fitted.onehot3).toEqual({ kind: "onehot", vocab: { c: ["blue", "green", "red"] } });
    const scaleY = (fitted.scale4 as { stats: Record<string, { center: number; scale: number }> }).stats.y;
    expect(close(scaleY.center, mean(train.map((r) => r.y)))).toBe(true);
    expect(close(scaleY.scale, stdPop(train.map((r) => r.y)))).toBe(true);
    // minmax sees x after the median fill, on training rows.
    const filledX = xTrain.map((v) => v ?? median(xTrain));
    const scaleX = (fitted.scale5 as { stats: Record<string, { center: number; scale: number }> }).stats.x;
    expect(scaleX).toEqual({ center: Math.min(...filledX), scale: Math.max(...filledX) - Math.min(...filledX) });
    const edges = (fitted.bucket6 as { edges: number[] }).edges;
    [0.25, 0.5, 0.75].forEach((p, i) => expect(close(edges[i], quantile(train.map((r) => r.z), p))).toBe(true));
    expect(Math.max(...edges)).toBeLessThan(1e9);
  });

  it("applies the training constants unchanged to the test part; an unseen category goes to __other", async () => {
    const test = await s.rows("test", "id");
    expect(test).toHaveLength(40);
    const med = median(train.map((r) => r.x));
    const filledX = train.map((r) => r.x ?? med);
    const lo = Math.min(...filledX);
    const hi = Math.max(...filledX);
    const yMean = mean(train.map((r) => r.y));
    const yStd = stdPop(train.map((r) => r.y));
    for (const r of test) {
      const o = rows[Number(r.id)];
      expect(close(Number(r.x), ((o.x ?? med) - lo) / (hi - lo))).toBe(true);
      expect(close(Number(r.y), (o.y - yMean) / yStd)).toBe(true);
      expect(r.z).toBe(3);
      expect([r.c_blue, r.c_green, r.c_red, r.c__other]).toEqual([0, 0, 0, 1]);
    }
    const trainRows = await s.rows("train", "id");
    expect(trainRows.every((r) => r.c__other === 0)).toBe(true);
    expect(trainRows.map((r) => Number(r.id))).toEqual(train.map((r) => r.id));
  });
});
