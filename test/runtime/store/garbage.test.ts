import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ModelRegistry } from "../../../runtime/model-registry.js";
import { RunStore } from "../../../runtime/run-store.js";
import { storeBytes } from "../../../runtime/store/artifact-file.js";
import { CacheEntries, entryFile } from "../../../runtime/store/cache-entries.js";
import { collectGarbage } from "../../../runtime/store/garbage.js";
import { tempDir } from "../../helpers.js";

const start = (id: string) => ({ id, startedAt: new Date(Date.now() - 60_000).toISOString(), programPath: "p", programText: "", programSha: "s", params: {}, seed: 1, versions: {}, data: {} });
const anHourAgo = (file: string) => utimesSync(file, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));

describe("lathe gc", () => {
  it("removes temp files of dead processes and artifacts nothing references; keeps what runs, versions and live processes need", async () => {
    const store = new RunStore(path.join(tempDir(), ".lathe"));
    const done = store.begin(start("20260101-000000-000001"), {});
    const kept = done.sink.putArtifact("model-m.json", "model", "json", "kept by a run");
    const registered = store.putArtifact("model-r.json", "model", "json", "kept by a version");
    await new ModelRegistry(store).register({ name: "r", runId: "20260101-000000-000001", model: "r", algorithm: "decision_tree", task: "classification", artifact: registered, metrics: [] });
    done.end({ status: "succeeded" });
    const orphan = store.putArtifact("x.svg", "chart", "svg", "nobody's");
    for (const f of [kept.path, registered.path, orphan.path]) anHourAgo(f);
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    mkdirSync(store.tmpDir, { recursive: true });
    writeFileSync(path.join(store.tmpDir, `${dead}-abc123.tmp`), "");
    writeFileSync(path.join(store.tmpDir, `${process.pid}-def456.tmp`), "a write in progress");
    writeFileSync(path.join(store.artifactDir, `old.json.${dead}.tmp`), ""); // an older Lathe's temp name

    const dry = await collectGarbage(store, { dryRun: true });
    expect(dry.orphans).toEqual([orphan.path]);
    expect(existsSync(orphan.path)).toBe(true);

    const report = await collectGarbage(store);
    expect(report.orphans).toEqual([orphan.path]);
    expect(report.tempFiles.map((f) => path.basename(f)).sort()).toEqual([`${dead}-abc123.tmp`, `old.json.${dead}.tmp`].sort());
    expect(report.referenced).toBe(2);
    expect(report.missing).toEqual([]);
    expect(readdirSync(store.artifactDir).sort()).toEqual([path.basename(kept.path), path.basename(registered.path)].sort());
    expect(readdirSync(store.tmpDir)).toEqual([`${process.pid}-def456.tmp`]);
  });

  it("keeps an unreferenced artifact a running run may be about to record", async () => {
    const store = new RunStore(path.join(tempDir(), ".lathe"));
    const running = store.begin({ ...start("20260101-000000-000002"), startedAt: new Date().toISOString() }, {});
    const fresh = store.putArtifact("model-m.json", "model", "json", "just written, not yet recorded");
    const report = await collectGarbage(store);
    expect(report.orphans).toEqual([]);
    expect(report.keptForRunning).toBe(1);
    expect(existsSync(fresh.path)).toBe(true);
    running.end({ status: "succeeded" });
  });

  it("keeps step-cache entries a kept run's plan has or a running run may be writing; removes the others, dead ones, and their files", async () => {
    const store = new RunStore(path.join(tempDir(), ".lathe"));
    const entries = new CacheEntries(store);
    const entry = (stepKey: string, content: string) => {
      const file = storeBytes(store, "parquet", Buffer.from(content));
      entries.write(stepKey, { format: 1, stepKey, createdAt: "", files: [entryFile(file)], payload: {} });
      anHourAgo(file.path);
      anHourAgo(entries.file(stepKey));
      return file;
    };
    const used = entry("used", "rows a kept run's step computed");
    const unused = entry("unused", "rows of a step no run has");
    const dead = entry("dead", "a file gc --cache or a crash took");
    rmSync(dead.path);
    store.begin(start("20260101-000000-000003"), { steps: [{ key: "used" }] }).end({ status: "succeeded" });
    const running = store.begin({ ...start("20260101-000000-000004"), startedAt: new Date().toISOString() }, {});
    const recent = storeBytes(store, "parquet", Buffer.from("written by the running run, which has not recorded it yet"));
    entries.write("recent", { format: 1, stepKey: "recent", createdAt: "", files: [entryFile(recent)], payload: {} });

    const report = await collectGarbage(store);
    running.end({ status: "succeeded" });
    expect(report.cache).toEqual({ removed: 2, kept: 2 });
    expect(entries.keys().sort()).toEqual(["recent", "used"]);
    expect(existsSync(used.path) && existsSync(recent.path)).toBe(true);
    expect(report.orphans).toEqual([unused.path]);

    expect((await collectGarbage(store, { cache: true })).cache).toEqual({ removed: 2, kept: 0 });
    expect(entries.keys()).toEqual([]);
  });
});
