import { existsSync, readFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

/**
 * Loading the build's one-file CommonJS bundles of other packages (dist/vendor/: DuckDB's client, Vega
 * with Vega-Lite, commander; scripts/bundle-vendor.mjs) with the V8 code cache the build wrote beside each
 * (`<bundle>.v8cache`). Compiling a bundle is most of what loading it costs: V8 parses its ≈ 1–2.5 MB
 * of source, then compiles each function on its first call; the cache holds the bytecode of every
 * function the build's own use of the bundle compiled, so a start skips both (Vega and Vega-Lite,
 * loaded and one chart drawn: ≈ 150 → ≈ 75 ms of CPU; bench/RESULTS.md, start-up). Node ≥ 22.1 has a
 * compile cache of its own (bin/lathe.js enables it), Node 20 none. V8 checks the cache against its
 * version, its flags and the source, and compiles from the source as without it when the cache does not
 * fit (another Node than the build's) or is missing; nothing is written at run time.
 */

/** The file name of the bundle of these packages at these versions (name, version, name, version, …). */
export const vendorBundleName = (...namesAndVersions: string[]): string => `${namesAndVersions.join("-")}.cjs`;

/**
 * The build's bundle of these packages if it was made from the versions installed now (the sources,
 * run by the tests, and an install that skipped esbuild have none); else undefined.
 */
export function vendorBundle(...namesAndVersions: string[]): string | undefined {
  // From dist/runtime/ the bundles are in dist/vendor/.
  const file = fileURLToPath(new URL(`../vendor/${vendorBundleName(...namesAndVersions)}`, import.meta.url));
  return existsSync(file) ? file : undefined;
}

/** The cache file V8's code cache of a bundle is kept in, beside it. */
export const codeCachePath = (bundle: string): string => `${bundle}.v8cache`;

/** A bundle compiled and run as a CommonJS module, and the script it was compiled into (the build writes its cache). */
export interface LoadedBundle {
  exports: unknown;
  script: vm.Script;
}

/**
 * Compiles and runs `file` as CommonJS, with `cachedData` if given, and registers it in `require.cache`
 * as Node's `require` would (a later `require` of the file returns the same exports).
 */
export function runBundle(file: string, cachedData?: Buffer): LoadedBundle {
  const source = readFileSync(file, "utf8");
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = new Module(file) as Module & { filename: string; paths: string[]; loaded: boolean };
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  const require = createRequire(file);
  require.cache[file] = mod;
  try {
    (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, require, mod, file, path.dirname(file));
  } catch (e) {
    delete require.cache[file];
    throw e;
  }
  mod.loaded = true;
  return { exports: mod.exports, script };
}

/** Loads a bundle of dist/vendor/ once per process (as `require` would), with its code cache when the build wrote one. */
export function requireBundle(file: string): unknown {
  const loaded = createRequire(file).cache[file];
  if (loaded?.loaded) return loaded.exports;
  const cache = codeCachePath(file);
  return runBundle(file, existsSync(cache) ? readFileSync(cache) : undefined).exports;
}
