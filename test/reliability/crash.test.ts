import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { rng } from "../seeded-rng.js";
import { expectConsistent, expectNoCrashText, journals, lathe, pool, workspace, type Exit } from "./store-harness.js";

// `kill -9` at every write phase of the store (the process kills itself with SIGKILL the Nth time
// it reaches a named point: LATHE_FAULTS=crash-at=POINT:N), and at random moments from outside.
// Afterwards the store must read cleanly, show no run as running, and `lathe gc` must leave only
// what runs, registered versions and step-cache entries reference.
const points: [string, number[]][] = [
  ["journal-created", [1]],
  ["torn-write", [1, 2, 3, 5, 7, 9, 11, 13, 15, 17]],
  ["before-link", [1, 2, 3]],
  ["after-link", [1, 2, 3]],
  ["before-rename", [1, 2, 3]],
  ["after-rename", [1, 2]],
  ["artifact-stored", [1, 2, 3]],
  ["journal-step", [1, 4, 7]],
  ["journal-artifact", [1, 2]],
  ["journal-end", [1]],
];
const randomKills = 20;

describe("kill -9 at any moment", () => {
  it("leaves a readable store: no run left running, crashed runs flagged, orphans collected by gc", { timeout: 600_000 }, async () => {
    const dir = workspace();
    const random = rng(20261130);
    const tasks: (() => Promise<Exit & { what: string }>)[] = [];
    for (const [point, hits] of points) {
      for (const n of hits) {
        // Its own seed: its model is new to the store, so every write phase happens.
        const seed = tasks.length;
        tasks.push(() => lathe(["run", "register.lathe", "--param", `seed=${seed}`], dir, { LATHE_FAULTS: `crash-at=${point}:${n}` }).then((e) => ({ ...e, what: `${point}:${n}` })));
      }
    }
    // Kill moments are drawn within a run's own length, timed here on this machine: a fixed window
    // outlives the run once it gets faster, and a run that ends first is not a kill.
    const solo = new Map<string, number>();
    for (const program of ["register.lathe", "tree.lathe"]) {
      const t0 = Date.now();
      const e = await lathe(["run", program, "--param", "seed=99"], dir);
      expect(e.code, e.err).toBe(0);
      solo.set(program, Date.now() - t0);
    }
    for (let i = 0; i < randomKills; i++) {
      const program = i % 2 ? "register.lathe" : "tree.lathe";
      const delay = 100 + Math.floor(random() * Math.max(200, 0.9 * solo.get(program)! - 100));
      tasks.push(() => lathe(["run", program, "--param", `seed=${100 + i}`], dir, {}, (child) => setTimeout(() => child.kill("SIGKILL"), delay)).then((e) => ({ ...e, what: `${program} killed after ${delay} ms` })));
    }
    // Readers die too: mid-sync of the index.
    for (let i = 0; i < 3; i++) tasks.push(() => lathe(["runs", "list"], dir, { LATHE_FAULTS: "crash-at=index-commit:1" }).then((e) => ({ ...e, what: "runs list killed before its commit" })));
    const exits = await pool(tasks, 4);

    // Every injected fault must fire; of the kills from outside, a run may rarely still end first.
    const notKilled = exits.filter((e) => e.signal !== "SIGKILL");
    const why = `processes killed; these were not: ${notKilled.map((e) => e.what).join(", ")}`;
    expect(notKilled.filter((e) => !/ killed after /.test(e.what)), why).toEqual([]);
    expect(notKilled.length, why).toBeLessThanOrEqual(randomKills / 4);
    for (const e of exits.filter((x) => x.signal !== "SIGKILL")) {
      expectNoCrashText(e, e.what);
      expect(e.code, `${e.what}: ${e.err}`).toBe(0);
    }

    const store = path.join(dir, ".lathe");
    const statuses = await expectConsistent(dir);
    const crashed = [...statuses].filter(([, s]) => s === "crashed").map(([id]) => id);
    expect(crashed.length).toBeGreaterThan(20);
    const show = await lathe(["runs", "show", crashed[0]], dir);
    expect(show.out).toMatch(/crashed: its process ended without recording an outcome, after \d+ steps?/);

    // Versions registered by runs that were then killed are flagged, not passed off as normal.
    const versions = JSON.parse((await lathe(["models", "show", "shared", "--json"], dir)).out) as { runId: string; runStatus: string }[];
    for (const v of versions) expect(v.runStatus, v.runId).toBe(statuses.get(v.runId));
    if (versions.some((v) => v.runStatus === "crashed")) expect((await lathe(["models", "show", "shared"], dir)).out).toMatch(/run crashed/);

    const gc = await lathe(["gc"], dir);
    expectNoCrashText(gc, "gc");
    expect(gc.code, gc.err).toBe(0);
    expect(gc.out).toMatch(/removed [1-9]\d* temp files? and \d+ unreferenced artifacts?/);
    expect(readdirSync(path.join(store, "tmp"))).toEqual([]);
    // What is left in artifacts/ is exactly what some run, version or step-cache entry references.
    const referenced = new Set<string>();
    for (const { file } of journals(store)) for (const m of readFileSync(file, "utf8").matchAll(/"path":"([^"]+)"/g)) referenced.add(path.basename(m[1]));
    const registry = path.join(store, "registry", "shared", "versions");
    for (const f of existsSync(registry) ? readdirSync(registry) : []) referenced.add(path.basename(JSON.parse(readFileSync(path.join(registry, f), "utf8")).artifact));
    const cache = path.join(store, "cache");
    for (const f of existsSync(cache) ? readdirSync(cache) : []) for (const a of JSON.parse(readFileSync(path.join(cache, f), "utf8")).files as { name: string }[]) referenced.add(a.name);
    expect(readdirSync(path.join(store, "artifacts")).sort()).toEqual([...referenced].sort());
    await expectConsistent(dir);

    // The store goes on working.
    const after = await lathe(["run", "register.lathe"], dir);
    expect(after.code, after.err).toBe(0);
    expect((await expectConsistent(dir)).size).toBe(statuses.size + 1);
  });
});
