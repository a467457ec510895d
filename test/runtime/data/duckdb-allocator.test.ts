import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { nativeAllocator } from "../../../runtime/models/native-engine.js";
import { repo, tempDir } from "../../helpers.js";

/** [what just happened, the allocator phase, DuckDB's [dirty, muzzy] decay or null without the control]. */
type Observation = [string, string, [number, number] | null];

const lathes = "dirty_decay_ms:0,muzzy_decay_ms:0";

/**
 * A fresh process (the built dist/; jemalloc reads its settings once, at start) with `env`: opens a
 * session, runs a DuckDB-only program one-shot, reads rows into JavaScript, asks to relax again,
 * and says where DuckDB's allocator stood after each.
 */
async function observe(dir: string, env: Record<string, string | undefined>): Promise<Observation[]> {
  const dist = (f: string) => JSON.stringify(path.join(repo, "dist", f));
  const script = `
    const { Session } = await import(${dist("api/session.js")});
    const { duckdbAllocatorPhase, relaxDuckdbAllocator } = await import(${dist("runtime/data/duckdb-allocator.js")});
    const { nativeAllocator } = await import(${dist("runtime/models/native-engine.js")});
    const out = [];
    const note = (what) => out.push([what, duckdbAllocatorPhase(), nativeAllocator()?.duckdbDecaySetting() ?? null]);
    const dir = ${JSON.stringify(dir)};
    const session = await Session.open({ baseDir: dir, record: false, root: dir + "/.lathe" });
    note("open");
    const ran = await session.run('source raw = read "in.csv"\\nsave raw to "out.parquet"', { oneShot: true });
    if (!ran.ok) throw new Error("the program failed");
    note("DuckDB-only run");
    await session.executor.db.float32Columns("SELECT 1.5::DOUBLE AS x");
    note("read into JavaScript");
    relaxDuckdbAllocator();
    note("relax asked again");
    await session.close();
    console.log(JSON.stringify(out));`;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env, cwd: dir });
  return JSON.parse(stdout) as Observation[];
}

describe("DuckDB's allocator at run time", () => {
  it("runs DuckDB-only work with DuckDB's own decay and returns to 0 (purging) once JavaScript reads rows; a user's own setting is left alone", async () => {
    const { DUCKDB_JE_MALLOC_CONF: _, LATHE_DUCKDB_JE_MALLOC_CONF: __, ...env } = process.env;
    const dirs = [tempDir("lathe-alloc-"), tempDir("lathe-alloc-"), tempDir("lathe-alloc-")];
    for (const dir of dirs) writeFileSync(path.join(dir, "in.csv"), "a,b\n1,x\n2,y\n");
    const [plain, inherited, users] = await Promise.all([
      observe(dirs[0], env),
      // A Lathe process's child inherits the setting Lathe made, noted as Lathe's: still Lathe's to change.
      observe(dirs[1], { ...env, DUCKDB_JE_MALLOC_CONF: lathes, LATHE_DUCKDB_JE_MALLOC_CONF: lathes }),
      observe(dirs[2], { ...env, DUCKDB_JE_MALLOC_CONF: "dirty_decay_ms:500" }),
    ]);
    // The control is reachable wherever the native module is built for Linux (libduckdb.so's jemalloc).
    const control = process.platform === "linux" && nativeAllocator() !== undefined;
    const expected: Observation[] = control
      ? [
          ["open", "load", [0, 0]],
          ["DuckDB-only run", "relaxed", [1000, 1000]],
          ["read into JavaScript", "prompt", [0, 0]],
          ["relax asked again", "prompt", [0, 0]],
        ]
      : [
          ["open", "load", null],
          ["DuckDB-only run", "load", null],
          ["read into JavaScript", "prompt", null],
          ["relax asked again", "prompt", null],
        ];
    expect(plain).toEqual(expected);
    expect(inherited).toEqual(expected);
    expect(users.map(([what, phase]) => [what, phase])).toEqual([
      ["open", "load"],
      ["DuckDB-only run", "load"],
      ["read into JavaScript", "prompt"],
      ["relax asked again", "prompt"],
    ]);
    if (control) expect(users.every(([, , decay]) => decay?.[0] === 500)).toBe(true);
  });
});
