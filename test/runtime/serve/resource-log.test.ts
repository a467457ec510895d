import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ResourceSampler } from "../../../runtime/serve/resource-log.js";
import { tempDir } from "../../helpers.js";

const records = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".ndjson")).flatMap((f) => readFileSync(path.join(dir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)));

describe("ResourceSampler", () => {
  it("samples the process's RSS at start, and RSS and CPU share every interval and once when stopped", async () => {
    const dir = path.join(tempDir("lathe-resources-"), "r");
    const before = process.cpuUsage();
    const sampler = new ResourceSampler({ dir, model: "m", everyMs: 30 });
    // Busy for a while, so the samples see CPU used, then idle while the timer samples.
    const busy = Date.now() + 150;
    while (Date.now() < busy) Math.sqrt(Math.random());
    await new Promise((r) => setTimeout(r, 80));
    await sampler.stop();
    const used = process.cpuUsage(before);
    await sampler.stop();
    const got = records(dir);
    expect(got.length).toBeGreaterThanOrEqual(3);
    // The start sample: memory only.
    expect(got[0]).toMatchObject({ interval_ms: 0 });
    expect(got[0].cpu).toBeUndefined();
    expect(got[0].rss_bytes).toBeGreaterThan(10 * 2 ** 20);
    for (const r of got.slice(1)) {
      expect(r).toMatchObject({ pid: process.pid, model: "m" });
      expect(r.rss_bytes).toBe(Math.round(r.rss_bytes));
      expect(r.rss_bytes).toBeGreaterThan(10 * 2 ** 20);
      expect(r.cpu).toBeGreaterThanOrEqual(0);
      expect(r.interval_ms).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(r.time))).toBe(false);
    }
    // The samples account for the CPU time the process used meanwhile (each share times its interval).
    const sampled = got.slice(1).reduce((s, r) => s + r.cpu * r.interval_ms, 0);
    const ms = (used.user + used.system) / 1000;
    expect(ms).toBeGreaterThan(20);
    expect(Math.abs(sampled - ms)).toBeLessThan(0.1 * ms + 5);
  });

  it("stays bounded: segments opened more than keepMs (plus the day a segment lasts) ago are removed at start", async () => {
    const dir = path.join(tempDir("lathe-resources-"), "r");
    mkdirSync(dir, { recursive: true });
    const stamp = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
    const old = `${stamp(40)}-1-aaaaaaaa.ndjson`;
    const recent = `${stamp(20)}-1-bbbbbbbb.ndjson`;
    for (const f of [old, recent, "notes.txt"]) writeFileSync(path.join(dir, f), "{}\n");
    const sampler = new ResourceSampler({ dir, model: "m", everyMs: 60_000, keepMs: 30 * 86_400_000 });
    await sampler.stop();
    const left = readdirSync(dir);
    expect(left).not.toContain(old);
    expect(left).toContain(recent);
    expect(left).toContain("notes.txt");
  });
});
