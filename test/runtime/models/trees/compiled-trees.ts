/**
 * The worker-thread paths only exist in compiled JavaScript (a worker cannot load the .ts sources
 * vitest runs), so their tests transpile the trees folder with the project's TypeScript into a temp
 * directory and train through that build.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("../../../../", import.meta.url));

/** A transpiled copy of the trees folder: `load(file)` imports one of its modules; `remove` deletes it. */
export interface CompiledTrees {
  load<T>(file: string): Promise<T>;
  remove(): void;
}

/** Transpiles runtime/models/trees (and what it imports) into a temp directory. */
export function compileTrees(): CompiledTrees {
  const outDir = mkdtempSync(join(tmpdir(), "lathe-trees-build-"));
  const transpile = (from: string, to: string) => {
    const { outputText } = ts.transpileModule(readFileSync(from, "utf8"), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
      fileName: from,
    });
    writeFileSync(to, outputText);
  };
  // Per-file transpilation (as tsc emits it, without the type check) keeps this fast. The trees
  // score through the dependency-free scoring folder, so it comes along.
  for (const folder of ["trees", "scoring"]) {
    const from = join(root, "runtime/models", folder);
    const to = join(outDir, "runtime/models", folder);
    mkdirSync(to, { recursive: true });
    for (const file of readdirSync(from).filter((f) => f.endsWith(".ts"))) transpile(join(from, file), join(to, file.replace(/\.ts$/, ".js")));
  }
  // The trees' imports outside their folder: the coded errors their option checks throw, where their workers' scripts are, the
  // collection after they drop their columns, the pacing of a large tree, and the loader of the native module (the histogram
  // pass), which finds the repository's build through a link at the place it looks (dist/native beside runtime/).
  transpile(join(root, "runtime/errors.ts"), join(outDir, "runtime/errors.js"));
  transpile(join(root, "runtime/worker-url.ts"), join(outDir, "runtime/worker-url.js"));
  transpile(join(root, "runtime/collect-garbage.ts"), join(outDir, "runtime/collect-garbage.js"));
  transpile(join(root, "runtime/models/abort.ts"), join(outDir, "runtime/models/abort.js"));
  transpile(join(root, "runtime/models/native-engine.ts"), join(outDir, "runtime/models/native-engine.js"));
  mkdirSync(join(outDir, "dist"));
  symlinkSync(join(root, "dist/native"), join(outDir, "dist/native"));
  writeFileSync(join(outDir, "package.json"), JSON.stringify({ type: "module" }));
  return {
    load: async <T>(file: string) => (await import(/* @vite-ignore */ pathToFileURL(join(outDir, "runtime/models/trees", file)).href)) as T,
    remove: () => rmSync(outDir, { recursive: true, force: true }),
  };
}
