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
