import { closeSync, openSync, readFileSync, readSync, statSync, type Stats } from "node:fs";
import path from "node:path";
import { DataError } from "../errors.js";

/** Why a file operation failed, in words: "permission denied", "is a directory", "no such file". */
export function fileProblem(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "ELOOP":
      return "too many symbolic links (a link loop?)";
    case "ENAMETOOLONG":
      return "the name is too long";
    case "EMFILE":
    case "ENFILE":
      return "too many open files";
    case "EIO":
      return "input/output error";
    default:
      // Node's message starts with the code (`EBUSY: resource busy or locked, open 'x'`): keep the words.
      return err?.message ? err.message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "") : String(e);
  }
}

/** Reads a program (or any text file) as UTF-8, or says why it cannot: `cannot read job.lathe: permission denied`. */
export function readTextFile(file: string): { text: string } | { error: string; code: "file-not-found" | "file-unreadable" | "file-not-regular" } {
  try {
    if (statSync(file).isDirectory()) return { error: `cannot read ${file}: is a directory`, code: "file-not-regular" };
    return { text: readFileSync(file, "utf8") };
  } catch (e) {
    return { error: `cannot read ${file}: ${fileProblem(e)}`, code: (e as NodeJS.ErrnoException).code === "ENOENT" ? "file-not-found" : "file-unreadable" };
  }
}

/** What kind of thing a non-regular file is, for the error that refuses it. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Checks that a data file exists, is a regular file and can be opened for reading; returns its
 * size and mtime. A FIFO or device would block or never end, so anything but a regular file is
 * refused before a reader touches it. `shown` is the path as the program wrote it.
 */
export function statDataFile(file: string, shown = file): Stats {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DataError(`file not found: ${shown}${shown !== file ? ` (looked in ${path.dirname(file)})` : ""}`, file, "file-not-found");
    throw new DataError(`cannot read ${shown}: ${fileProblem(e)}`, file, "file-unreadable");
  }
  if (!st.isFile()) throw new DataError(`cannot read ${shown}: it is ${kindOf(st)}, not a regular file`, file, "file-not-regular");
  try {
    closeSync(openSync(file, "r"));
  } catch (e) {
    throw new DataError(`cannot read ${shown}: ${fileProblem(e)}`, file, "file-unreadable");
  }
  return st;
}

/** Up to `n` bytes of a file from `position`. */
export function readBytes(file: string, position: number, n: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, position));
  } finally {
    closeSync(fd);
  }
}
