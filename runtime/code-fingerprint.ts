import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { nativeModuleFile } from "./models/native-engine.js";

let known: string | undefined;

/**
 * A hash of the runtime's own code (every module of this folder, compiled or source, and the
 * native engine): cached results are only valid for the code that computed them, and Lathe's
 * version number does not change with every change to a learner. Computed once per process, when a
 * record or the step cache first asks. Its ≈ 270 files are read with `readFileSync`: reading them
 * with promises (started early, to overlap the check) cost the main thread more CPU than the
 * synchronous reads block it (≈ 27 against ≈ 17 ms, and ≈ 15 ms more in all; bench/RESULTS.md).
 */
export function codeFingerprint(): string {
  if (known) return known;
  const files = codeFiles();
  return (known = digest(files, files.map((f) => readFileSync(f.path))));
}

/** The files hashed, in order: the modules under this folder by name (`name` their relative path), then the native module (no name). */
function codeFiles(): { path: string; name?: string }[] {
  const self = fileURLToPath(import.meta.url);
  const ext = path.extname(self);
  const root = path.dirname(self);
  const files: { path: string; name?: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(ext) && !entry.name.endsWith(`.d${ext}`)) files.push({ path: p, name: path.relative(root, p) });
    }
  };
  walk(root);
  // The module the native engine loads (dist/native/<platform>-<arch>/, or LATHE_NATIVE_MODULE):
  // its learners' results are the runtime's as much as the JavaScript's are.
  const native = nativeModuleFile();
  if (native) files.push({ path: native });
  return files;
}

function digest(files: { name?: string }[], contents: Buffer[]): string {
  const h = createHash("sha256");
  files.forEach((f, i) => (f.name === undefined ? h : h.update(`${f.name}\0`)).update(contents[i]));
  return h.digest("hex");
}
