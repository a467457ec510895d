import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
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

  it("loads DuckDB's client from the build's one-file bundle, with the package's exports, and queries with it", () => {
    const url = path.join(repo, "dist/runtime/data/duckdb-module.js");
    const script = `
      import { createRequire } from "node:module";
      const { duckdb } = await import(${JSON.stringify(url)});
      const require = createRequire(${JSON.stringify(path.join(repo, "package.json"))});
      const pkg = require("@duckdb/node-api");
      const connection = await (await duckdb.DuckDBInstance.create(":memory:")).connect();
      const reader = await connection.runAndReadAll("select 42 as x, [1, 2] as l, {'a': 1} as s");
      console.log(JSON.stringify({
        loaded: Object.keys(require.cache).filter((f) => f.includes("duckdb-node-api")).map((f) => path.basename(f)),
        sameExports: Object.keys(duckdb).sort().join() === Object.keys(pkg).sort().join(),
        rows: reader.getRowObjectsJson(),
      }));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", `import path from "node:path"; ${script}`], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    const version = (JSON.parse(readFileSync(path.join(repo, "node_modules/@duckdb/node-api/package.json"), "utf8")) as { version: string }).version;
    expect(JSON.parse(r.stdout)).toEqual({ loaded: [`duckdb-node-api-${version}.cjs`], sameExports: true, rows: [{ x: 42, l: [1, 2], s: { a: 1 } }] });
  });
});
