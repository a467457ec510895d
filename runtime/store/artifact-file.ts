import { createHash } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, statSync, utimesSync } from "node:fs";
import path from "node:path";
import { fileSha256 } from "../file-sha256.js";
import { ensureDir, fsyncDir, removeQuietly, replaceDurably } from "./durable-file.js";
import { crashPoint } from "./fault-injection.js";
import { storeIoError } from "./store-error.js";
import type { StoreLayout } from "./store-layout.js";

/** A content-addressed file of the store: `artifacts/<sha256>.<ext>`. */
export interface StoredFile {
  path: string;
  sha256: string;
  bytes: number;
}

type Layout = Pick<StoreLayout, "artifactDir" | "tmpDir">;

/**
 * Writes bytes content-addressed. The file appears whole or not at all (temp file, fsync, rename);
 * an existing copy is touched instead, so `lathe gc` sees it is in use.
 */
export function storeBytes(layout: Layout, ext: string, content: Uint8Array): StoredFile {
  ensureDir(layout.artifactDir);
  const sha256 = createHash("sha256").update(content).digest("hex");
  const file = path.join(layout.artifactDir, `${sha256}.${ext}`);
  if (!touchArtifact(file, content.length)) replaceDurably(file, content, layout.tmpDir);
  crashPoint("artifact-stored");
  return { path: file, sha256, bytes: content.length };
}

/**
 * Moves a file written in the store's `tmp/` folder (by DuckDB, say) into the artifacts under its
 * content hash: fsynced, then renamed into place (or, when that content is already stored, the
 * copy there is touched and the temp file removed).
 */
export async function adoptFile(layout: Layout, tmp: string, ext: string): Promise<StoredFile> {
  try {
    const sha256 = await fileSha256(tmp);
    const bytes = statSync(tmp).size;
    const file = path.join(layout.artifactDir, `${sha256}.${ext}`);
    if (touchArtifact(file, bytes)) return { path: file, sha256, bytes };
    const fd = openSync(tmp, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    ensureDir(layout.artifactDir);
    renameSync(tmp, file);
    fsyncDir(layout.artifactDir);
    return { path: file, sha256, bytes };
  } catch (e) {
    throw storeIoError(e, "store", tmp);
  } finally {
    removeQuietly(tmp);
  }
}

/** Marks an existing, whole artifact as just used; false when it is missing (or not whole) and must be written. */
export function touchArtifact(file: string, bytes: number): boolean {
  try {
    if (statSync(file).size !== bytes) return false;
    const now = new Date();
    utimesSync(file, now, now);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw storeIoError(e, "use the artifact", file);
  }
}
