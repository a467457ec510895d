// Bundles other packages Lathe loads on every start into one CommonJS file each, in dist/vendor/, and
// writes V8's code cache of each beside it (`<bundle>.v8cache`), which runtime/vendor-bundle.ts loads
// them with:
// - DuckDB's client (@duckdb/node-api, ≈ 180 files) → dist/vendor/duckdb-node-api-<version>.cjs, loaded by
//   runtime/data/duckdb-module.ts when the installed package has that version. Its native bindings stay
//   outside: the bundle loads them from where the installed @duckdb/node-api would, so it runs the very
//   binary the package would.
// - commander (7 files), which every `lathe` command loads first → dist/vendor/commander-<version>.cjs,
//   loaded by cli/commander.ts when the installed package has that version.
// - Vega and Vega-Lite (≈ 40 packages) → dist/vendor/vega-<version>-vega-lite-<version>.cjs, loaded by
//   runtime/charts/render-bundle.ts when the installed packages have those versions. vega-loader's HTTP
//   client (node-fetch, with its URL parser) is loaded only when a chart fetches a URL, which Lathe's
//   charts (inline data) never do.
// Node resolves, reads and wraps each CommonJS file on its own, then compiles each function on its first
// call: one file with its code cache instead of 180 (or 40) cuts the CPU of every start of the CLI, a
// kernel or a server that queries or draws (bench/RESULTS.md, start-up). The cache is made by loading
// each bundle here and using it as Lathe does (a query; the charts a run draws), so it holds the bytecode
// of what a run calls; V8 uses it only under the Node that wrote it (runtime/vendor-bundle.ts).
//
//   node scripts/bundle-vendor.mjs     (npm run build, prepare, pretest; scripts/bundle-duckdb.mjs runs it too)
//
// It runs after `tsc` (it loads the bundles through dist/). esbuild is a devDependency: where it is
// missing (an install that skipped them) this says so and writes nothing, and Lathe loads the packages
// as before.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const outDir = join(root, "dist", "vendor");
const dist = (file) => import(pathToFileURL(join(root, "dist", file)).href);

let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  console.log("bundle-vendor: esbuild is not installed; DuckDB's client, commander, Vega and Vega-Lite are loaded from their packages");
  process.exit(0);
}
const { vendorBundleName } = await dist("runtime/vendor-bundle.js");
mkdirSync(outDir, { recursive: true });
// A bundle of another version is never loaded again: only the current ones are kept.
for (const f of readdirSync(outDir)) rmSync(join(outDir, f));

/** An esbuild plugin: modules named by `filter` are required at run time from where `from` (an expression) resolves, hoisted or nested. */
const resolvedFromPlugin = (filter, from) => ({
  name: "resolved-from",
  setup(build) {
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: "resolved-from" }));
    build.onLoad({ filter: /.*/, namespace: "resolved-from" }, (args) => ({
      contents: `module.exports = require("node:module").createRequire(${from})(${JSON.stringify(args.path)});`,
      loader: "js",
      resolveDir: root,
    }));
  },
});

const common = { bundle: true, platform: "node", format: "cjs", target: "node20", logLevel: "warning" };

const duckdbFile = join(outDir, vendorBundleName("duckdb-node-api", require("@duckdb/node-api/package.json").version));
await esbuild.build({
  ...common,
  entryPoints: [require.resolve("@duckdb/node-api")],
  outfile: duckdbFile,
  // Only the bindings' loader below names it, to find where the package is installed.
  external: ["@duckdb/node-api"],
  // The bindings as the installed @duckdb/node-api resolves them.
  plugins: [resolvedFromPlugin(/^@duckdb\/node-bindings$/, 'require.resolve("@duckdb/node-api")')],
});

const chartsFile = join(outDir, vendorBundleName("vega", require("vega/package.json").version, "vega-lite", require("vega-lite/package.json").version));
await esbuild.build({
  ...common,
  stdin: { contents: 'module.exports = { vega: require("vega"), compile: require("vega-lite").compile };', resolveDir: root, loader: "js" },
  outfile: chartsFile,
  plugins: [
    {
      name: "fetch-on-first-use",
      setup(build) {
        // vega-loader's node build passes node-fetch to its loader, which calls it only for an http(s)
        // URL: a function that loads node-fetch (from where vega's vega-loader resolves it) when called.
        build.onResolve({ filter: /^node-fetch$/ }, () => ({ path: "node-fetch", namespace: "fetch-on-first-use" }));
        build.onLoad({ filter: /.*/, namespace: "fetch-on-first-use" }, () => ({
          contents: `const { createRequire } = require("node:module");
const from = (file, name) => createRequire(file).resolve(name);
let fetch;
module.exports = (...args) => (fetch ??= createRequire(from(from(__filename, "vega"), "vega-loader"))("node-fetch"))(...args);`,
          loader: "js",
          resolveDir: root,
        }));
      },
    },
  ],
});

// commander's package.json is hidden by its `exports` map: it sits beside the resolved entry.
const commanderVersion = require(join(dirname(require.resolve("commander")), "package.json")).version;
const commanderFile = join(outDir, vendorBundleName("commander", commanderVersion));
await esbuild.build({ ...common, entryPoints: [require.resolve("commander")], outfile: commanderFile });

// The code caches: each bundle loaded and used as a run uses it, then the bytecode V8 compiled written
// out. A bundle whose use fails here (say, DuckDB's native bindings cannot load on this machine) is kept
// without a cache: it loads as well, only compiling as it goes.
const { runBundle, codeCachePath } = await dist("runtime/vendor-bundle.js");
const uses = [
  [
    commanderFile,
    ({ Command }) => {
      // A command line like Lathe's: commands with options, one parsed.
      const program = new Command("lathe").version("0", "-V, --version").enablePositionalOptions().exitOverride();
      for (const name of ["run", "check", "serve"])
        program
          .command(`${name} <file>`)
          .description(name)
          .option("-p, --param <name=value>", "a param", (v, acc) => [...acc, v], [])
          .option("--store <dir>", "store")
          .option("--no-record", "no record")
          .action(() => undefined);
      program.parse(["node", "lathe", "run", "job.lathe", "-p", "a=1", "--no-record"]);
    },
  ],
  [
    duckdbFile,
    async () => {
      // Through Lathe's own loader, which finds the bundle loaded here in require.cache.
      const { duckdb } = await dist("runtime/data/duckdb-module.js");
      const instance = await duckdb.DuckDBInstance.create(":memory:");
      const connection = await instance.connect();
      (await connection.runAndReadAll("select range as i, range * 0.5 as x, 'a' || range as s from range(3)")).getRowObjectsJson();
      connection.closeSync();
      instance.closeSync();
    },
  ],
  [
    chartsFile,
    async () => {
      const charts = await dist("runtime/charts/index.js");
      const classes = ["a", "b", "c"];
      for (const spec of [
        charts.confusionMatrixChart({ classes, matrix: [[3, 1, 0], [0, 4, 1], [1, 0, 5]] }),
        charts.lossCurveChart({ history: [1, 2, 3].map((step) => ({ step, loss: 1 / step, valLoss: 1.2 / step })) }),
      ])
        await charts.renderBundle(spec, { png: false });
    },
  ],
];
for (const [file, use] of uses) {
  const name = `dist/vendor/${file.slice(outDir.length + 1)}`;
  try {
    const { exports, script } = runBundle(file);
    await use(exports);
    writeFileSync(codeCachePath(file), script.createCachedData());
    console.log(`bundle-vendor: ${name} and its V8 code cache`);
  } catch (e) {
    console.log(`bundle-vendor: ${name}, without a code cache (${e instanceof Error ? e.message : e})`);
  }
}
