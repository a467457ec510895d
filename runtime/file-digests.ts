import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileSha256 } from "./file-sha256.js";
import { listDir, removeQuietly, tempName } from "./store/durable-file.js";
import { storeLayout } from "./store/store-layout.js";

/**
 * What the file system says about a file's bytes without reading them: a write changes its size,
 * mtime or ctime (the kernel sets ctime from its clock at every change; `utimes` cannot set it), and a file
 * replaced by another under the same path has another inode.
 */
function fileState(file: string): { key: string; changedNs: bigint } {
  const s = statSync(file, { bigint: true });
  const changedNs = s.mtimeNs > s.ctimeNs ? s.mtimeNs : s.ctimeNs;
  return { key: `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`, changedNs };
}

/**
 * A file changed this long before its hash began is remembered: one changed later may change again
 * within the same clock tick of its file system, unseen by its state (git's "racily clean" files).
 */
const SETTLED_MS = 2000;

/**
 * A file's state as a computation from it begins (`key`), and whether its result may be remembered
 * under that state once it ends (`settled`): the file did not change meanwhile, and had last changed
 * `settledMs` before the computation began.
 */
export function watchFile(file: string, settledMs = SETTLED_MS): { key: string; settled(): boolean } {
  const { key, changedNs } = fileState(file);
  const startedNs = BigInt(Date.now()) * 1_000_000n;
  return { key, settled: () => fileState(file).key === key && changedNs <= startedNs - BigInt(settledMs) * 1_000_000n };
}

interface Entry {
  path: string;
  state: string;
  sha256: string;
}

/**
 * The sha256 of data files, remembered by file state (DVC's approach): a file whose device, inode,
 * size, mtime and ctime are what they were when it was hashed is not read again. Remembered in the
 * process and, given a run store that exists, across processes in its `digests/` folder: one small
 * JSON file per path, put in place whole by a rename from the store's `tmp/` (a torn or unreadable
 * entry is hashed again, never trusted; no fsync, as a lost entry only costs a hash). A store is
 * never created for it. Any change of state hashes the file again, as does a file changed within
 * two seconds before its hash began.
 */
export class FileDigests {
  private readonly known = new Map<string, Entry>();
  private readonly dir?: string;
  private readonly tmpDir?: string;

  /** `settledMs`: how long before its hash a file must have last changed to be remembered (tests set 0). */
  constructor(
    private readonly storeRoot?: string,
    private readonly settledMs = SETTLED_MS,
  ) {
    this.dir = storeRoot && path.join(storeRoot, "digests");
    this.tmpDir = storeRoot && storeLayout(storeRoot).tmpDir;
  }

  /** The file's sha256 (hex), read from disk only when its state is not the one remembered. */
  async sha256(file: string): Promise<string> {
    const abs = path.resolve(file);
    const watch = watchFile(abs, this.settledMs);
    const remembered = this.known.get(abs) ?? this.read(abs);
    if (remembered && remembered.state === watch.key) return remembered.sha256;
    const sha256 = await fileSha256(abs);
    // Changed while it was read, or too recently to trust its state: not remembered.
    if (!watch.settled()) return sha256;
    const entry = { path: abs, state: watch.key, sha256 };
    this.known.set(abs, entry);
    this.write(entry);
    return sha256;
  }

  private entryFile(abs: string): string | undefined {
    return this.dir && path.join(this.dir, `${createHash("sha256").update(abs).digest("hex")}.json`);
  }

  private read(abs: string): Entry | undefined {
    const file = this.entryFile(abs);
    const e = file ? readEntry(file) : undefined;
    return e?.path === abs ? e : undefined;
  }

  /** Best effort: a cache that cannot be written (a read-only store) only costs the next run a hash. */
  private write(entry: Entry): void {
    const file = this.entryFile(entry.path);
    if (!file || !existsSync(this.storeRoot!)) return;
    const tmp = tempName(this.tmpDir!);
    try {
      mkdirSync(this.dir!, { recursive: true });
      mkdirSync(this.tmpDir!, { recursive: true });
      writeFileSync(tmp, JSON.stringify(entry));
      renameSync(tmp, file);
    } catch {
      removeQuietly(tmp);
    }
  }
}

/** A digest entry as stored, or undefined for one that is torn, foreign or unreadable (never trusted). */
function readEntry(file: string): Entry | undefined {
  try {
    const e = JSON.parse(readFileSync(file, "utf8")) as Entry;
    return typeof e.path === "string" && typeof e.state === "string" && /^[0-9a-f]{64}$/.test(e.sha256) ? e : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `lathe gc`'s sweep of `digests/`: removes the entries no run would use again (their file is gone or
 * has changed since it was hashed, or the entry cannot be read); the others stay. Returns the counts.
 */
export function sweepDigests(storeRoot: string, dryRun = false): { removed: number; kept: number } {
  const dir = path.join(storeRoot, "digests");
  const counts = { removed: 0, kept: 0 };
  for (const f of listDir(dir)) {
    if (!f.endsWith(".json")) continue;
    const file = path.join(dir, f);
    const e = readEntry(file);
    let current = false;
    try {
      current = e !== undefined && fileState(e.path).key === e.state;
    } catch {
      // the file is gone or cannot be seen: its digest is of no use
    }
    if (current) counts.kept++;
    else {
      counts.removed++;
      if (!dryRun) removeQuietly(file);
    }
  }
  return counts;
}
