import { spawnSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { repo } from "../helpers.js";

// Each process computes the fingerprint once and keeps it, so it is compared across processes of their own (on the build).
function fingerprint(): string {
  const module = pathToFileURL(path.join(repo, "dist/runtime/code-fingerprint.js")).href;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `const { codeFingerprint } = await import(${JSON.stringify(module)}); console.log(codeFingerprint());`], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  expect(r.stderr).toBe("");
  return r.stdout.trim();
}

describe("codeFingerprint", () => {
  it("hashes the runtime's files to the same sha256 in every process", () => {
    const first = fingerprint();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint()).toBe(first);
  });
});
