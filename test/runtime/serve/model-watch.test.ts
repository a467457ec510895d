import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { ModelRegistry } from "../../../runtime/model-registry.js";
import { RunStore } from "../../../runtime/run-store.js";
import { startServer, type ServeHandle } from "../../../runtime/serve/server.js";
import { dataset, repo } from "../../helpers.js";
import { loadGenerator, penguinRows, predict, registeredStore, request, until } from "./fixture.js";

const rows = penguinRows();
let root: string;
let server: ServeHandle;
const logged: string[] = [];

/** Runs a Lathe program in another process against the store, as an operator would. */
function latheRun(program: string): Promise<{ code: number | null; out: string }> {
  const file = path.join(path.dirname(root), `change-${Date.now()}.lathe`);
  writeFileSync(file, program);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(repo, "bin/lathe.js"), "run", file, "--store", root], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("close", (code) => resolve({ code, out }));
  });
}

/** The versions a client saw, with repeats collapsed: [1, 2, 1] for a switch and a switch back. */
const runsOf = (versions: number[]) => versions.filter((v, i) => i === 0 || v !== versions[i - 1]);

beforeAll(async () => {
  root = await registeredStore();
  server = await startServer({ store: root, ref: { name: "penguins" }, port: 0, pollMs: 100, log: (m) => logged.push(m) });
});
afterAll(() => server?.close());

describe("hot reload: the server follows the registry", () => {
  it("switches version when another process promotes and rolls back, under load, failing no request", async () => {
    const load = loadGenerator(server.url, 16, rows);
    await until(() => load.logs.every((l) => l.versions.length > 5), 10_000, "the load to start");
    const promoted = await latheRun('promote "penguins" version 2\n');
    expect(promoted.code, promoted.out).toBe(0);
    await until(() => load.logs.every((l) => l.versions.at(-1) === 2), 10_000, "every client to see version 2");
    const rolledBack = await latheRun('rollback "penguins"\n');
    expect(rolledBack.code, rolledBack.out).toBe(0);
    await until(() => load.logs.every((l) => l.versions.at(-1) === 1), 10_000, "every client to see version 1 again");
    const logs = await load.stop();
    expect(logs.flatMap((l) => l.failures)).toEqual([]);
    // Each client saw 1, then 2, then 1 again: a switch is once and for all, never back and forth.
    for (const l of logs) expect(runsOf(l.versions)).toEqual([1, 2, 1]);
    expect(logged).toEqual(["serving penguins version 2 (was 1)", "serving penguins version 1 (was 2)"]);
    const metrics = await request(server.url, { path: "/metrics" });
    expect(metrics.text).toMatch(/^lathe_model_reloads_total 2$/m);
    expect(metrics.text).toMatch(/^lathe_model_info\{name="penguins",version="1"\} 1$/m);
    expect(metrics.text).not.toMatch(/version="2"/);
  });

  it("a request in flight during a swap finishes on the version it arrived to", async () => {
    const { port } = new URL(server.url);
    const body = JSON.stringify(rows[0]);
    const socket = net.connect(Number(port), "127.0.0.1");
    let answer = "";
    socket.on("data", (d) => (answer += d));
    const closed = new Promise((r) => socket.on("close", r));
    socket.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((r) => setTimeout(r, 150));
    await new ModelRegistry(new RunStore(root)).promote("penguins", 2, "test");
    await until(() => server.version().version === 2, 5000, "the swap");
    expect((await predict(server.url, rows[0])).json.model.version).toBe(2);
    socket.write(body.slice(10));
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)).model).toEqual({ name: "penguins", version: 1 });
  });

  it("a version that cannot be loaded is not swapped in: the one before keeps serving, and the operator is told", async () => {
    const s = await Session.open({ root });
    try {
      const r = await s.run(`source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins { drop rows where Species is missing
  fill "Flipper Length (mm)" with median }
model tree = decision_tree predicting Species from clean { features: "Flipper Length (mm)" }
register tree as "penguins"`);
      expect(r.error).toBeUndefined();
    } finally {
      s.close();
    }
    const registry = new ModelRegistry(new RunStore(root));
    const v3 = (await registry.versions("penguins")).find((v) => v.version === 3)!;
    expect(readFileSync(v3.artifact).subarray(0, 8).toString("latin1")).toBe("LATHEPKG");
    writeFileSync(v3.artifact, "{ damaged");
    const before = logged.length;
    await registry.promote("penguins", 3, "test");
    await until(() => logged.length === before + 1, 5000, "the failed reload to be reported");
    expect(logged[before]).toMatch(/^could not reload penguins: .* is not a model file .*; still serving version 2$/);
    expect(server.version().version).toBe(2);
    const a = await predict(server.url, rows[0]);
    expect([a.status, a.json.model.version]).toEqual([200, 2]);
    expect((await request(server.url, { path: "/metrics" })).text).toMatch(/^lathe_model_reload_failures_total 1$/m);
    // Back to a loadable champion: served again.
    await registry.rollback("penguins", undefined, "test");
    await new Promise((r) => setTimeout(r, 300));
    expect([server.version().version, logged.length]).toEqual([2, before + 1]);
    await registry.promote("penguins", 1, "test");
    await until(() => server.version().version === 1, 5000, "version 1");
  });
});

describe("a pinned version", () => {
  it("is not watched: `version N` keeps serving N whatever the champion", async () => {
    const pinned = await startServer({ store: root, ref: { name: "penguins", version: 2 }, port: 0, pollMs: 50, predictionLog: false });
    try {
      await new ModelRegistry(new RunStore(root)).promote("penguins", 1, "test");
      await new Promise((r) => setTimeout(r, 200));
      expect((await predict(pinned.url, rows[0])).json.model).toEqual({ name: "penguins", version: 2 });
    } finally {
      await pinned.close();
    }
  });
});

describe("an alias", () => {
  it("is followed like the champion: a server of NAME@staging switches when staging moves (or rolls back), not when the champion does", async () => {
    const registry = new ModelRegistry(new RunStore(root));
    await registry.promote("penguins", 1, "test", { alias: "staging" });
    await registry.promote("penguins", 1, "test");
    const staged = await startServer({ store: root, ref: { name: "penguins", alias: "staging" }, port: 0, pollMs: 50, predictionLog: false });
    try {
      expect((await predict(staged.url, rows[0])).json.model).toEqual({ name: "penguins", version: 1 });
      await registry.promote("penguins", 2, "test");
      await new Promise((r) => setTimeout(r, 200));
      expect(staged.version().version).toBe(1);
      await registry.promote("penguins", 2, undefined, { alias: "staging" });
      await until(() => staged.version().version === 2, 5000, "staging's move to version 2");
      expect((await predict(staged.url, rows[0])).json.model).toEqual({ name: "penguins", version: 2 });
      await registry.rollback("penguins", undefined, undefined, { alias: "staging" });
      await until(() => staged.version().version === 1, 5000, "staging's rollback to version 1");
    } finally {
      await staged.close();
    }
  });
});
