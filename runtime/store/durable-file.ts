import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { crashPoint, enospc, writableBytes } from "./fault-injection.js";
import { misplaced, storeIoError } from "./store-error.js";

// The store's only ways of writing: a file appears complete or not at all (written to a temp file
// in the store's own tmp/ folder, fsynced, then renamed or linked into place, and the folder
// fsynced), and in-place writes are fsynced before they count. A failed write leaves no temp file.

/** Makes sure `dir` is a folder (creating it and its parents); a file in the way is `store-damaged`. */
export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTDIR") throw misplaced(dir, "ENOTDIR");
    throw storeIoError(e, "create the folder", dir);
  }
  if (!statSync(dir).isDirectory()) throw misplaced(dir, "ENOTDIR");
}

/**
 * Writes all of `bytes` at `position` of an open file. The write is split in two so that a test
 * can kill the process between the halves (`crash-at=torn-write`): what a crash mid-write leaves.
 * `allocates` false: the bytes overwrite blocks the file already has (no new space needed).
 */
export function writeAt(fd: number, bytes: Uint8Array, position: number, file: string, allocates = true): void {
  const half = bytes.length >> 1;
  writeFully(fd, bytes.subarray(0, half), position, file, allocates);
  crashPoint("torn-write");
  writeFully(fd, bytes.subarray(half), position + half, file, allocates);
}

function writeFully(fd: number, bytes: Uint8Array, position: number, file: string, allocates: boolean): void {
  let done = 0;
  while (done < bytes.length) {
    const want = bytes.length - done;
    const allowed = allocates ? writableBytes(want) : want;
    if (allowed > 0) done += writeSync(fd, bytes, done, allowed, position + done);
    if (allowed < want) throw enospc("write", file);
  }
}

/** A fresh temp file name in `tmpDir`: `PID-RANDOM.tmp`, so `lathe gc` can tell whose it is. */
export function tempName(tmpDir: string): string {
  return path.join(tmpDir, `${process.pid}-${randomBytes(6).toString("hex")}.tmp`);
}

/** Writes `bytes` to a new temp file (for `target`) and fsyncs it; on any failure removes it and throws a StoreError naming `target`. */
export function writeTemp(tmpDir: string, bytes: Uint8Array, target: string): string {
  ensureDir(tmpDir);
  const tmp = tempName(tmpDir);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx");
    writeAt(fd, bytes, 0, tmp);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    return tmp;
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    removeQuietly(tmp);
    throw storeIoError(e, "write", target);
  }
}

/** Puts `bytes` at `target` atomically (temp file, fsync, rename, fsync of the folder): old or new, never half. */
export function replaceDurably(target: string, bytes: Uint8Array, tmpDir: string): void {
  const tmp = writeTemp(tmpDir, bytes, target);
  try {
    crashPoint("before-rename");
    renameSync(tmp, target);
    crashPoint("after-rename");
  } catch (e) {
    removeQuietly(tmp);
    throw storeIoError(e, "move into place", target);
  }
  fsyncDir(path.dirname(target));
}

/**
 * Creates `target` with `bytes` only if it does not exist yet, atomically (temp file, fsync, hard
 * link, fsync of the folder): two processes creating the same name cannot both succeed, and the
 * file never appears half-written. Returns false when it already existed.
 */
export function createExclusive(target: string, bytes: Uint8Array, tmpDir: string): boolean {
  const tmp = writeTemp(tmpDir, bytes, target);
  try {
    crashPoint("before-link");
    linkSync(tmp, target);
    crashPoint("after-link");
    fsyncDir(path.dirname(target));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw storeIoError(e, "create", target);
  } finally {
    removeQuietly(tmp);
  }
}

/** Makes a folder's entries (a rename, a link) durable. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the entry is then as durable as they make it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Removes a file if it is there. */
export function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/** The entries of a folder of the store; none if it does not exist yet. */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw storeIoError(e, "read the folder", dir);
  }
}
