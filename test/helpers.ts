import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Folders `tempDir` made in this test file; test/setup.ts removes them after the file's tests. */
export const madeTempDirs: string[] = [];

/** A fresh temporary folder, removed after the test file (tests may remove it sooner). */
export function tempDir(prefix = "lathe-test-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  madeTempDirs.push(dir);
  return dir;
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

/** Runs `f` with the environment variable `name` set to `value` (or unset), restoring it after. */
export async function withEnv<T>(name: string, value: string | undefined, f: () => Promise<T>): Promise<T> {
  const before = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}
