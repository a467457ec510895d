import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The compiled worker script `file` beside the module `from` (its `import.meta.url`), or undefined
 * when running from TypeScript source (under vitest), where a worker thread could not load the .ts
 * file; the work then stays in this thread.
 */
export function compiledWorkerUrl(file: string, from: string): URL | undefined {
  if (!from.endsWith(".js")) return undefined;
  const url = new URL(`./${file}`, from);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}
