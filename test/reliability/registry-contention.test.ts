import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repo, tempDir } from "../helpers.js";
import { expectConsistent } from "./store-harness.js";

// Processes that register, promote their own version and (some) undo their own promotion, all at
// once on one name, as the executor does for `register m as "x"; promote "x"; rollback "x"`.
const processes = 24;
const cycles = 4;

const script = (root: string, index: number, go: string) => `
  const { existsSync } = await import("node:fs");
  const { RunStore } = await import(${JSON.stringify(path.join(repo, "dist/runtime/run-store.js"))});
  const { ModelRegistry } = await import(${JSON.stringify(path.join(repo, "dist/runtime/model-registry.js"))});
  const store = new RunStore(${JSON.stringify(root)});
  const registry = new ModelRegistry(store);
  process.stderr.write("ready\\n");
  while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 2));
  const log = [];
  for (let c = 0; c < ${cycles}; c++) {
    const id = RunStore.newId();
    const rec = store.begin({ id, startedAt: new Date().toISOString(), programPath: "p", programText: "", programSha: "s", params: {}, seed: ${index}, versions: {}, data: {} }, {});
    const artifact = rec.sink.putArtifact("model-m.json", "model", "json", JSON.stringify({ process: ${index}, cycle: c }));
    const v = await registry.register({ name: "shared", runId: id, model: "m", algorithm: "decision_tree", task: "classification", artifact, metrics: [] });
    const p = await registry.promote("shared", v.version, id);
    const entry = { id, registered: v.version, promoted: p.version, previous: p.previous };
    if ((${index} + c) % 2 === 0) {
      try { entry.undone = await registry.undoPromotion("shared", v.version, id); } catch (e) { entry.refused = e.message; }
    }
    rec.end({ status: "succeeded" });
    log.push(entry);
  }
  process.stdout.write(JSON.stringify(log));
`;

/** A child process; `ready` resolves once it waits for the go file. */
function child(root: string, index: number, go: string) {
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const c = spawn(process.execPath, ["--input-type=module", "-e", script(root, index, go)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    c.stdout.on("data", (d) => (out += d));
    c.stderr.on("data", (d) => {
      err += d;
      if (err.includes("ready\n")) ready();
    });
    c.on("close", (code) => {
      ready();
      resolve({ code, out, err: err.replace("ready\n", "") });
    });
  });
  return { isReady, done };
}

interface Change {
  seq: number;
  action: string;
  version: number;
  previous?: number;
  runId: string;
  undoes?: number;
}

describe("concurrent register, promote and rollback", () => {
  it("promotes each run's own version, undoes only its own promotion, and loses no change", { timeout: 300_000 }, async () => {
    const dir = tempDir();
    const root = path.join(dir, ".lathe");
    // Every process starts its cycles at the same moment: when the go file appears.
    const go = path.join(dir, "go");
    const children = Array.from({ length: processes }, (_, i) => child(root, i, go));
    await Promise.all(children.map((c) => c.isReady));
    writeFileSync(go, "");
    const results = await Promise.all(children.map((c) => c.done));
    for (const r of results) expect(r.code, r.err).toBe(0);
    const log = results.flatMap((r) => JSON.parse(r.out) as { id: string; registered: number; promoted: number; previous?: number; undone?: { version: number; previous: number }; refused?: string }[]);

    // Each promote made the run's own version the champion, whatever others registered meanwhile.
    for (const e of log) expect(e.promoted, e.id).toBe(e.registered);
    // Every registration has its own number, 1..N.
    expect(log.map((e) => e.registered).sort((a, b) => a - b)).toEqual(log.map((_, i) => i + 1));
    // An undo either succeeded or was refused because the champion had moved on: never silently wrong.
    for (const e of log.filter((x) => x.refused)) expect(e.refused).toMatch(/changed after this run promoted|had no champion before/);
    // The processes did contend (about half the undos are refused on 2 cores), or this tests nothing.
    expect(log.filter((e) => e.refused).length).toBeGreaterThan(0);
    expect(log.filter((e) => e.undone).length).toBeGreaterThan(0);

    // The history is one chain: every change saw the champion the change before it left.
    const dirOf = path.join(root, "registry", "shared", "changes");
    const changes: Change[] = readdirSync(dirOf).sort().map((f) => JSON.parse(readFileSync(path.join(dirOf, f), "utf8")));
    expect(changes.map((c) => c.seq)).toEqual(changes.map((_, i) => i + 1));
    expect(changes.length).toBe(log.length + log.filter((e) => e.undone).length);
    const stack: number[] = [];
    for (const c of changes) {
      expect(c.previous, `change ${c.seq}`).toBe(stack.at(-1));
      if (c.action === "rollback") {
        // An undo comes right after the promotion it undoes, by the same run.
        expect(changes[c.seq - 2]).toMatchObject({ seq: c.undoes, action: "promote", runId: c.runId });
        stack.pop();
        expect(c.version).toBe(stack.at(-1));
      } else stack.push(c.version);
    }
    for (const e of log.filter((x) => x.undone)) expect(e.undone).toMatchObject({ version: e.previous, previous: e.registered });
    await expectConsistent(dir, root);
  });
});
