import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** A fresh temporary folder. */
export function tempDir(prefix = "lathe-test-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A vega-datasets file's absolute path. */
export function dataset(name: string): string {
  return path.join(repo, "node_modules", "vega-datasets", "data", name);
}

/** The built CLI (`bin/lathe.js`) run to its end in a process of its own: exit code, stdout, stderr. */
export function latheSync(args: string[], cwd?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(repo, "bin/lathe.js"), ...args], { encoding: "utf8", timeout: 120_000, cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
