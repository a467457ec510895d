// Compiles kernel/jupyter/*.ts into a fresh directory for the out-of-process
// tests, so they never run against a stale dist/. The directory sits under
// node_modules/.cache so the compiled modules still resolve `zeromq`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = resolve(fileURLToPath(new URL("../../../", import.meta.url)));

/** Compiles the kernel server to a temporary directory; returns it and a cleanup function. */
export function buildKernelModules(): { dir: string; cleanup(): void } {
  const cache = join(ROOT, "node_modules", ".cache", "lathe-kernel-test");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "build-"));
  const src = join(ROOT, "kernel", "jupyter");
  const files = readdirSync(src).filter((f) => f.endsWith(".ts")).map((f) => join(src, f));
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, "node_modules", "typescript", "bin", "tsc"),
      ...["--module", "NodeNext", "--moduleResolution", "NodeNext", "--target", "ES2022", "--lib", "ES2023"],
      ...["--types", "node", "--strict", "--skipLibCheck", "--rootDir", src, "--outDir", dir],
      ...files,
    ],
    { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
  );
  if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
