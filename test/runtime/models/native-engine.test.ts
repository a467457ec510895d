import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repo, tempDir } from "../../helpers.js";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads the engine (the build in dist/) twice in a fresh process with `env`; prints what a run would record. */
function load(env: Record<string, string>) {
  const engine = path.join(repo, "dist/runtime/models/native-engine.js");
  const script = `import { nativeMlp, nativeMlpDescription } from ${JSON.stringify(engine)};
let threw = "";
for (let i = 0; i < 2; i++) try { nativeMlp(); } catch (e) { threw = e.message; }
console.log(JSON.stringify({ description: nativeMlpDescription(), threw }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, ...env } });
  return { ...(JSON.parse(r.stdout) as { description: string; threw: string }), err: r.stderr };
}

describe("loading the native MLP engine", () => {
  it("says once why a module that is there does not load, and records the reason", () => {
    const bad = path.join(dir, "lathe-native.node");
    writeFileSync(bad, "not a shared object");
    const r = load({ LATHE_NATIVE_MODULE: bad });
    expect(r.err.match(/lathe: the native MLP engine is not loadable/g)).toHaveLength(1);
    expect(r.err).toMatch(/not loadable: .*(invalid ELF header|too short|not a valid).* \(.*lathe-native\.node\); neural_network trains on TensorFlow\.js/);
    expect(r.description).toMatch(/^unavailable: not loadable: /);
  });

  it("makes LATHE_NN_ENGINE=native an error that carries the reason", () => {
    const r = load({ LATHE_NATIVE_MODULE: path.join(dir, "missing.node"), LATHE_NN_ENGINE: "native" });
    expect(r.threw).toBe(`LATHE_NN_ENGINE=native but the native MLP engine is not found: ${path.join(dir, "missing.node")} (LATHE_NATIVE_MODULE)`);
    expect(r.err).toBe("");
  });

  it("describes the build in use: variant, compiler, flags", () => {
    const r = load({});
    expect(r.err).toBe("");
    expect(r.description).toMatch(/^(avx2|x86-64|baseline) \((gcc|clang) .*; -O3 /);
  });
});
