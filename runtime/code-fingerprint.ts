import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let known: string | undefined;

/**
 * A hash of the runtime's own code (every module of this folder, compiled or source, and the
 * native engine): cached results are only valid for the code that computed them, and Lathe's
 * version number does not change with every change to a learner. Computed once per process.
 */
export function codeFingerprint(): string {
  if (known) return known;
  const self = fileURLToPath(import.meta.url);
  const ext = path.extname(self);
  const root = path.dirname(self);
  const h = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(ext) && !entry.name.endsWith(`.d${ext}`)) h.update(`${path.relative(root, p)}\0`).update(readFileSync(p));
    }
  };
  walk(root);
  // From dist/runtime/ the native module sits in dist/native/; from the sources in dist/native/ too.
  for (const p of ["../native/lathe-native.node", "../dist/native/lathe-native.node"].map((p) => path.resolve(root, p))) {
    if (existsSync(p)) h.update(readFileSync(p));
  }
  return (known = h.digest("hex"));
}
