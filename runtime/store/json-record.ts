import { readFileSync } from "node:fs";
import { StoreError, storeIoError } from "./store-error.js";

/** What a record must be besides JSON, and what to tell the user when it is not. */
export interface RecordCheck<T> {
  /** True for a record of the expected shape (it is a non-null object when this is called). */
  valid: (record: T) => boolean;
  /** Appended in parentheses to the damaged-store message: how to recover. */
  hint?: string;
}

/**
 * A JSON record of the store, parsed; undefined when the file does not exist and `optional`. A file
 * that is not JSON (or, with `check`, not a record of its shape) is a damaged store (`store-damaged`,
 * saying it is not a `what` Lathe wrote).
 */
export function readJsonRecord<T>(file: string, what: string, optional = false, check?: RecordCheck<T>): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (optional && (e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw storeIoError(e, "read", file);
  }
  let record: T | undefined;
  try {
    record = JSON.parse(text) as T;
  } catch {
    record = undefined;
  }
  const shaped = check ? record !== null && typeof record === "object" && check.valid(record) : record !== undefined;
  if (!shaped) throw new StoreError(`the run store is damaged: ${file} is not a ${what} Lathe wrote${check?.hint ? ` (${check.hint})` : ""}`, "store-damaged", file);
  return record;
}
