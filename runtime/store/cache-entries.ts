import { readFileSync } from "node:fs";
import path from "node:path";
import { touchArtifact, type StoredFile } from "./artifact-file.js";
import { ensureDir, listDir, removeQuietly, replaceDurably } from "./durable-file.js";
import { fromExactJson, toExactJson } from "./exact-json.js";
import type { StoreLayout } from "./store-layout.js";

/**
 * One entry of the step cache: what a plan step computed (its tables as Parquet, its models as
 * model files, both among the store's content-addressed artifacts) and what it takes to put them
 * back. `payload` is the runtime's (`runtime/step-cache.ts`); the store needs only the rest.
 */
export interface CacheEntry<P = unknown> {
  format: 1;
  /** The key of the plan step whose outputs it holds: kept runs' plans name it, which is what `lathe gc` keeps. */
  stepKey: string;
  createdAt: string;
  /** The recorded run that computed it, if it was recorded. */
  runId?: string;
  /** Artifacts it needs, as `<sha256>.<ext>` names in `artifacts/`: an entry missing one is no entry. */
  files: { name: string; bytes: number }[];
  payload: P;
}

type Layout = Pick<StoreLayout, "root" | "artifactDir" | "tmpDir">;

/** The step cache's folder: `cache/<entry key>.json`. */
export function cacheDir(layout: Pick<StoreLayout, "root">): string {
  return path.join(layout.root, "cache");
}

/**
 * The step cache's entries on disk. Each is written whole (temp file, fsync, then a link or a
 * rename), so two runs writing the same entry at once leave one of their two complete copies.
 */
export class CacheEntries {
  readonly dir: string;

  constructor(readonly layout: Layout) {
    this.dir = cacheDir(layout);
  }

  /** The entry's file. */
  file(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  /** The artifact file an entry names. */
  artifact(name: string): string {
    return path.join(this.layout.artifactDir, name);
  }

  /**
   * The entry of a key, its files touched (so `lathe gc` sees them in use); undefined when there is
   * none, it cannot be read, or a file it needs is gone (a cache miss is never an error).
   */
  read<P>(key: string): CacheEntry<P> | undefined {
    let entry: CacheEntry<P>;
    try {
      entry = fromExactJson<CacheEntry<P>>(readFileSync(this.file(key), "utf8"));
    } catch {
      return undefined;
    }
    if (entry?.format !== 1 || !Array.isArray(entry.files)) return undefined;
    try {
      return entry.files.every((f) => touchArtifact(this.artifact(f.name), f.bytes)) ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes an entry, replacing any there: written only by a run that computed the step, so the same outputs or a repair of a dead entry. */
  write<P>(key: string, entry: CacheEntry<P>): void {
    ensureDir(this.dir);
    replaceDurably(this.file(key), Buffer.from(toExactJson(entry)), this.layout.tmpDir);
  }

  /** Every entry key. */
  keys(): string[] {
    return listDir(this.dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5));
  }

  /** Removes an entry (its artifacts stay until `lathe gc` finds nothing references them). */
  remove(key: string): void {
    removeQuietly(this.file(key));
  }
}

/** An artifact as a cache entry names it. */
export function entryFile(f: StoredFile): { name: string; bytes: number } {
  return { name: path.basename(f.path), bytes: f.bytes };
}
