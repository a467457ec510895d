import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { RunStore, type RunStart } from "../../runtime/run-store.js";
import { ownerAlive, processOwner } from "../../runtime/store/process-owner.js";
import { repo, tempDir } from "../helpers.js";

const start = (id: string): RunStart => ({ id, startedAt: new Date().toISOString(), programPath: "/p/job.lathe", programText: "param seed = 1\n", programSha: "sha", params: { seed: 1 }, seed: 1, versions: { node: process.version }, data: { d: "fp" } });

/** A run recorded by another process (the compiled store), which then exits as told: after `end`, or without it. */
function childRun(root: string, id: string, ending: "end" | "exit"): void {
  const script = `
    const { RunStore } = await import(${JSON.stringify(path.join(repo, "dist/runtime/run-store.js"))});
    const rec = new RunStore(${JSON.stringify(root)}).begin(${JSON.stringify(start(id))}, {});
    rec.sink.putArtifact("model-m.json", "model", "json", "{\\"m\\":1}");
    rec.step({ id: "s1", label: "evaluate m on test", ms: 3, metrics: [{ model: "m", data: "test", metric: "accuracy", value: 0.75 }] });
    if (${JSON.stringify(ending)} === "end") rec.end({ status: "succeeded" });`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  expect(r.stderr).toBe("");
}

describe("the run store", () => {
  it("records a run as it goes: metrics and artifacts as steps finish, then the outcome; load gives it back typed", async () => {
    const store = new RunStore(path.join(tempDir(), ".lathe"));
    const rec = store.begin(start("20260101-000000-aaaaaa"), { steps: [] });
    const ref = rec.sink.putArtifact("model-m.json", "model", "json", '{"m":1}');
    rec.step({ id: "s1", label: "train m", ms: 12.4, artifacts: [ref] });
    rec.step({ id: "s2", label: "evaluate m on test", ms: 3, metrics: [{ model: "m", data: "test", metric: "accuracy", value: 0.5 }] });
    // Before the end, another reader sees what the steps recorded, and the run as running (its process lives).
    const during = await store.load("20260101-000000-aaaaaa");
    expect(during).toMatchObject({ status: "running", metrics: [{ metric: "accuracy", value: 0.5 }], artifacts: [{ name: "model-m.json", sha256: ref.sha256 }] });
    rec.end({ status: "succeeded", backend: "wasm", metrics: [{ model: "m", data: "test", metric: "accuracy", value: 0.5 }, { model: "m", data: "test", metric: "f1", value: 0.25 }], artifacts: [ref] });
    const run = (await store.load("20260101-000000-aaaaaa"))!;
    expect(run).toMatchObject({ status: "succeeded", backend: "wasm", programText: "param seed = 1\n", params: { seed: 1 }, data: { d: "fp" } });
    expect(run.metrics.map((m) => [m.metric, m.value])).toEqual([["accuracy", 0.5], ["f1", 0.25]]);
    expect(run.artifacts).toEqual([ref]);
    expect(run.steps?.map((s) => [s.id, s.ms])).toEqual([["s1", 12], ["s2", 3]]);
    // Each thing is recorded once, and the finished journal gives its reserve back.
    const text = readFileSync(path.join(store.runsDir, "20260101-000000-aaaaaa.jsonl"), "utf8");
    expect(text.match(/"accuracy"/g)).toHaveLength(1);
    expect(text.match(/"model-m.json"/g)).toHaveLength(1);
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("shows a run whose process died without an outcome as crashed, keeping what it recorded", async () => {
    const root = path.join(tempDir(), ".lathe");
    childRun(root, "20260101-000000-dead00", "exit");
    childRun(root, "20260101-000000-f1n1sh", "end");
    const store = new RunStore(root);
    const crashed = (await store.load("20260101-000000-dead00"))!;
    expect(crashed.status).toBe("crashed");
    expect(crashed.metrics).toEqual([{ model: "m", data: "test", metric: "accuracy", value: 0.75 }]);
    expect(crashed.artifacts.map((a) => a.name)).toEqual(["model-m.json"]);
    expect(store.runStatus("20260101-000000-f1n1sh")).toBe("succeeded");
    const listed = await store.list();
    expect(listed.map((r) => [r.id, r.status])).toEqual([["20260101-000000-f1n1sh", "succeeded"], ["20260101-000000-dead00", "crashed"]]);
  });

  it("lets another writer continue a detached run (a notebook run's kernel), clearing a torn last line; an ended or unknown run cannot be continued", async () => {
    const dir = tempDir();
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const store = new RunStore(path.join(dir, ".lathe"));
    const id = "20260101-000000-n0tebk";
    store.begin(start(id), { notebook: "nb.ipynb" }).detach();
    const kernel = store.resume(id);
    kernel.step({ id: "s1", label: "evaluate m on test", ms: 3, metrics: [{ model: "m", data: "test", metric: "accuracy", value: 0.5 }] });
    kernel.detach();
    // A crash in the middle of a write leaves half a line after the last record.
    const file = path.join(store.runsDir, `${id}.jsonl`);
    const text = readFileSync(file, "utf8");
    const last = text.trimEnd().length + 1;
    writeFileSync(file, text.slice(0, last) + '{"type":"step","id":"s2","lab' + text.slice(last + 29));
    const command = store.resume(id);
    command.sink.putArtifact("nb.run.ipynb", "notebook", "ipynb", "{}");
    command.end({ status: "succeeded" });
    const run = (await store.load(id))!;
    expect(run).toMatchObject({ status: "succeeded", metrics: [{ metric: "accuracy", value: 0.5 }], artifacts: [{ name: "nb.run.ipynb", kind: "notebook" }] });
    expect(run.steps?.map((s) => s.id)).toEqual(["s1"]);
    expect(readFileSync(file, "utf8")).not.toContain('"s2"');
    expect(() => store.resume(id)).toThrow(expect.objectContaining({ code: "run-not-open", message: expect.stringContaining("has already ended") }));
    expect(() => store.resume("20260101-000000-nobody")).toThrow(expect.objectContaining({ code: "run-not-open" }));
  });

  it("tells a live process from a dead one, and from a new process that got the same pid", async () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    await new Promise((r) => child.once("spawn", r));
    const owner = processOwner(child.pid!);
    expect(ownerAlive(owner)).toBe(true);
    expect(ownerAlive({ ...owner, start: (owner.start ?? 0) + 1 })).toBe(false); // same pid, another start time
    expect(ownerAlive({ ...owner, host: "another-host" })).toBeUndefined();
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(ownerAlive(owner)).toBe(false);
  });

  it("takes a unique id prefix as plain text; an ambiguous prefix is an error listing the runs it matches", async () => {
    const store = new RunStore(path.join(tempDir(), ".lathe"));
    for (const id of ["20260101-000000-abc111", "20260101-000000-abc222", "20260101-000001-x_y000"]) store.begin(start(id), {}).end({ status: "succeeded" });
    expect((await store.load("20260101-000000-abc1"))?.id).toBe("20260101-000000-abc111");
    expect((await store.load("20260101-000000-abc222"))?.id).toBe("20260101-000000-abc222");
    await expect(store.load("20260101-000000-abc")).rejects.toMatchObject({ code: "ambiguous-run-id", message: expect.stringMatching(/matches 2 runs: 20260101-000000-abc222, 20260101-000000-abc111; give more of the id/) });
    // `_` and `%` are characters, not wildcards.
    expect(await store.load("20260101-000000-abc_")).toBeUndefined();
    expect(await store.load("20260101-00000_")).toBeUndefined();
    expect(await store.load("%")).toBeUndefined();
    expect((await store.load("20260101-000001-x_y"))?.id).toBe("20260101-000001-x_y000");
    expect(await store.load("")).toBeUndefined();
  });

  it("stores artifacts content-addressed and whole: a reused one is touched, a truncated one is rewritten", () => {
    const store = new RunStore(path.join(tempDir(), ".lathe"));
    const a = store.putArtifact("x.json", "model", "json", "0123456789");
    expect(path.basename(a.path)).toBe(`${a.sha256}.json`);
    truncateSync(a.path, 3);
    const again = store.putArtifact("y.json", "model", "json", "0123456789");
    expect(again.path).toBe(a.path);
    expect(readFileSync(a.path, "utf8")).toBe("0123456789");
    expect(readdirSync(store.tmpDir)).toEqual([]);
  });

  it("says which part of the store is in the way when a folder is a file", () => {
    const root = path.join(tempDir(), ".lathe");
    mkdirSync(root);
    writeFileSync(path.join(root, "artifacts"), "not a folder");
    const store = new RunStore(root);
    expect(() => store.begin(start("20260101-000000-aaaaaa"), {})).toThrow(expect.objectContaining({ code: "store-damaged", message: expect.stringContaining(`${path.join(root, "artifacts")} is a file where Lathe keeps a folder; move it out of the way`) }));
    expect(existsSync(path.join(root, "runs", "20260101-000000-aaaaaa.jsonl"))).toBe(false);
  });

  it("keeps lathe.duckdb as an index: damaged, it is a coded error; gc rebuilds it from the journals", async () => {
    const root = path.join(tempDir(), ".lathe");
    const store = new RunStore(root);
    store.begin(start("20260101-000000-aaaaaa"), {}).end({ status: "succeeded", metrics: [{ model: "m", data: "t", metric: "r2", value: 0.5 }] });
    expect((await store.list()).length).toBe(1);
    const { StoreIndex } = await import("../../runtime/store/store-index.js");
    for (const damage of [() => writeFileSync(store.dbPath, ""), () => writeFileSync(store.dbPath, Buffer.alloc(40_000, 7)), () => truncateSync(store.dbPath, 5000)]) {
      damage();
      await expect(store.list()).rejects.toMatchObject({ code: "store-damaged", message: expect.stringMatching(/lathe\.duckdb is damaged \(.*\)\. It only indexes .*runs and .*registry, so no run is lost: `lathe gc` rebuilds it/) });
      const rebuilt = await StoreIndex.rebuildIfDamaged(store);
      expect(rebuilt.rebuilt).toBe(true);
      expect(existsSync(`${store.dbPath}.damaged`)).toBe(true);
      expect((await store.list()).map((r) => r.status)).toEqual(["succeeded"]);
      expect(statSync(store.dbPath).size).toBeGreaterThan(0);
    }
  });

  it("imports a store an earlier Lathe wrote (runs and registry inside lathe.duckdb): nothing recorded is lost", async () => {
    const root = path.join(tempDir(), ".lathe");
    mkdirSync(root);
    const { Database } = await import("../../runtime/data/database.js");
    const db = await Database.open(path.join(root, "lathe.duckdb"));
    // The schema of the earlier run store, as it wrote it.
    await db.exec(`CREATE TABLE runs (id VARCHAR PRIMARY KEY, started_at VARCHAR, finished_at VARCHAR, status VARCHAR, program_path VARCHAR, program_sha VARCHAR, program_text VARCHAR, params VARCHAR, seed DOUBLE, backend VARCHAR, versions VARCHAR, data VARCHAR, plan VARCHAR, error VARCHAR)`);
    await db.exec(`CREATE TABLE metrics (run_id VARCHAR, model VARCHAR, data VARCHAR, metric VARCHAR, value DOUBLE)`);
    await db.exec(`CREATE TABLE artifacts (run_id VARCHAR, name VARCHAR, kind VARCHAR, path VARCHAR, sha256 VARCHAR, bytes BIGINT)`);
    await db.exec(`CREATE TABLE model_versions (name VARCHAR, version INTEGER, run_id VARCHAR, model VARCHAR, algorithm VARCHAR, task VARCHAR, artifact VARCHAR, sha256 VARCHAR, metrics VARCHAR, registered_at VARCHAR, PRIMARY KEY (name, version))`);
    await db.exec(`CREATE TABLE champion_changes (name VARCHAR, seq INTEGER, action VARCHAR, version INTEGER, run_id VARCHAR, changed_at VARCHAR, PRIMARY KEY (name, seq))`);
    await db.exec(`INSERT INTO runs VALUES ('20250101-000000-0ld001', '2025-01-01T00:00:00Z', '2025-01-01T00:00:05Z', 'succeeded', '/p/job.lathe', 'sha', 'param seed = 3', '{"seed":3}', 3, 'wasm', '{}', '{"d":"fp"}', '{}', NULL), ('20250101-000001-0ld002', '2025-01-01T00:00:01Z', NULL, 'running', '/p/job.lathe', 'sha', '', '{}', 1, NULL, '{}', '{}', '{}', NULL)`);
    await db.exec(`INSERT INTO metrics VALUES ('20250101-000000-0ld001', 'm', 'test', 'accuracy', 0.875)`);
    await db.exec(`INSERT INTO model_versions VALUES ('old', 1, '20250101-000000-0ld001', 'm', 'decision_tree', 'classification', '/a/x.json', 'x', '[]', '2025-01-01T00:00:04Z'), ('old', 2, '20250101-000000-0ld001', 'm', 'decision_tree', 'classification', '/a/y.json', 'y', '[]', '2025-01-01T00:00:04Z')`);
    await db.exec(`INSERT INTO champion_changes VALUES ('old', 1, 'promote', 1, '20250101-000000-0ld001', 't'), ('old', 2, 'promote', 2, '20250101-000000-0ld001', 't'), ('old', 3, 'rollback', 1, '20250101-000000-0ld001', 't')`);
    db.close();

    const store = new RunStore(root);
    expect((await store.list()).map((r) => [r.id, r.status])).toEqual([["20250101-000001-0ld002", "crashed"], ["20250101-000000-0ld001", "succeeded"]]);
    expect(await store.load("20250101-000000-0ld001")).toMatchObject({ programText: "param seed = 3", params: { seed: 3 }, metrics: [{ metric: "accuracy", value: 0.875 }] });
    const { ModelRegistry } = await import("../../runtime/model-registry.js");
    const registry = new ModelRegistry(store);
    expect((await registry.versions("old")).map((v) => [v.version, v.champion])).toEqual([[1, true], [2, false]]);
    expect((await registry.changes("old")).map((c) => [c.seq, c.action, c.version, c.previous])).toEqual([[1, "promote", 1, undefined], [2, "promote", 2, 1], [3, "rollback", 1, 2]]);
    // Imported once: the index is in the new form now, and listing again changes nothing.
    expect((await store.list()).length).toBe(2);
    expect(store.runIds()).toEqual(["20250101-000000-0ld001", "20250101-000001-0ld002"]);
  });
});

