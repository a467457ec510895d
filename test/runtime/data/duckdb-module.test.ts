import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repo } from "../../helpers.js";

// jemalloc reads its settings once, when DuckDB first allocates: they must be in the environment
// before the module loads DuckDB. A fresh process (the built dist/) shows what it set.
function allocatorConf(env: Record<string, string | undefined>): string {
  const url = path.join(repo, "dist/runtime/data/duckdb-module.js");
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(url)}); console.log(process.env.DUCKDB_JE_MALLOC_CONF)`], { encoding: "utf8", env });
  expect(r.stderr).toBe("");
  return r.stdout.trim();
}

describe("the DuckDB module", () => {
  it("has DuckDB's allocator give freed pages back at once, unless the user set its own settings", () => {
    const { DUCKDB_JE_MALLOC_CONF: _, ...env } = process.env;
    expect(allocatorConf(env)).toBe("dirty_decay_ms:0,muzzy_decay_ms:0");
    expect(allocatorConf({ ...env, DUCKDB_JE_MALLOC_CONF: "narenas:1" })).toBe("narenas:1");
  });
});
