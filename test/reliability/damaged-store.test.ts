import { copyFileSync, mkdirSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectConsistent, expectNoCrashText, journals, lathe, runIdOf, workspace } from "./store-harness.js";

// What a user finds when something outside Lathe damaged `.lathe/`: a coded error that says what
// is wrong and what to do, never "internal error"; what is not damaged goes on working.
describe("a damaged store", () => {
  it("index truncated, garbage or empty: readers say store-damaged and how to fix it; runs still record; gc rebuilds it", { timeout: 300_000 }, async () => {
    const dir = workspace();
    const first = await lathe(["run", "tree.lathe"], dir);
    expect(first.code, first.err).toBe(0);
    expect((await lathe(["runs", "list"], dir)).code).toBe(0);
    const db = path.join(dir, ".lathe", "lathe.duckdb");
    const good = path.join(dir, "good.duckdb");
    copyFileSync(db, good);
    const damages: [string, () => void][] = [
      ["empty", () => writeFileSync(db, "")],
      ["garbage", () => writeFileSync(db, Buffer.alloc(64 * 1024, 0x5a))],
      ["truncated", () => (copyFileSync(good, db), truncateSync(db, 4000))],
      ["a folder", () => (rmSync(db), mkdirSync(db))],
    ];
    for (const [what, damage] of damages) {
      damage();
      for (const args of [["runs", "list"], ["gc", "--dry-run"]]) {
        const e = await lathe(args, dir);
        expectNoCrashText(e, `${args.join(" ")} with the index ${what}`);
        if (args[0] === "gc") continue; // a dry run reads no index
        expect(e.code, `${what}: ${e.err}`).toBe(74);
        expect(e.err).toMatch(/^lathe: error\[store-damaged\]: the run store index .*lathe\.duckdb is damaged \(.+\)\. It only indexes .*, so no run is lost: `lathe gc` rebuilds it/m);
      }
      // Runs do not need the index: they record, and `runs show` reads their journals.
      const run = await lathe(["run", "data.lathe"], dir);
      expect(run.code, run.err).toBe(0);
      expect((await lathe(["runs", "show", runIdOf(run.out)!], dir)).code).toBe(0);
      const gc = await lathe(["gc"], dir);
      expect(gc.code, gc.err).toBe(0);
      expect(gc.out).toMatch(/the index was damaged: rebuilt it from the runs and the registry \(the damaged file is kept as .*lathe\.duckdb\.damaged\)/);
      rmSync(`${db}.damaged`, { recursive: true, force: true });
      expect((await expectConsistent(dir)).size).toBe(journals(path.join(dir, ".lathe")).length);
    }
  });

  it("a file where the store keeps a folder: the run refuses before it starts, naming the file; nothing is left running", { timeout: 300_000 }, async () => {
    for (const part of ["artifacts", "runs", "tmp", "registry"]) {
      const dir = workspace();
      mkdirSync(path.join(dir, ".lathe"));
      writeFileSync(path.join(dir, ".lathe", part), "in the way");
      // Every run checks every folder first, so the cheapest program shows it.
      const program = "data.lathe";
      const e = await lathe(["run", program], dir);
      expectNoCrashText(e, part);
      expect(e.code, `${part}: ${e.err}`).toBe(74);
      expect(e.err).toContain(`error[store-damaged]: the run store is damaged: ${path.join(dir, ".lathe", part)} is a file where Lathe keeps a folder; move it out of the way`);
      if (part !== "runs") expect(journals(path.join(dir, ".lathe"))).toEqual([]);
      // Moved away, everything works again.
      renameSync(path.join(dir, ".lathe", part), path.join(dir, `${part}.moved`));
      expect((await lathe(["run", program], dir)).code).toBe(0);
      await expectConsistent(dir);
    }
    const dir = workspace();
    writeFileSync(path.join(dir, ".lathe"), "not a folder");
    const e = await lathe(["runs", "list"], dir);
    expect(e.code).toBe(74);
    expect(e.err).toContain(`${path.join(dir, ".lathe")} is a file where Lathe keeps a folder`);
  });

  it("a damaged journal: that run is named as damaged, the others read, gc removes nothing while it cannot tell what is referenced", { timeout: 300_000 }, async () => {
    const dir = workspace();
    const ids = [];
    for (const p of ["tree.lathe", "tree.lathe"]) ids.push(runIdOf((await lathe(["run", p, "--param", `seed=${ids.length}`], dir)).out)!);
    const file = path.join(dir, ".lathe", "runs", `${ids[0]}.jsonl`);
    writeFileSync(file, Buffer.alloc(300, 0xff));
    const show = await lathe(["runs", "show", ids[0]], dir);
    expect(show.code).toBe(74);
    expect(show.err).toContain(`error[store-damaged]: the run store is damaged: ${file} has no readable start record; move it out of .lathe/runs (the other runs are unaffected)`);
    expect((await lathe(["runs", "show", ids[1]], dir)).code).toBe(0);
    const list = await lathe(["runs", "list"], dir);
    expect(list.code).toBe(0);
    expect(list.out).toContain(ids[1]);
    const gc = await lathe(["gc"], dir);
    expect(gc.code).toBe(74);
    expect(gc.err).toMatch(/no artifact was removed while a run's journal cannot be read/);
  });
});
