// Bundles DuckDB's client package (@duckdb/node-api, ≈ 180 CommonJS files) into one file,
// dist/vendor/duckdb-node-api-<version>.cjs, which runtime/data/duckdb-module.ts loads instead of the
// package when the installed package has that version. Node resolves, reads and wraps each CommonJS file
// on its own: one file instead of 180 saves ≈ 80 ms of CPU on every start of the CLI, a kernel or a
// server (bench/RESULTS.md, start-up). The native bindings stay outside: the bundle loads them from where
// the installed @duckdb/node-api would, so it runs the very binary the package would.
//
//   node scripts/bundle-duckdb.mjs     (npm run build, prepare, pretest)
//
// esbuild is a devDependency: where it is missing (an install that skipped them) this says so and
// writes nothing, and Lathe loads the package as before.
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const outDir = join(root, "dist", "vendor");

let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  console.log("bundle-duckdb: esbuild is not installed; DuckDB's client is loaded from its package");
  process.exit(0);
}
const entry = require.resolve("@duckdb/node-api");
const { version } = require("@duckdb/node-api/package.json");
mkdirSync(outDir, { recursive: true });
// A bundle of another version is never loaded again: only the current one is kept.
for (const f of readdirSync(outDir)) if (f.startsWith("duckdb-node-api-")) rmSync(join(outDir, f));
await esbuild.build({
  entryPoints: [entry],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  outfile: join(outDir, `duckdb-node-api-${version}.cjs`),
  logLevel: "warning",
  // Only the bindings' loader below names it, to find where the package is installed.
  external: ["@duckdb/node-api"],
  plugins: [
    {
      name: "bindings-beside-the-package",
      setup(build) {
        build.onResolve({ filter: /^@duckdb\/node-bindings$/ }, () => ({ path: "bindings", namespace: "duckdb-bindings" }));
        // The bindings as the installed @duckdb/node-api resolves them (hoisted or nested under it).
        build.onLoad({ filter: /.*/, namespace: "duckdb-bindings" }, () => ({
          contents: 'module.exports = require("node:module").createRequire(require.resolve("@duckdb/node-api"))("@duckdb/node-bindings");',
          loader: "js",
          resolveDir: root,
        }));
      },
    },
  ],
});
console.log(`bundle-duckdb: dist/vendor/duckdb-node-api-${version}.cjs`);
