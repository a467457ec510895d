import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The JavaScript of runtime modules and of everything they import, for copying into an exported
 * folder: the folder runs the very code the server runs, so its predictions are the server's.
 * From a build (`dist/`) the compiled `.js` is read as it is; when the runtime runs from its
 * TypeScript sources (tests), each `.ts` is transpiled the way `tsc` emits it.
 */

/** This folder's `runtime/` (the sources' or the build's). */
const runtimeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** A module's JavaScript by its path under `runtime/` without extension, e.g. `predict/predictor`. */
async function moduleText(id: string): Promise<string> {
  const js = path.join(runtimeDir, `${id}.js`);
  if (existsSync(js)) return readFileSync(js, "utf8").replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  const source = readFileSync(path.join(runtimeDir, `${id}.ts`), "utf8");
  // Only when running from sources, where the compiler is installed with the dev dependencies.
  const ts = (await import("typescript")).default;
  return ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 }, fileName: `${id}.ts` }).outputText;
}

/** The specifiers a module's static imports and re-exports name (`import ... from "x"`, `export ... from "x"`, `import "x"`). */
export function importSpecifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import\s*|(?:import|export)\b[^'";=()]*?\bfrom\s*)["']([^"']+)["']/gm)) out.push(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]);
  return out;
}

/**
 * `entries` and every module they import, transitively, as path under `runtime/` → JavaScript.
 * Only relative imports inside `runtime/` are followed; a bare import is refused unless it is a
 * Node built-in and `allowNode` says the folder may use them (the container's server does, the
 * edge predictor never).
 */
export async function moduleClosure(entries: string[], allowNode: boolean): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const queue = [...entries];
  while (queue.length) {
    const id = queue.shift()!;
    if (out.has(id)) continue;
    const text = await moduleText(id);
    out.set(id, text);
    for (const spec of importSpecifiers(text)) {
      if (spec.startsWith("node:") && allowNode) continue;
      if (!spec.startsWith("./") && !spec.startsWith("../")) throw new Error(`${id} imports ${JSON.stringify(spec)}: an exported folder holds only dependency-free modules`);
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(id), spec)).replace(/\.js$/, "");
      if (target.startsWith("..")) throw new Error(`${id} imports ${JSON.stringify(spec)}, outside runtime/`);
      queue.push(target);
    }
  }
  return out;
}
