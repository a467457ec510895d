import { linkSync, readFileSync, renameSync, statSync, unlinkSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { sweepDigests } from "../file-digests.js";
import { ModelRegistry } from "../model-registry.js";
import type { StoreLayout } from "./store-layout.js";
import { CacheEntries, type CacheEntry } from "./cache-entries.js";
import { fromExactJson } from "./exact-json.js";
import { ensureDir, listDir, removeQuietly, tempName } from "./durable-file.js";
import { ownerAlive } from "./process-owner.js";
import { journalFile, readJournal, runIdsIn } from "./run-journal.js";
import { storeIoError } from "./store-error.js";
import { StoreIndex } from "./store-index.js";

/** What `lathe gc` found and did. */
export interface GcReport {
  /** Temp files of processes that are gone (a write a crash interrupted). */
  tempFiles: string[];
  /** Artifacts no run and no registered version references. */
  orphans: string[];
  bytesFreed: number;
  /** Artifacts kept because a run still running may be about to reference them. */
  keptForRunning: number;
  /** Artifacts some run, version or step-cache entry references. */
  referenced: number;
  /** Step-cache entries removed (no kept run's plan has their step, a file of theirs is gone, or `--cache`) and kept. */
  cache: { removed: number; kept: number };
  /** Remembered file digests removed (their file is gone or changed since) and kept. */
  digests: { removed: number; kept: number };
  /** Runs whose process died without recording an outcome. */
  crashed: string[];
  /** Artifacts a run or version references that are not in the store (or are not whole). */
  missing: { by: string; path: string }[];
  /** Journals that could not be read: while there are any, no artifact is removed. */
  unreadable: string[];
  /** Where a damaged index was kept when it was rebuilt. */
  reindexed?: string;
}

/**
 * Removes what no run needs: temp files of dead processes, artifacts that no run and no
 * registered version references and digests of files that are gone or changed, then brings the index up to date (rebuilding it if damaged).
 * Safe while runs are going on: an artifact written or reused since the oldest running run started
 * is kept, and an artifact is first moved aside, then checked again, so one that a run picked up
 * in the meantime is put back.
 */
export async function collectGarbage(store: StoreLayout, options: { dryRun?: boolean; cache?: boolean } = {}): Promise<GcReport> {
  const started = Date.now();
  const report: GcReport = { tempFiles: [], orphans: [], bytesFreed: 0, keptForRunning: 0, referenced: 0, cache: { removed: 0, kept: 0 }, digests: { removed: 0, kept: 0 }, crashed: [], missing: [], unreadable: [] };
  const remove = (file: string, size: number) => {
    report.bytesFreed += size;
    if (!options.dryRun) removeQuietly(file);
  };

  // Temp files are named PID-RANDOM.tmp (older stores put NAME.PID.tmp next to the artifacts).
  for (const [dir, pidOf] of [[store.tmpDir, (f: string) => /^(\d+)-[0-9a-f]+\.tmp$/.exec(f)?.[1]], [store.artifactDir, (f: string) => /\.(\d+)\.tmp$/.exec(f)?.[1]]] as const) {
    for (const f of listDir(dir)) {
      const pid = pidOf(f);
      if (!pid || processRuns(Number(pid))) continue;
      const file = path.join(dir, f);
      report.tempFiles.push(file);
      remove(file, sizeOf(file));
    }
  }

  // What the runs (finished, failed, crashed or running) and the registry reference.
  const referenced = new Map<string, string>();
  const stepKeys = new Set<string>();
  let oldestRunning = Infinity;
  for (const id of runIdsIn(store.runsDir)) {
    try {
      const run = readJournal(journalFile(store.runsDir, id));
      for (const a of run.artifacts) referenced.set(path.basename(a.path), `run ${id}`);
      for (const s of (run.plan as { steps?: { key?: string }[] } | undefined)?.steps ?? []) if (s.key) stepKeys.add(s.key);
      if (run.status === "crashed") report.crashed.push(id);
      if (run.status === "running") oldestRunning = Math.min(oldestRunning, Date.parse(run.start.startedAt) - 1000);
    } catch (e) {
      report.unreadable.push((e as Error).message);
    }
  }
  const registry = new ModelRegistry(store);
  for (const { name } of await registry.names()) {
    for (const v of await registry.versions(name)) referenced.set(path.basename(v.artifact), `"${name}" version ${v.version}`);
  }
  sweepStepCache(store, { ...options, stepKeys, since: Math.min(oldestRunning, started), trusted: !report.unreadable.length }, referenced, report);
  report.digests = sweepDigests(store.root, options.dryRun);
  for (const [file, by] of referenced) {
    const p = path.join(store.artifactDir, file);
    if (!statSync(p, { throwIfNoEntry: false })?.isFile()) report.missing.push({ by, path: p });
  }
  report.referenced = referenced.size;

  if (!report.unreadable.length) {
    for (const f of listDir(store.artifactDir)) {
      if (f.endsWith(".tmp") || referenced.has(f)) continue;
      const file = path.join(store.artifactDir, f);
      const st = statSync(file, { throwIfNoEntry: false });
      if (!st?.isFile()) continue;
      if (st.mtimeMs >= oldestRunning || st.mtimeMs >= started) {
        report.keptForRunning++;
        continue;
      }
      report.orphans.push(file);
      if (options.dryRun) report.bytesFreed += st.size;
      else if (removeUnlessPickedUp(store, file, started)) report.bytesFreed += st.size;
      else report.orphans.pop();
    }
  }

  if (!options.dryRun) {
    const { keptAs } = await StoreIndex.rebuildIfDamaged(store);
    report.reindexed = keptAs;
  }
  return report;
}

/**
 * Removes the step-cache entries no kept run's plan has the step of (unless written since `since`,
 * by a run that may still be going), those a file of theirs is gone from, and with `cache` all of
 * them; the files of the others count as referenced. Without `trusted` (a journal could not be
 * read, so some run's plan is unknown) only dead entries and `cache` remove any.
 */
function sweepStepCache(store: StoreLayout, o: { dryRun?: boolean; cache?: boolean; stepKeys: Set<string>; since: number; trusted: boolean }, referenced: Map<string, string>, report: GcReport): void {
  const entries = new CacheEntries(store);
  for (const key of entries.keys()) {
    const file = entries.file(key);
    let entry: CacheEntry | undefined;
    let mtime = 0;
    try {
      mtime = statSync(file).mtimeMs;
      entry = fromExactJson<CacheEntry>(readFileSync(file, "utf8"));
    } catch {
      entry = undefined;
    }
    const files = entry && Array.isArray(entry.files) ? entry.files : undefined;
    const dead = !entry || !files || files.some((f) => !statSync(entries.artifact(f.name), { throwIfNoEntry: false })?.isFile());
    const unused = o.trusted && !o.stepKeys.has(entry?.stepKey ?? "") && mtime < o.since;
    if (o.cache || dead || unused || !files) {
      report.cache.removed++;
      report.bytesFreed += sizeOf(file);
      if (!o.dryRun) entries.remove(key);
      continue;
    }
    report.cache.kept++;
    for (const f of files) if (!referenced.has(f.name)) referenced.set(f.name, "the step cache");
  }
}

/**
 * Moves an artifact aside, then looks again: a run that reused it since the scan has touched it
 * (or, finding it gone, writes it afresh), so a recent modification time puts it back. Returns
 * whether it was removed.
 */
function removeUnlessPickedUp(store: StoreLayout, file: string, since: number): boolean {
  ensureDir(store.tmpDir);
  const aside = tempName(store.tmpDir);
  try {
    renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw storeIoError(e, "remove", file);
  }
  if (statSync(aside).mtimeMs >= since) {
    try {
      linkSync(aside, file);
    } catch {
      // a run wrote it again meanwhile: that copy stays
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  return true;
}

/** Whether a process with this pid runs here (a reused pid keeps a temp file a while longer: the safe side). */
function processRuns(pid: number): boolean {
  return ownerAlive({ pid, host: hostname() }) !== false;
}


function sizeOf(file: string): number {
  return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}
