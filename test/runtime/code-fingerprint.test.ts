import { spawnSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { repo } from "../helpers.js";

// Each process computes the fingerprint once and keeps it, so the two ways are compared in processes of their own (on the build).
function fingerprint(call: "codeFingerprint()" | "await codeFingerprintAsync()"): string {
  const module = pathToFileURL(path.join(repo, "dist/runtime/code-fingerprint.js")).href;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `const { codeFingerprint, codeFingerprintAsync } = await import(${JSON.stringify(module)}); console.log(${call});`], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  expect(r.stderr).toBe("");
  return r.stdout.trim();
}

describe("codeFingerprint", () => {
  it("reads the files off the main thread to the same hash", () => {
    const sync = fingerprint("codeFingerprint()");
    expect(sync).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint("await codeFingerprintAsync()")).toBe(sync);
  });
});
