import { createRequire } from "node:module";
import path from "node:path";

/** A Jupyter MIME bundle. */
export type MimeBundle = Record<string, unknown>;

/** A notebook output: its bundle and display metadata (an image's size, the run it belongs to). */
export interface Display {
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

type TslabJupyter = { lastWriteDisplayData?: (data: { data: MimeBundle; metadata: object; transient: object }, update: boolean) => void };

/** Output metadata naming the recorded run an output belongs to: `{ lathe: { run_id } }` (none when unrecorded). */
export function runMetadata(runId: string | undefined): Record<string, unknown> {
  return runId ? { lathe: { run_id: runId } } : {};
}

let tslab: TslabJupyter | null | undefined;

/**
 * tslab's display module, when this process is a tslab kernel. Found through the working
 * directory's node_modules so it is the very module instance the kernel itself loaded (a notebook
 * sits below a node_modules holding tslab).
 */
function tslabJupyter(): TslabJupyter | null {
  if (tslab !== undefined) return tslab;
  tslab = null;
  for (const base of [path.join(process.cwd(), "noop.js"), import.meta.url]) {
    try {
      const mod = createRequire(base)("tslab/dist/jupyter") as TslabJupyter;
      if (typeof mod.lastWriteDisplayData === "function" && isTslabProcess()) {
        tslab = mod;
        break;
      }
    } catch {
      // not installed here
    }
  }
  return tslab;
}

function isTslabProcess(): boolean {
  return process.argv.some((a) => /tslab/.test(a));
}

/** True when displays can reach a notebook (we run inside a tslab kernel). */
export function canDisplay(): boolean {
  return tslabJupyter() !== null;
}

/** Sends one multi-MIME bundle to the notebook; outside a kernel it prints the text form. */
export function displayBundle(bundle: MimeBundle, metadata: Record<string, unknown> = {}): void {
  const j = tslabJupyter();
  if (j?.lastWriteDisplayData) j.lastWriteDisplayData({ data: bundle, metadata, transient: {} }, false);
  else if (typeof bundle["text/plain"] === "string") process.stdout.write(`${bundle["text/plain"]}\n`);
}
