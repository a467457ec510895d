import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { ChartThread as SourceChartThread } from "../../../runtime/charts/chart-thread.js";
import { confusionMatrixChart, lossCurveChart, renderBundle, type VegaLiteSpec } from "../../../runtime/charts/index.js";
import { repo, tempDir } from "../../helpers.js";

// A worker thread cannot load the .ts sources vitest runs, so the thread is the compiled one (npm test builds dist/ first).
const compiled = pathToFileURL(path.join(repo, "dist/runtime/charts/chart-thread.js")).href;
const { ChartThread } = (await import(/* @vite-ignore */ compiled)) as typeof import("../../../runtime/charts/chart-thread.js");

const clipped: VegaLiteSpec = {
  $schema: "https://vega.github.io/schema/vega-lite/v5.json",
  title: "Clipped",
  data: { values: [{ x: 1, y: 5 }, { x: 3, y: 50 }] },
  mark: { type: "line", clip: true },
  encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative", scale: { domain: [0, 10] } } },
};

describe("ChartThread", () => {
  const threads: SourceChartThread[] = [];
  const start = (signal?: AbortSignal) => {
    const t = ChartThread.start(signal)!;
    threads.push(t);
    return t;
  };
  afterAll(() => threads.forEach((t) => t.close()));

  it("draws the same bundle as this thread, byte for byte, chart after chart", async () => {
    const thread = start();
    const charts: [VegaLiteSpec, { png?: boolean; scale?: number }][] = [
      [confusionMatrixChart({ classes: ["Adelie", "Chinstrap", "Gentoo"], matrix: [[30, 1, 0], [2, 11, 0], [0, 0, 25]] }), {}],
      [clipped, {}],
      [lossCurveChart({ history: [1, 2, 3].map((step) => ({ step, loss: 1 / step, valLoss: 1.1 / step })) }), { png: false }],
      [clipped, { scale: 1 }],
    ];
    for (const [spec, opts] of charts) {
      const there = await thread.draw(spec, opts);
      const here = await renderBundle(spec, opts);
      expect(there["image/svg+xml"]).toBe(here["image/svg+xml"]);
      expect(there["image/png"]).toBe(here["image/png"]);
      expect(Object.keys(there)).toEqual(Object.keys(here));
      expect(there["text/plain"]).toBe(here["text/plain"]);
      // The bundle holds the spec it was given, as renderBundle's does, not the thread's copy.
      expect(there["application/vnd.vegalite.v5+json"]).toBe(spec);
    }
  });

  it("fails a chart that cannot be drawn with the error drawing it here gives", async () => {
    const bad = { mark: "point", transform: [{ calculate: "foo(", as: "b" }], data: { values: [{ a: 1 }] } } as unknown as VegaLiteSpec;
    const here = await renderBundle(bad).catch((e: Error) => e);
    const there = await start().draw(bad).catch((e: Error) => e);
    expect(here).toBeInstanceOf(Error);
    expect(there).toBeInstanceOf(Error);
    expect([(there as Error).name, (there as Error).message]).toEqual([(here as Error).name, (here as Error).message]);
  });

  it("an interrupted run's chart fails as interrupted; a closed thread draws nothing", async () => {
    const controller = new AbortController();
    const thread = start(controller.signal);
    const drawing = thread.draw(clipped);
    controller.abort();
    await expect(drawing).rejects.toMatchObject({ name: "AbortError" });
    const closed = start();
    const pending = closed.draw(clipped);
    closed.close();
    await expect(pending).rejects.toThrow("the chart thread was closed");
    await expect(closed.draw(clipped)).rejects.toThrow("the chart thread was closed");
  });

  it("a thread that dies is only a head start lost: what it was drawing, and every later chart, is drawn in this thread", async () => {
    // Drawn first: the sources' renderBundle and the build's (which the thread falls back to) are two
    // modules, each serialising its own charts, over one Vega whose ids must not be reset mid-chart.
    const here = await renderBundle(clipped);
    const thread = start();
    const drawing = thread.draw(clipped);
    // The worker ended from outside, as an out-of-memory error would end it.
    await (thread as unknown as { worker: Worker }).worker.terminate();
    expect((await drawing)["image/png"]).toBe(here["image/png"]);
    expect((await thread.draw(clipped))["image/svg+xml"]).toBe(here["image/svg+xml"]);
  });

  it("never keeps a process alive: one left open, loading or done drawing, ends with the process", () => {
    for (const body of ["ChartThread.start();", "const t = ChartThread.start(); await t.draw(spec); console.log('drawn');"]) {
      const script = path.join(tempDir(), "thread.mjs");
      writeFileSync(script, `const { ChartThread } = await import(${JSON.stringify(compiled)}); const spec = ${JSON.stringify(clipped)}; ${body}`);
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [script], { encoding: "utf8", timeout: 60_000 });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(body.includes("drawn") ? "drawn\n" : "");
      expect(Date.now() - t0).toBeLessThan(30_000);
    }
  });

  it("is not started from the TypeScript sources, where a worker could not load its script", () => {
    expect(SourceChartThread.start()).toBeUndefined();
  });
});
