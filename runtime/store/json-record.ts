import { readFileSync } from "node:fs";
import { StoreError, storeIoError } from "./store-error.js";

/**
 * A JSON record of the store, parsed; undefined when the file does not exist and `optional`. A file
 * that is not JSON is a damaged store (`store-damaged`, saying it is not a `what` Lathe wrote).
 */
export function readJsonRecord<T>(file: string, what: string, optional = false): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (optional && (e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw storeIoError(e, "read", file);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new StoreError(`the run store is damaged: ${file} is not a ${what} Lathe wrote`, "store-damaged", file);
  }
}
