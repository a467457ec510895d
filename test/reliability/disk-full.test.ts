import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectConsistent, expectNoCrashText, lathe, runIdOf, workspace, type Exit } from "./store-harness.js";

/** What a run on a full disk must give: exit 0, or exit 74 with a coded error that names the cause. */
function expectCodedOrOk(e: Exit, what: string): void {
  expectNoCrashText(e, what);
  expect(e.signal, what).toBeNull();
  if (e.code === 0) return;
  expect(e.code, `${what}: ${e.err}`).toBe(74);
  expect(e.err, what).toMatch(/^lathe: error\[store-error\]: .*no space left on device \(ENOSPC\)/m);
  expect(e.err, what).not.toMatch(/no transaction is active/);
}

describe("a full disk", () => {
  it("(injected ENOSPC at every size) gives a coded store error, records the run as failed, leaves nothing half-written", { timeout: 600_000 }, async () => {
    const dir = workspace();
    // Budgets from "nothing fits" to "the run's first writes fit, a later one does not".
    const budgets = [0, 9000, 12000, 14000, 16000, 30000, 60000, 90000];
    let failedRuns = 0;
    for (const budget of budgets) {
      const e = await lathe(["run", "register.lathe", "--param", `seed=${budget}`], dir, { LATHE_FAULTS: `enospc-after=${budget}` });
      expectCodedOrOk(e, `budget ${budget}`);
      const id = runIdOf(e.out);
      if (e.code === 74 && id) {
        // The run had started: it is recorded as failed, with the cause and what it computed before.
        const run = JSON.parse((await lathe(["runs", "show", id, "--json"], dir)).out);
        expect(run).toMatchObject({ status: "failed", errorCode: "store-error" });
        expect(run.error).toMatch(/no space left on device/);
        failedRuns++;
      }
      expect(readdirSync(path.join(dir, ".lathe", "tmp")), `temp files left at budget ${budget}`).toEqual([]);
    }
    expect(failedRuns, "runs that started, then met the full disk").toBeGreaterThan(3);
    const statuses = await expectConsistent(dir);
    expect([...statuses.values()].filter((s) => s === "failed").length).toBe(failedRuns);
    const gc = await lathe(["gc"], dir);
    expect(gc.code, gc.err).toBe(0);
  });

  const mnt = path.join(workspace(), "mnt");
  mkdirSync(mnt);
  // A real full file system where the machine allows mounting one (root, or a CI container that lets it).
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=20m", "tmpfs", mnt]).status === 0;
  afterAll(() => {
    if (mounted) spawnSync("umount", [mnt]);
  });

  it.skipIf(!mounted)("(a 20 MiB tmpfs filled to 15 levels) gives coded store errors; once space is freed the store is whole", { timeout: 600_000 }, async () => {
    const dir = path.dirname(mnt);
    const store = path.join(mnt, ".lathe");
    const filler = path.join(mnt, "filler");
    const first = await lathe(["run", "register.lathe", "--store", store], dir);
    expect(first.code, first.err).toBe(0);
    const levels = [0, 1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256, 1024].map((k) => k * 1024);
    let failures = 0;
    const recorded = new Map([[runIdOf(first.out)!, "succeeded"]]);
    for (const [i, free] of levels.entries()) {
      rmSync(filler, { force: true });
      const { bavail, bsize } = statfsSync(mnt);
      writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - free)));
      const run = await lathe(["run", "register.lathe", "--store", store, "--param", `seed=${i + 1}`], dir);
      expectCodedOrOk(run, `run with ${free} bytes free`);
      if (run.code !== 0) failures++;
      // A run that got as far as its journal is recorded with the outcome its exit code says.
      const id = runIdOf(run.out);
      if (id) recorded.set(id, run.code === 0 ? "succeeded" : "failed");
      // Readers update the index: on a full disk that is a coded error too, never a crash.
      const list = await lathe(["runs", "list", "--store", store], dir);
      expectCodedOrOk(list, `runs list with ${free} bytes free`);
    }
    expect(failures, "levels at which the run met the full disk").toBeGreaterThan(3);
    rmSync(filler, { force: true });
    const statuses = await expectConsistent(dir, store);
    expect(new Map([...statuses].sort())).toEqual(new Map([...recorded].sort()));
    const gc = await lathe(["gc", "--store", store], dir);
    expect(gc.code, gc.err).toBe(0);
    expect(readdirSync(path.join(store, "tmp"))).toEqual([]);
  });
});
