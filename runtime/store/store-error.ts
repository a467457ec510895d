import { statSync } from "node:fs";
import path from "node:path";

/**
 * Codes of run-store failures: `store-error` (the file system refused: full disk, permissions, a
 * read-only mount), `store-damaged` (a file or folder of the store is not what Lathe wrote there),
 * `store-busy` (another process held the index for longer than Lathe waits), `ambiguous-run-id`
 * (a run-id prefix that names several runs), `run-not-open` (a run to continue that is not
 * recorded, or has ended).
 */
export type StoreErrorCode = "store-error" | "store-damaged" | "store-busy" | "ambiguous-run-id" | "run-not-open";

/**
 * A run-store failure stated for the user: what failed, on which file, why, and what to do. Never
 * an internal error: the cause is the machine or the store's files, not the program.
 */
export class StoreError extends Error {
  override name = "StoreError";
  constructor(
    message: string,
    readonly code: StoreErrorCode = "store-error",
    readonly file?: string,
  ) {
    super(message);
  }
}

const causes: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large for this file system or limit",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EIO: "input/output error",
  EMFILE: "too many open files",
};

/** A file-system error as a StoreError naming what was being done, the file, and the cause. */
export function storeIoError(e: unknown, doing: string, file: string): StoreError {
  if (e instanceof StoreError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "ENOTDIR" || err?.code === "EISDIR") return misplaced(file, err.code);
  const cause = (err?.code && causes[err.code]) ?? err?.message ?? String(e);
  const hint = err?.code === "ENOSPC" || err?.code === "EDQUOT" ? ": free some space (`lathe gc` removes what no run or registered model references) and run again" : "";
  return new StoreError(`the run store could not ${doing} ${file}: ${cause}${err?.code && causes[err.code] ? ` (${err.code})` : ""}${hint}`, "store-error", file);
}

/** A path of the store that is a file where a folder belongs (or the reverse), named precisely. */
export function misplaced(file: string, code: string): StoreError {
  let culprit = file;
  if (code !== "EISDIR") {
    // The nearest existing ancestor that is not a folder is the one in the way.
    for (let p = file; p !== path.dirname(p); p = path.dirname(p)) {
      let st;
      try {
        st = statSync(p);
      } catch {
        continue; // missing, or under the culprit
      }
      if (!st.isDirectory()) culprit = p;
    }
  }
  return new StoreError(
    `the run store is damaged: ${culprit} is a ${code === "EISDIR" ? "folder where Lathe keeps a file" : "file where Lathe keeps a folder"}; move it out of the way (Lathe recreates what it needs; nothing else of the store is affected)`,
    "store-damaged",
    culprit,
  );
}
