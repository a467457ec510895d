import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { installKernelSpec } from "./jupyter/kernelspec.js";

/** tslab is missing from node_modules: said with how to add it. */
export class TslabMissing extends Error {
  readonly code = "tslab-not-installed";
}

/**
 * tslab's command-line script, found the way `import` finds packages: from this package (a
 * development checkout has tslab as a dev dependency), then from the working directory (a project
 * that installed Lathe and tslab side by side).
 */
export function tslabScript(): string {
  for (const base of [import.meta.url, path.join(process.cwd(), "noop.js")]) {
    try {
      const pkg = createRequire(base).resolve("tslab/package.json");
      const script = path.join(path.dirname(pkg), "bin", "tslab");
      if (existsSync(script)) return script;
    } catch {
      // not installed there
    }
  }
  throw new TslabMissing("tslab is not installed here: `npm install --save-dev tslab@1.0.22`, then run this again");
}

/**
 * Registers tslab's TypeScript (`tslab`) and JavaScript (`jslab`) kernels with Jupyter as
 * `tslab install` does, but with absolute paths: node (this one) and tslab's script. `tslab
 * install` writes `argv: ["tslab", ...]`, which only starts where a `tslab` command is on the PATH
 * of the process Jupyter runs in, so nbconvert and `lathe notebook run` fail with
 * FileNotFoundError. Returns the installed folders.
 */
export async function installTslabKernels(options: { user?: boolean; prefix?: string }): Promise<string[]> {
  const script = tslabScript();
  const dirs: string[] = [];
  for (const js of [false, true]) {
    dirs.push(
      await installKernelSpec({
        name: js ? "jslab" : "tslab",
        displayName: js ? "JavaScript" : "TypeScript",
        language: js ? "javascript" : "typescript",
        argv: [process.execPath, script, "kernel", "--config-path", "{connection_file}", ...(js ? ["--js"] : [])],
        user: options.user,
        prefix: options.prefix,
      }),
    );
  }
  return dirs;
}
