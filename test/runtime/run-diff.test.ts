import { describe, expect, it } from "vitest";
import { diffRuns } from "../../runtime/run-diff.js";
import type { StoredRun } from "../../runtime/run-store.js";

const run = (id: string, change: Partial<StoredRun> = {}): StoredRun => ({
  id,
  status: "succeeded",
  startedAt: "2026-11-27T00:00:00Z",
  programPath: "/p/job.lathe",
  programText: "param seed = 1\n",
  programSha: "s1",
  params: { seed: 1 },
  seed: 1,
  backend: "wasm",
  versions: { lathe: "0.1.0" },
  data: { d: "f1" },
  metrics: [{ model: "m", data: "test", metric: "accuracy", value: 0.5 }],
  artifacts: [],
  ...change,
});

describe("diffRuns", () => {
  it("calls two runs with the same data and bit-identical metrics identical", () => {
    const d = diffRuns(run("a"), run("b"));
    expect(d).toMatchObject({ program: undefined, params: [], data: [], versions: [], backend: undefined, identical: true });
    expect(d.metrics).toEqual([{ model: "m", data: "test", metric: "accuracy", a: 0.5, b: 0.5, delta: 0, same: true }]);
  });

  it("treats metrics bit for bit: NaN matches NaN, 0 does not match -0, a metric on one side only differs", () => {
    const nan = diffRuns(run("a", { metrics: [{ model: "m", data: "t", metric: "r2", value: NaN }] }), run("b", { metrics: [{ model: "m", data: "t", metric: "r2", value: NaN }] }));
    expect(nan.identical).toBe(true);
    const zero = diffRuns(run("a", { metrics: [{ model: "m", data: "t", metric: "x", value: 0 }] }), run("b", { metrics: [{ model: "m", data: "t", metric: "x", value: -0 }] }));
    expect(zero.identical).toBe(false);
    const extra = diffRuns(run("a"), run("b", { metrics: [...run("b").metrics, { model: "m", data: "test", metric: "f1", value: 0.4 }] }));
    expect(extra.metrics.find((m) => m.metric === "f1")).toEqual({ model: "m", data: "test", metric: "f1", a: undefined, b: 0.4, delta: undefined, same: false });
    expect(extra.identical).toBe(false);
  });

  it("names what differs: program text as a unified diff, params, data, versions, backend; a failed run is never identical", () => {
    const d = diffRuns(run("a"), run("b", { programText: "param seed = 2\n", programSha: "s2", params: { seed: 2, k: 3 }, data: { d: "f2", e: "f3" }, versions: { lathe: "0.2.0" }, backend: "native" }));
    expect(d.program).toMatch(/^--- a\/job\.lathe\n\+\+\+ b\/job\.lathe\n@@ -1,1 \+1,1 @@\n-param seed = 1\n\+param seed = 2\n/);
    expect(d.params).toEqual([{ name: "k", a: undefined, b: 3 }, { name: "seed", a: 1, b: 2 }]);
    expect(d.data).toEqual([{ name: "d", a: "f1", b: "f2" }, { name: "e", a: undefined, b: "f3" }]);
    expect(d.versions).toEqual([{ name: "lathe", a: "0.1.0", b: "0.2.0" }]);
    expect(d.backend).toEqual({ name: "backend", a: "wasm", b: "native" });
    expect(d.identical).toBe(false);
    expect(diffRuns(run("a", { status: "failed" }), run("b")).identical).toBe(false);
  });
});
