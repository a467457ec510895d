import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { repo } from "../helpers.js";

// Each process computes the fingerprint once and keeps it, so it is compared across processes of their own (on the build).
function fingerprint(env: Record<string, string> = {}): string {
  const module = pathToFileURL(path.join(repo, "dist/runtime/code-fingerprint.js")).href;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `const { codeFingerprint } = await import(${JSON.stringify(module)}); console.log(codeFingerprint());`], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "", ...env } });
  expect(r.stderr).toBe("");
  return r.stdout.trim();
}

describe("codeFingerprint", () => {
  it("hashes the runtime's files to the same sha256 in every process", () => {
    const first = fingerprint();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint()).toBe(first);
  });

  it("hashes the native module the engine loads (dist/native/<platform>-<arch>/ or LATHE_NATIVE_MODULE)", () => {
    const built = path.join(repo, "dist/native", `${process.platform}-${process.arch}`, "lathe-native.node");
    const dir = mkdtempSync(path.join(tmpdir(), "lathe-fingerprint-"));
    try {
      const same = path.join(dir, "same.node");
      const changed = path.join(dir, "changed.node");
      copyFileSync(built, same);
      writeFileSync(changed, Buffer.concat([readFileSync(built), Buffer.from([0])]));
      const plain = fingerprint();
      expect(fingerprint({ LATHE_NATIVE_MODULE: same })).toBe(plain);
      expect(fingerprint({ LATHE_NATIVE_MODULE: changed })).not.toBe(plain);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
