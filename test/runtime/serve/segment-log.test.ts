import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Database } from "../../../runtime/data/database.js";
import { SegmentLog } from "../../../runtime/serve/segment-log.js";
import { tempDir } from "../../helpers.js";
import { until } from "./fixture.js";

const segments = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".ndjson")).sort();
const lines = (dir: string) => segments(dir).flatMap((f) => readFileSync(path.join(dir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)));

describe("SegmentLog", () => {
  it("writes queued records by itself within flushMs, as whole NDJSON lines", async () => {
    const dir = path.join(tempDir(), "log");
    const log = new SegmentLog<{ i: number }>({ dir, flushMs: 30 });
    for (let i = 0; i < 3; i++) log.append({ i });
    expect(lines(path.dirname(dir)).length).toBe(0);
    await until(() => log.stats.written === 3, 5000, "the timed flush");
    expect(segments(dir)).toHaveLength(1);
    expect(segments(dir)[0]).toMatch(/^\d{8}T\d{6}Z-\d+-[0-9a-f]{8}\.ndjson$/);
    expect(lines(dir)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    await log.close();
  });

  it("keeps every byte across its queue's chunks: multi-byte text, a batch of many chunks, a line longer than a chunk", async () => {
    const dir = path.join(tempDir(), "log");
    const log = new SegmentLog<{ i: number; s: string }>({ dir, flushMs: 10_000 });
    const records = Array.from({ length: 3000 }, (_, i) => ({ i, s: i === 1234 ? "é€😀".repeat(40_000) : `${"ü€😀\ud800".repeat(i % 7)}-${i}` }));
    for (const r of records) log.append(r);
    log.appendLine(`${JSON.stringify({ i: -1, s: "given as a line" })}\n`);
    await log.close();
    const text = segments(dir).map((f) => readFileSync(path.join(dir, f), "utf8")).join("");
    expect(text).toBe([...records, { i: -1, s: "given as a line" }].map((r) => `${JSON.stringify(r)}\n`).join(""));
    expect(log.stats).toEqual({ written: 3001, dropped: 0, errors: 0 });
  });

  it("rotates by size: a new segment before one would pass the limit", async () => {
    const dir = path.join(tempDir(), "log");
    const log = new SegmentLog<{ i: number; pad: string }>({ dir, maxSegmentBytes: 1000, flushMs: 10_000 });
    for (let i = 0; i < 100; i++) {
      log.append({ i, pad: "x".repeat(30) });
      if (i % 5 === 4) await log.flush();
    }
    await log.close();
    const files = segments(dir);
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(statSync(path.join(dir, f)).size).toBeLessThanOrEqual(1000);
    expect(lines(dir).map((l) => l.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("rotates by age", async () => {
    const dir = path.join(tempDir(), "log");
    const log = new SegmentLog<{ i: number }>({ dir, maxSegmentMs: 40 });
    log.append({ i: 0 });
    await log.flush();
    await new Promise((r) => setTimeout(r, 80));
    log.append({ i: 1 });
    await log.close();
    expect(segments(dir)).toHaveLength(2);
  });

  it("several writers share a folder, each with its own files, and DuckDB reads them all with a glob", async () => {
    const dir = path.join(tempDir(), "log");
    const logs = [0, 1, 2].map(() => new SegmentLog<{ w: number; i: number }>({ dir, flushMs: 5 }));
    for (let i = 0; i < 500; i++) logs[i % 3].append({ w: i % 3, i });
    await Promise.all(logs.map((l) => l.close()));
    expect(segments(dir)).toHaveLength(3);
    const db = await Database.open();
    try {
      expect(await db.rows(`SELECT w::INTEGER AS w, count(*)::INTEGER AS n FROM read_json_auto('${dir}/*.ndjson') GROUP BY w ORDER BY w`)).toEqual([
        { w: 0, n: 167 },
        { w: 1, n: 167 },
        { w: 2, n: 166 },
      ]);
    } finally {
      db.close();
    }
  });

  it("never grows without bound and never throws: past maxPending, or when the folder cannot be written, records are dropped and counted", async () => {
    const dir = path.join(tempDir(), "log");
    const capped = new SegmentLog<{ i: number }>({ dir, maxPending: 10, flushMs: 10_000 });
    for (let i = 0; i < 15; i++) capped.append({ i });
    await capped.close();
    expect(capped.stats).toEqual({ written: 10, dropped: 5, errors: 0 });
    capped.append({ i: 99 });
    expect(capped.stats.dropped).toBe(6);

    const blocked = path.join(tempDir(), "a-file");
    writeFileSync(blocked, "");
    const errors: string[] = [];
    const broken = new SegmentLog<{ i: number }>({ dir: path.join(blocked, "log"), onError: (e) => errors.push(e.message) });
    broken.append({ i: 1 });
    await broken.close();
    expect(broken.stats).toEqual({ written: 0, dropped: 1, errors: 1 });
    expect(errors[0]).toMatch(/ENOTDIR|EEXIST/);
  });
});
