import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repo, tempDir } from "./helpers.js";
import { nativeHeaders, nativeSources } from "../scripts/build-native.mjs";

/** Every file the native build compiles: a package without one cannot compile the module where the shipped one does not load. */
const nativeFiles = [...nativeSources, ...nativeHeaders].map((f: string) => path.relative(repo, f));

// The package as a user gets it: `npm pack` of the built tree, installed into an empty folder with
// the repository's dependencies taken from the npm cache (`npm ci` filled it), used from there.

const dir = tempDir("lathe-pack-");
const app = path.join(dir, "app");
let files: string[] = [];
let tarball = "";
let installSeconds = 0;

/** npm's own variables of the `npm test` that runs this must not steer the npm commands below. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

function run(cmd: string, args: string[], cwd: string, timeout = 300_000): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout });
  if (r.error) throw r.error;
  return r;
}

beforeAll(() => {
  // The tree is already built (pretest); prepare would only build it again.
  const pack = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], repo);
  expect(pack.status, pack.stderr).toBe(0);
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  files = info.files.map((f) => f.path);
  tarball = path.join(dir, info.filename);
  run("mkdir", [app], dir);
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "lathe-user", private: true, type: "module" }));
  const started = Date.now();
  const install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], app);
  installSeconds = (Date.now() - started) / 1000;
  expect(install.status, install.stderr).toBe(0);
  process.stdout.write(`package test: npm install of ${info.filename} took ${installSeconds.toFixed(1)} s\n`);
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the npm package", () => {
  it("ships the build, its types, the native module and the docs; no tests, sources or source maps", () => {
    const native = `dist/native/${process.platform}-${process.arch}/lathe-native.node`;
    const duckdbBundle = `dist/vendor/duckdb-node-api-${duckdbVersion()}.cjs`;
    const chartsBundle = `dist/vendor/vega-${version("vega")}-vega-lite-${version("vega-lite")}.cjs`;
    const commanderBundle = `dist/vendor/commander-${version("commander")}.cjs`;
    for (const f of ["package.json", "README.md", "grammar.md", "bin/lathe.js", "dist/api/index.js", "dist/api/index.d.ts", "dist/cli/main.js", "dist/kernel/start.js", "dist/runtime/charts/chart-worker.js", native, ...nativeFiles, "scripts/build-native.mjs", duckdbBundle, `${duckdbBundle}.v8cache`, chartsBundle, `${chartsBundle}.v8cache`, commanderBundle, `${commanderBundle}.v8cache`]) expect(files).toContain(f);
    expect(files.filter((f) => f.startsWith("test/") || f.endsWith(".map") || (f.endsWith(".ts") && !f.endsWith(".d.ts")))).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(app, "node_modules/lathe/package.json"), "utf8"));
    expect(manifest.exports["."]).toEqual({ types: "./dist/api/index.d.ts", default: "./dist/api/index.js" });
    expect(manifest.allowScripts).toBeUndefined();
  });

  it("runs `npx lathe run` on a program in the user's folder, training on the native engine it ships, its chart drawn on the chart thread it ships", () => {
    const rows = ["a,b,label", ...Array.from({ length: 120 }, (_, i) => `${(i * 37) % 101},${(i * 53) % 89},${((i * 37) % 101) + ((i * 53) % 89) > 95 ? "yes" : "no"}`)];
    writeFileSync(path.join(app, "points.csv"), rows.join("\n") + "\n");
    writeFileSync(
      path.join(app, "job.lathe"),
      `source points = read "points.csv"
split points into train 70%, test 30% stratify by label seed 1
model net = neural_network predicting label from train { layers: [8]; epochs: 3 }
evaluate net on test metrics accuracy
plot confusion of net on test
`,
    );
    // The chart thread whatever the machine's load (by default it starts only with a core to spare).
    const r = spawnSync("npx", ["lathe", "run", "job.lathe"], { cwd: app, env: { ...env, LATHE_CHART_THREAD: "on" }, encoding: "utf8", timeout: 300_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/train net \(neural_network\): \d+ rows, 2 features, 2 classes, native engine/);
    expect(r.stdout).toMatch(/run \S+ recorded in \.lathe\/runs/);
    const png = /\.lathe\/artifacts\/[0-9a-f]{64}\.png/.exec(r.stdout);
    expect(readFileSync(path.join(app, png![0])).subarray(1, 4).toString()).toBe("PNG");
    const version = run("npx", ["lathe", "--version"], app);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")).version);
  });

  it('serves `import { lathe } from "lathe"` to a script, and its types to TypeScript', () => {
    writeFileSync(
      path.join(app, "use.mjs"),
      `import { lathe } from "lathe";
const r = await lathe.run('source points = read "points.csv"\\nshow points limit 3', { display: false });
console.log(JSON.stringify({ ok: r.ok, rows: r.tables.points.numRows() }));
`,
    );
    const r = run(process.execPath, ["use.mjs"], app);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, rows: 3 });
    // DuckDB's client came from the one-file bundle the package ships, its bindings from the user's install.
    writeFileSync(path.join(app, "which-duckdb.mjs"), `import { createRequire } from "node:module";\nawait import("lathe");\nconst { duckdb } = await import("./node_modules/lathe/dist/runtime/data/duckdb-module.js");\nawait (await duckdb.DuckDBInstance.create(":memory:")).connect();\nconsole.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes("duckdb")).map((f) => f.slice(f.indexOf("node_modules")))));\n`);
    const which = run(process.execPath, ["which-duckdb.mjs"], app);
    expect(which.stderr).toBe("");
    const loaded = JSON.parse(which.stdout) as string[];
    expect(loaded).toContain(`node_modules/lathe/dist/vendor/duckdb-node-api-${duckdbVersion()}.cjs`);
    expect(loaded.filter((f) => f.startsWith("node_modules/@duckdb/node-api/"))).toEqual(["node_modules/@duckdb/node-api/package.json"]);
    const options = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };
    const resolved = ts.resolveModuleName("lathe", path.join(app, "use.mts"), options, ts.sys).resolvedModule;
    expect(resolved?.resolvedFileName).toBe(path.join(app, "node_modules/lathe/dist/api/index.d.ts"));
  });
});

/** The version of a package the repository builds against (the build's bundle of it is named after it). */
function version(name: string): string {
  return (JSON.parse(readFileSync(path.join(repo, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

/** The version of DuckDB's client the repository builds against. */
function duckdbVersion(): string {
  return version("@duckdb/node-api");
}
