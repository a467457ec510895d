import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelRegistry } from "../../../runtime/model-registry.js";
import { evaluateMonitor } from "../../../runtime/monitor/evaluate.js";
import type { ModelReference } from "../../../runtime/monitor/model-reference.js";
import { latestMonitorResult, writeMonitorResult } from "../../../runtime/monitor/monitor-record.js";
import { resourceChartSpec } from "../../../runtime/monitor/monitor-charts.js";
import { monitorTables } from "../../../runtime/monitor/monitor-report.js";
import { predictionLogDir, resourceLogDir } from "../../../runtime/serve/prediction-log.js";
import { startServer, type ServeHandle } from "../../../runtime/serve/server.js";
import { storeLayout } from "../../../runtime/store/store-layout.js";
import { penguinRows, predict, registeredStore, request } from "../serve/fixture.js";

const rows = penguinRows();
let root: string;
let server: ServeHandle;

beforeAll(async () => {
  root = await registeredStore();
  server = await startServer({ store: root, ref: { name: "penguins" }, port: 0, pollMs: 0, logOptions: { flushMs: 20 } });
}, 120_000);
afterAll(() => server?.close());

const inputFields = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "Island"];

/** A prediction record as the server logs it, at `time`, with the given inputs. */
function record(id: string, time: string, input: Record<string, unknown>, latency = 1): string {
  return JSON.stringify({ request_id: id, row: 0, time, model: "penguins", version: 1, input, prediction: "Adelie", latency_ms: latency });
}

describe("the reference stored with a registered version", () => {
  it("profiles each raw input column of the training rows, once, beside the version", () => {
    const ref = new ModelRegistry(storeLayout(root)).reference<ModelReference>("penguins", 1)!;
    expect(ref.format).toBe("lathe-model-reference");
    expect(ref.input.map((c) => c.name).sort()).toEqual([...inputFields].sort());
    expect(ref.unprofiled).toEqual([]);
    const island = ref.profile.features.find((f) => f.feature === "Island")!;
    const mass = ref.profile.features.find((f) => f.feature === "Body Mass (g)")!;
    expect(island.kind).toBe("categorical");
    expect(mass.kind).toBe("numeric");
    // The training part of a 70/30 split of the 342 penguins with a species: raw rows (the fill is fitted after the split, so missing values are still there).
    expect(ref.profile.rows).toBeGreaterThan(230);
    expect(ref.profile.rows).toBeLessThan(250);
    expect(ref.metrics.map((m) => m.metric)).toContain("accuracy");
    expect(new ModelRegistry(storeLayout(root)).reference("penguins", 99)).toBeUndefined();
  });
});

describe("live metrics from POST /feedback", () => {
  it("joins each label to its logged prediction; accuracy is exactly the share of right predictions", async () => {
    const sent = rows.filter((_, i) => i % 7 === 0);
    const labels: { request_id: string; row: number; label: string }[] = [];
    let right = 0;
    let labelled = 0;
    for (const [i, r] of sent.entries()) {
      const a = await predict(server.url, r);
      expect(a.status).toBe(200);
      // Every third prediction gets no label; a wrong label is sent for every fifth (and then corrected for some).
      if (i % 3 === 2) continue;
      const truth = String(r.Species);
      const label = i % 5 === 0 ? "Chinstrap" : truth;
      labels.push({ request_id: a.json.request_id, row: 0, label: i % 5 === 0 && i % 2 === 0 ? "Gentoo" : label });
      if (i % 5 === 0 && i % 2 === 0) labels.push({ request_id: a.json.request_id, row: 0, label });
      labelled++;
      if (a.json.predictions[0].prediction === label) right++;
    }
    // A batch of three rows: only its second row is labelled.
    const batch = await predict(server.url, sent.slice(0, 3));
    labels.push({ request_id: batch.json.request_id, row: 1, label: String(sent[1].Species) });
    labelled++;
    if (batch.json.predictions[1].prediction === String(sent[1].Species)) right++;
    // Labels for no logged prediction are ignored; a failed request is counted as an error.
    labels.push({ request_id: "no-such-request", row: 0, label: "Adelie" });
    for (const l of labels) {
      const f = await request(server.url, { method: "POST", path: "/feedback", body: JSON.stringify(l), headers: { "Content-Type": "application/json" } });
      expect(f.status, f.text).toBe(200);
      await new Promise((r) => setTimeout(r, 3)); // the latest label of a prediction wins: keep their times apart
    }
    expect((await predict(server.url, { Island: "Biscoe" })).status).toBe(400);
    await server.close();

    const result = await evaluateMonitor({ root, ref: { name: "penguins" }, rules: { drift: [], thresholds: [{ key: "accuracy", op: ">=", bound: 1, text: "accuracy >= 1" }] } });
    expect(result.counts.labelled).toBe(labelled);
    expect(result.signals.accuracy).toBe(right / labelled);
    expect(result.counts.requests).toBe(sent.length + 1);
    expect(result.counts.predictions).toBe(sent.length + 3);
    expect(result.counts.errors).toBe(1);
    expect(result.signals.error_rate).toBe(1 / (sent.length + 2));
    expect(right).toBeLessThan(labelled);
    expect(result.alerts).toEqual([{ rule: "accuracy >= 1", observed: right / labelled, bound: 1 }]);
    for (const q of ["p50", "p90", "p95", "p99", "mean", "max"]) expect(result.signals[`latency ${q}`]).toBeGreaterThan(0);
    // The server sampled its process when it stopped: RSS and CPU are signals too.
    expect(result.counts.resources).toBeGreaterThanOrEqual(1);
    expect(result.signals["rss max"]).toBeGreaterThan(10 * 2 ** 20);
    expect(result.signals["cpu mean"]).toBeGreaterThanOrEqual(0);
  }, 120_000);
});

describe("drift and the window", () => {
  // Logged in 2030, far from the requests above: a one-hour window ending then holds only these.
  const dir = () => predictionLogDir(root, "penguins");
  const now = new Date("2030-01-01T01:00:00.000Z");

  beforeAll(() => {
    mkdirSync(dir(), { recursive: true });
    const inWindow = rows.map((r, i) => record(`w${i}`, new Date(now.getTime() - 3_000_000 + i * 1000).toISOString(), { ...Object.fromEntries(inputFields.map((f) => [f, r[f]])), "Body Mass (g)": r["Body Mass (g)"] === null ? null : Number(r["Body Mass (g)"]) + 1500 }, 2));
    const before = Array.from({ length: 5 }, (_, i) => record(`old${i}`, "2029-12-31T20:00:00.000Z", Object.fromEntries(inputFields.map((f) => [f, rows[i][f]])), 999));
    writeFileSync(path.join(dir(), "20300101T000000-1-aaaaaaaa.ndjson"), [...before, ...inWindow.slice(0, 100)].join("\n") + "\n");
    // A damaged segment: a line cut short by a crash, a line of garbage, a JSON value that is not a record.
    writeFileSync(path.join(dir(), "20300101T003000-1-bbbbbbbb.ndjson"), inWindow.slice(100).join("\n") + "\n" + '{"request_id":"cut","time":"2030-01-01T00:59:00.000Z","inp\ngarbage {\n42\n');
  });

  it("finds drift on the shifted column and not on the unshifted ones; skips and counts damaged lines; keeps to the window", async () => {
    const result = await evaluateMonitor({ root, ref: { name: "penguins" }, rules: { drift: [{ columns: [], method: "auto" }], thresholds: [{ key: "latency max", op: "<", bound: 100, text: "latency max < 100 ms" }] }, window: { lastMs: 3_600_000 }, now });
    expect(result.counts.predictions).toBe(rows.length);
    expect(result.counts.skipped.predictions).toBe(3);
    expect(result.signals["latency max"]).toBe(2);
    expect(result.alerts).toEqual([]);
    expect(result.window).toEqual({ from: "2030-01-01T00:00:00.000Z", to: "2030-01-01T01:00:00.000Z" });
    expect(result.signals.requests).toBe(rows.length / 60);
    const byFeature = Object.fromEntries(result.drift.map((d) => [d.feature, d]));
    expect(Object.keys(byFeature).sort()).toEqual([...inputFields].sort());
    expect(byFeature["Body Mass (g)"]).toMatchObject({ method: "ks", drifted: true });
    expect(byFeature["Body Mass (g)"].pValue).toBeLessThan(1e-10);
    for (const f of ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)"]) expect(byFeature[f]).toMatchObject({ method: "ks", drifted: false });
    expect(byFeature.Island).toMatchObject({ method: "chi2", kind: "categorical", drifted: false });
    expect(result.signals.drift).toBe(1 / 5);
    expect(result.signals.psi).toBe(byFeature["Body Mass (g)"].psi);
    expect(result.dataset).toEqual({ drifted: false, share: 0.2, threshold: 0.5 });

    // A window that holds only the five earlier records sees their latency.
    const earlier = await evaluateMonitor({ root, ref: { name: "penguins" }, rules: { drift: [{ columns: ["Island"], method: "psi" }], thresholds: [{ key: "latency p50", op: "<", bound: 100, text: "latency p50 < 100 ms" }] }, window: { since: new Date("2029-12-31T19:00:00Z") }, now: new Date("2029-12-31T21:00:00Z") });
    expect(earlier.counts.predictions).toBe(5);
    expect(earlier.drift.map((d) => [d.feature, d.method])).toEqual([["Island", "psi"]]);
    expect(earlier.alerts).toEqual([{ rule: "latency p50 < 100 ms", observed: 999, bound: 100 }]);

    // Stored and read back: the latest evaluation of the name.
    writeMonitorResult(root, earlier);
    writeMonitorResult(root, result);
    expect(latestMonitorResult(root, "penguins")).toEqual(result);
    expect(latestMonitorResult(root, "nobody")).toBeUndefined();
  }, 60_000);

  it("a record whose fields have unexpected types is read, not skipped: a number in a string is the number, anything else missing", async () => {
    const at = (s: number) => `2031-01-01T00:00:0${s}.000Z`;
    const lines = [
      { request_id: "odd1", row: "0", time: at(1), version: 1, input: { "Body Mass (g)": "4000", Island: 7 }, prediction: "Adelie", latency_ms: "3" },
      { request_id: "odd2", row: 0, time: at(2), version: "1", input: "not an object", prediction: "Adelie", latency_ms: "slow" },
      { request_id: "odd3", time: at(3), version: 1, input: { "Body Mass (g)": { grams: 4200 }, Island: null }, prediction: "Adelie", latency_ms: 5 },
    ];
    writeFileSync(path.join(dir(), "20310101T000000-1-cccccccc.ndjson"), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    const result = await evaluateMonitor({ root, ref: { name: "penguins" }, rules: { drift: [{ columns: ["Body Mass (g)", "Island"], method: "psi" }], thresholds: [] }, window: { since: new Date("2031-01-01T00:00:00Z") }, now: new Date("2031-01-01T00:01:00Z") });
    expect(result.counts.predictions).toBe(3);
    expect(result.counts.skipped.predictions).toBe(3); // the damaged lines of the other segment, only
    expect(result.versions).toEqual({ "1": 3 });
    expect(result.signals["latency max"]).toBe(5);
    expect(result.signals["latency p50"]).toBe(4);
    const byFeature = Object.fromEntries(result.drift.map((d) => [d.feature, d]));
    expect(byFeature["Body Mass (g)"].missing.current).toBe(2 / 3);
    expect(byFeature.Island.missing.current).toBe(2 / 3);
  });

  it("an unknown drift column is a coded error; so is a version without a reference", async () => {
    await expect(evaluateMonitor({ root, ref: { name: "penguins" }, rules: { drift: [{ columns: ["Wingspan"], method: "auto" }], thresholds: [] } })).rejects.toMatchObject({ code: "unknown-column" });
    appendFileSync(path.join(dir(), "20300101T003000-1-bbbbbbbb.ndjson"), "");
    // Version 2 has a reference too; one removed by hand (as for a version registered before references existed) is said so.
    const { rmSync } = await import("node:fs");
    rmSync(path.join(root, "registry", "penguins", "references", "000002.json"));
    await expect(evaluateMonitor({ root, ref: { name: "penguins", version: 2 }, rules: { drift: [], thresholds: [] } })).rejects.toMatchObject({ code: "no-reference-profile" });
  });
});

describe("the server process's RSS and CPU", () => {
  it("mean and max RSS, CPU weighted by each sample's interval, per bucket over time; rules bound them", async () => {
    const dir = resourceLogDir(root, "penguins");
    mkdirSync(dir, { recursive: true });
    const mb = 2 ** 20;
    // Two processes' samples in 2032: 10 minutes apart, RSS growing, CPU busy in the second half.
    const samples = Array.from({ length: 6 }, (_, i) => ({ time: new Date(Date.UTC(2032, 0, 1, 0, i * 10)).toISOString(), pid: 100 + (i % 2), model: "penguins", rss_bytes: (100 + 20 * i) * mb, cpu: i < 3 ? 0.1 : 0.5, interval_ms: i === 5 ? 30_000 : 10_000 }));
    writeFileSync(path.join(dir, "20320101T000000Z-100-dddddddd.ndjson"), samples.map((x) => JSON.stringify(x)).join("\n") + "\n" + "{not json\n");
    const rules = { drift: [], thresholds: [{ key: "rss max", op: "<" as const, bound: 150 * mb, text: "rss max < 150 MB" }, { key: "cpu mean", op: "<" as const, bound: 0.5, text: "cpu mean < 50%" }] };
    const result = await evaluateMonitor({ root, ref: { name: "penguins" }, rules, window: { since: new Date("2032-01-01T00:00:00Z") }, now: new Date("2032-01-01T01:00:00Z") });
    expect(result.counts.resources).toBe(6);
    expect(result.counts.skipped.resources).toBe(1);
    expect(result.signals["rss max"]).toBe(200 * mb);
    expect(result.signals["rss mean"]).toBe(150 * mb);
    // (0.1·3·10 s + 0.5·(2·10 s + 30 s)) / 80 s
    expect(result.signals["cpu mean"]).toBeCloseTo((0.1 * 30 + 0.5 * 50) / 80, 12);
    expect(result.signals["cpu max"]).toBe(0.5);
    expect(result.alerts).toEqual([{ rule: "rss max < 150 MB", observed: 200 * mb, bound: 150 * mb }]);
    expect(result.rules.find((r) => r.signal === "cpu mean")).toMatchObject({ passed: true });
    // Buckets of 1 min over the hour: each sample in its own, with its RSS and CPU.
    expect(result.series.bucketMs).toBe(60_000);
    const withSamples = result.series.points.filter((p) => p.rss !== null);
    expect(withSamples.map((p) => [p.time, p.rss! / mb, p.cpu])).toEqual(samples.map((x) => [x.time, x.rss_bytes / mb, x.cpu]));
    const chart = resourceChartSpec(result) as unknown as { data: { values: { rss: number; cpu: number }[] }; vconcat: unknown[] };
    expect(chart.data.values.map((v) => v.rss)).toEqual([100, 120, 140, 160, 180, 200]);
    expect(chart.vconcat).toHaveLength(2);
    const signals = monitorTables(result).find((t) => t.title === "Signals")!;
    expect(signals.rows.find((r) => r.signal === "rss max")!.value).toBe("200.0 MB");
  });
});
