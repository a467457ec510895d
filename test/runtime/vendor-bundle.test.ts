import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { codeCachePath, requireBundle, runBundle, vendorBundleName } from "../../runtime/vendor-bundle.js";
import { repo, tempDir } from "../helpers.js";

describe("the build's vendor bundles", () => {
  it("loads a CommonJS file once, as `require` would: its exports, its own `require`, its file name, in require.cache", () => {
    const dir = tempDir();
    const file = path.join(dir, "bundle.cjs");
    writeFileSync(file, 'globalThis.__loads = (globalThis.__loads ?? 0) + 1;\nmodule.exports = { here: __filename, dir: __dirname, sep: require("node:path").sep, self: this === exports };');
    const first = requireBundle(file);
    expect(first).toEqual({ here: file, dir, sep: path.sep, self: true });
    expect(requireBundle(file)).toBe(first);
    expect(createRequire(file)(file)).toBe(first);
    expect((globalThis as { __loads?: number }).__loads).toBe(1);
    delete createRequire(file).cache[file];
  });

  it("loads a bundle whose code cache does not fit (another Node's, or damaged) from its source", () => {
    const dir = tempDir();
    const file = path.join(dir, "bundle.cjs");
    writeFileSync(file, "module.exports = [1, 2, 3].map((x) => x * 2);");
    writeFileSync(codeCachePath(file), Buffer.from("not a code cache"));
    expect(requireBundle(file)).toEqual([2, 4, 6]);
    delete createRequire(file).cache[file];
  });

  it("does not register a bundle whose top level throws", () => {
    const dir = tempDir();
    const file = path.join(dir, "bundle.cjs");
    writeFileSync(file, 'throw new Error("broken bundle");');
    expect(() => runBundle(file)).toThrow("broken bundle");
    expect(createRequire(file).cache[file]).toBeUndefined();
  });

  it("names a bundle after its packages and versions", () => {
    expect(vendorBundleName("vega", "5.33.1", "vega-lite", "5.23.0")).toBe("vega-5.33.1-vega-lite-5.23.0.cjs");
  });

  // The built dist/ (`npx tsc -p tsconfig.json && node scripts/bundle-vendor.mjs`): each bundle comes with
  // a code cache V8 takes under this Node, in a fresh process as a `lathe` command would load it.
  it("ships each bundle of dist/vendor/ with a code cache this Node accepts", () => {
    const vendor = path.join(repo, "dist/vendor");
    const bundles = readdirSync(vendor).filter((f) => f.endsWith(".cjs"));
    expect(bundles.map((f) => f.split("-")[0]).sort()).toEqual(["commander", "duckdb", "vega"]);
    const script = `
      import { readFileSync } from "node:fs";
      const { runBundle, codeCachePath } = await import(${JSON.stringify(path.join(repo, "dist/runtime/vendor-bundle.js"))});
      const out = {};
      for (const f of ${JSON.stringify(bundles.map((f) => path.join(vendor, f)))}) {
        const { script, exports } = runBundle(f, readFileSync(codeCachePath(f)));
        out[f.slice(f.lastIndexOf("/") + 1)] = { rejected: script.cachedDataRejected, exports: Object.keys(exports).length > 1 };
      }
      console.log(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(Object.values(JSON.parse(r.stdout))).toEqual(bundles.map(() => ({ rejected: false, exports: true })));
  });

  // The bundle loads vega-loader's HTTP client (node-fetch) only when a chart fetches a URL: then it is
  // found where vega's vega-loader finds it, and fetches.
  it("fetches a URL through the Vega bundle's loader, node-fetch loaded on that first fetch", async () => {
    const file = readdirSync(path.join(repo, "dist/vendor")).find((f) => f.startsWith("vega-") && f.endsWith(".cjs"))!;
    const { vega } = requireBundle(path.join(repo, "dist/vendor", file)) as { vega: { loader(): { load(url: string): Promise<string> } } };
    const server = createServer((_, res) => res.end('[{"a": 1}]'));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect(JSON.parse(await vega.loader().load(`http://127.0.0.1:${port}/rows.json`))).toEqual([{ a: 1 }]);
    } finally {
      server.close();
    }
  });
});
