import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The compiled worker script `file` of this folder, or undefined when running from TypeScript
 * source (under vitest), where a worker thread could not load the .ts file; training then stays
 * in this thread.
 */
export function compiledWorkerUrl(file: string): URL | undefined {
  if (!import.meta.url.endsWith(".js")) return undefined;
  const url = new URL(`./${file}`, import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}
