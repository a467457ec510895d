import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { latestMonitorResult } from "../../runtime/monitor/monitor-record.js";
import { startServer } from "../../runtime/serve/server.js";
import { penguinRows, predict, registeredStore } from "../runtime/serve/fixture.js";
import { latheSync, tempDir } from "../helpers.js";


const lathe = latheSync;

let root: string;
beforeAll(async () => {
  root = await registeredStore();
  const server = await startServer({ store: root, ref: { name: "penguins" }, port: 0, pollMs: 0, logOptions: { flushMs: 20 } });
  for (const r of penguinRows().slice(0, 60)) expect((await predict(server.url, r)).status).toBe(200);
  await server.close();
}, 120_000);

describe("lathe monitor", () => {
  it("default rules (drift on every input column): no alert, exit 0, recorded", () => {
    const r = lathe(["monitor", "penguins", "--store", root, "--window", "1h"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^monitor "penguins" version 1: no alerts — 60 request\(s\)/);
    expect(r.out).toMatch(/Drift per feature/);
    expect(latestMonitorResult(root, "penguins")?.counts.requests).toBe(60);
  });

  it("a failed rule is an alert: the `monitor` statement fails the run with exit 3 and records its rules; `lathe monitor` uses them (exit 3, JSON, HTML)", () => {
    const dir = tempDir("lathe-monitor-cli-");
    const program = path.join(dir, "watch.lathe");
    writeFileSync(program, 'monitor "penguins" {\n  drift on "Body Mass (g)", Island using psi\n  latency p99 < 0.000001 ms\n  error_rate < 1%\n}\n');
    const run = lathe(["run", program, "--store", root]);
    expect(run.code, run.out + run.err).toBe(3);
    expect(run.out + run.err).toMatch(/latency p99 < 0\.000001 ms/);

    const html = path.join(dir, "report.html");
    const r = lathe(["monitor", "penguins", "--store", root, "--json", "--html", html]);
    expect(r.code, r.err).toBe(3);
    expect(r.err).toMatch(/^lathe: alert: latency p99 < 0\.000001 ms: observed [\d.e-]+, bound 0\.000001$/m);
    const result = JSON.parse(r.out);
    expect(result.alerts).toHaveLength(1);
    expect(result.alerts[0]).toMatchObject({ rule: "latency p99 < 0.000001 ms", bound: 0.000001 });
    expect(result.alerts[0].observed).toBe(result.signals["latency p99"]);
    expect(result.rules.find((x: { rule: string }) => x.rule === "error_rate < 1%")).toMatchObject({ observed: 0, passed: true });
    expect(result.drift.map((d: { feature: string; method: string }) => [d.feature, d.method])).toEqual([["Body Mass (g)", "psi"], ["Island", "psi"]]);
    expect(latestMonitorResult(root, "penguins")).toEqual(Object.fromEntries(Object.entries(result).filter(([k]) => k !== "file")));
    expect(existsSync(result.file)).toBe(true);

    // The report is one file that needs nothing else: no script, no link, no remote resource.
    const text = readFileSync(html, "utf8");
    expect(text).toMatch(/<svg/);
    // The server's process sample (taken when it stopped) is a signal and a chart.
    expect(result.signals["rss max"]).toBeGreaterThan(0);
    expect(text).toContain("Memory and CPU of the process serving");
    expect(text).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const png = path.join(dir, "report.png");
    const shot = spawnSync("chromium", ["--headless", "--no-sandbox", "--disable-gpu", `--screenshot=${png}`, "--window-size=1000,1400", `file://${html}`], { encoding: "utf8", timeout: 120_000 });
    expect(existsSync(png), shot.stderr).toBe(true);
    expect(statSync(png).size).toBeGreaterThan(20_000);
  }, 240_000);

  it("usage and data errors", () => {
    expect(lathe(["monitor", "penguins", "--store", root, "--window", "soon"]).code).toBe(2);
    expect(lathe(["monitor", "penguins", "--store", root, "--since", "yesterday"]).code).toBe(2);
    expect(lathe(["monitor", "penguins", "--store", root, "--source", "stream"])).toMatchObject({ code: 2, err: expect.stringContaining("--source takes serve, batch or all") });
    const unknown = lathe(["monitor", "nobody", "--store", root]);
    expect(unknown.code).toBe(4);
    expect(unknown.err).toMatch(/error\[unknown-model-name\]/);
  });
});
