import { createHash, randomBytes } from "node:crypto";
import { existsSync, statSync, utimesSync } from "node:fs";
import path from "node:path";
import { ensureDir, replaceDurably } from "./store/durable-file.js";
import { crashPoint } from "./store/fault-injection.js";
import { currentOwner } from "./store/process-owner.js";
import { JournalWriter, journalFile, readJournal, runIdsIn, runStatusIn, type ArtifactRef, type JournalRun, type MetricRecord, type RunStart, type RunStatus } from "./store/run-journal.js";
import { StoreError, storeIoError } from "./store/store-error.js";
import { StoreIndex, type SyncReport } from "./store/store-index.js";
import { storeLayout, type RunStoreOptions, type StoreLayout } from "./store/store-layout.js";

export type { ArtifactRef, MetricRecord, RunStart, RunStatus, RunStoreOptions, StoreLayout };
export { StoreError };

/** One run's record: what ran, on what, with which versions, and how it ended. */
export interface RunRecord extends RunStart {
  status: RunStatus;
  finishedAt?: string;
  backend?: string;
  error?: string;
}

/** A recorded run as `RunStore.load` gives it back, with its metrics and artifacts. */
export interface StoredRun extends RunRecord {
  metrics: MetricRecord[];
  artifacts: ArtifactRef[];
  /** The code of the error that ended it (a checker-style kebab-case code), when it failed. */
  errorCode?: string;
  /** The steps that ended, in order, the one that failed marked (a failed or crashed run's tell where it stopped). */
  steps?: { id: string; label: string; ms: number; failed?: boolean }[];
}

/** How a run ends, as `RunRecorder.end` records it. */
export interface RunEnding {
  status: "succeeded" | "failed" | "interrupted";
  backend?: string;
  error?: string;
  errorCode?: string;
  /** Everything the run produced; what steps already recorded is not repeated. */
  metrics?: MetricRecord[];
  artifacts?: ArtifactRef[];
}

/**
 * The run store under `.lathe/`. Each run writes only its own journal, `runs/<id>.jsonl` (created
 * atomically, appended and fsynced as steps finish, ended with its outcome), so runs never wait for
 * each other and a run that dies keeps everything it recorded; artifacts are content-addressed
 * files in `artifacts/`, written whole (temp file, fsync, rename); the model registry is a folder
 * of write-once files (`model-registry.ts`). `lathe.duckdb` is an index of all of it for queries,
 * brought up to date by whichever command next reads it (`sync`) and rebuilt from the files if it
 * is lost. A run whose process died without ending its journal shows as `crashed`.
 */
export class RunStore implements StoreLayout {
  readonly dbPath: string;
  readonly artifactDir: string;
  readonly runsDir: string;
  readonly registryDir: string;
  readonly tmpDir: string;

  constructor(
    readonly root: string,
    readonly options: RunStoreOptions = {},
  ) {
    ({ dbPath: this.dbPath, artifactDir: this.artifactDir, runsDir: this.runsDir, registryDir: this.registryDir, tmpDir: this.tmpDir } = storeLayout(root, options));
  }

  /** A new run id: sortable by time, unique by a random suffix. */
  static newId(now = new Date()): string {
    const t = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    return `${t}-${randomBytes(3).toString("hex")}`;
  }

  /** Starts recording a run: its journal exists, complete with the start record, when this returns. */
  begin(run: RunStart, plan: unknown): RunRecorder {
    // Every folder a run may write is checked first, so a damaged store refuses the run before it starts.
    for (const dir of [this.runsDir, this.artifactDir, this.tmpDir, this.registryDir]) ensureDir(dir);
    const writer = JournalWriter.create(journalFile(this.runsDir, run.id), this.tmpDir, { type: "begin", format: 1, run, plan, owner: currentOwner() });
    return new RunRecorder(this, writer);
  }

  /** Continues recording a run begun elsewhere and left open (`RunRecorder.detach`): see `JournalWriter.resume`. */
  resume(id: string): RunRecorder {
    for (const dir of [this.runsDir, this.artifactDir, this.tmpDir, this.registryDir]) ensureDir(dir);
    return new RunRecorder(this, JournalWriter.resume(journalFile(this.runsDir, id)));
  }

  /**
   * Writes bytes content-addressed and returns the reference. The file appears whole or not at all
   * (temp file, fsync, rename); an existing copy is touched, so `lathe gc` sees it is in use.
   */
  putArtifact(name: string, kind: string, ext: string, content: string | Uint8Array): ArtifactRef {
    ensureDir(this.artifactDir);
    const bytes = typeof content === "string" ? Buffer.from(content) : Buffer.from(content);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const file = path.join(this.artifactDir, `${sha256}.${ext}`);
    if (!this.touch(file, bytes.length)) replaceDurably(file, bytes, this.tmpDir);
    crashPoint("artifact-stored");
    return { name, kind, path: file, sha256, bytes: bytes.length };
  }

  /** Marks an existing, whole artifact as just used; false when it is missing (or not whole) and must be written. */
  private touch(file: string, bytes: number): boolean {
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

  /** Every recorded run id, oldest first. */
  runIds(): string[] {
    return runIdsIn(this.runsDir);
  }

  /**
   * The run an id or an id prefix names: the exact id, else the only id that starts with it (plain
   * text, no wildcards). Undefined when none does; `ambiguous-run-id` listing them when several do.
   */
  resolve(idOrPrefix: string): string | undefined {
    const ids = this.runIds();
    if (ids.includes(idOrPrefix)) return idOrPrefix;
    const matches = idOrPrefix ? ids.filter((id) => id.startsWith(idOrPrefix)) : [];
    if (matches.length > 1) {
      const shown = matches.slice(-10).reverse();
      throw new StoreError(`run id prefix ${idOrPrefix} matches ${matches.length} runs: ${shown.join(", ")}${matches.length > shown.length ? ", …" : ""}; give more of the id`, "ambiguous-run-id");
    }
    return matches[0];
  }

  /** One run as typed data, with its metrics and artifacts; undefined if no run has that id (or unique prefix). */
  async load(idOrPrefix: string): Promise<StoredRun | undefined> {
    let id = this.resolve(idOrPrefix);
    if (id === undefined && existsSync(this.dbPath)) {
      // An index an earlier Lathe wrote holds runs that have no journal until it is imported.
      await this.sync().catch(() => undefined);
      id = this.resolve(idOrPrefix);
    }
    return id === undefined ? undefined : storedRun(readJournal(journalFile(this.runsDir, id)));
  }

  /** How a run ended (or `running`, `crashed`); undefined for an id with no journal. */
  runStatus(id: string): RunStatus | undefined {
    return runStatusIn(this.runsDir, id);
  }

  /** Brings the index (`lathe.duckdb`) up to date with the runs and the registry. */
  async sync(): Promise<SyncReport> {
    return StoreIndex.sync(this);
  }

  /** Runs, newest first (from the index, brought up to date first). */
  async list(limit = 20): Promise<Record<string, unknown>[]> {
    if (!this.runIds().length && !existsSync(this.dbPath)) return [];
    return StoreIndex.query(this, `SELECT id, started_at, status, program_path, seed, backend FROM runs ORDER BY started_at DESC, id DESC LIMIT ${Math.max(1, Math.floor(limit))}`);
  }
}

/**
 * Records one run as it goes: each finished step's metrics and artifacts, each artifact as soon as
 * it is stored, and the outcome. Every record is durable when the call returns; a failure to
 * record is a StoreError, which stops the run rather than let it go on unrecorded.
 */
export class RunRecorder {
  private readonly recorded = new Set<string>();

  constructor(
    readonly store: RunStore,
    private readonly writer: JournalWriter,
  ) {}

  /** Where the executor stores artifacts: the run store, each one recorded in the journal once stored. */
  readonly sink = {
    putArtifact: (name: string, kind: string, ext: string, content: string | Uint8Array): ArtifactRef => {
      const ref = this.store.putArtifact(name, kind, ext, content);
      const fresh = this.fresh([ref], artifactKey);
      if (fresh.length) this.writer.append({ type: "artifact", artifact: ref });
      return ref;
    },
  };

  /** Records a finished step with what it produced. */
  step(e: { id: string; label: string; ms: number; failed?: boolean; metrics?: MetricRecord[]; artifacts?: ArtifactRef[] }): void {
    const metrics = this.fresh(e.metrics ?? [], metricKey);
    const artifacts = this.fresh(e.artifacts ?? [], artifactKey);
    this.writer.append({ type: "step", id: e.id, label: e.label, ms: Math.round(e.ms), ...(e.failed ? { failed: true } : {}), ...(metrics.length ? { metrics } : {}), ...(artifacts.length ? { artifacts } : {}) });
  }

  /** Records the outcome, with whatever the steps did not record yet, and closes the journal. */
  end(ending: RunEnding): void {
    try {
      const metrics = this.fresh(ending.metrics ?? [], metricKey);
      const artifacts = this.fresh(ending.artifacts ?? [], artifactKey);
      this.writer.append({ type: "end", status: ending.status, finishedAt: new Date().toISOString(), backend: ending.backend, error: ending.error, errorCode: ending.errorCode, ...(metrics.length ? { metrics } : {}), ...(artifacts.length ? { artifacts } : {}) });
    } finally {
      this.writer.close();
    }
  }

  /** Closes the journal without ending the run, for another process to continue (`RunStore.resume`) and end. */
  detach(): void {
    this.writer.close();
  }

  /** The items not recorded yet (and marks them recorded). */
  private fresh<T>(items: T[], key: (t: T) => string): T[] {
    return items.filter((t) => {
      const k = key(t);
      if (this.recorded.has(k)) return false;
      this.recorded.add(k);
      return true;
    });
  }
}

const artifactKey = (a: ArtifactRef) => `a\u0000${a.name}\u0000${a.sha256}`;
// Bit for bit: a metric measured again with the same value is not recorded twice.
const metricKey = (m: MetricRecord) => `m\u0000${m.model}\u0000${m.data}\u0000${m.metric}\u0000${Object.is(m.value, -0) ? "-0" : String(m.value)}`;

function storedRun(j: JournalRun): StoredRun {
  return { ...j.start, status: j.status, finishedAt: j.finishedAt, backend: j.backend, error: j.error, errorCode: j.errorCode, metrics: j.metrics, artifacts: j.artifacts, steps: j.steps };
}
