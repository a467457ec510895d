import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { storeBytes } from "./store/artifact-file.js";
import { ensureDir } from "./store/durable-file.js";
import { currentOwner } from "./store/process-owner.js";
import { JournalWriter, journalFile, readJournal, runIdsIn, runStatusIn, type ArtifactRef, type ChildRecord, type JournalRun, type MetricRecord, type MetricSeries, type RunStart, type RunStatus } from "./store/run-journal.js";
import { StoreError, storeIoError } from "./store/store-error.js";
import { runListSql, type RunQuery } from "./store/run-query.js";
import { StoreIndex, type SyncReport } from "./store/store-index.js";
import { storeLayout, type RunStoreOptions, type StoreLayout } from "./store/store-layout.js";

export type { RunQuery };
export type { ArtifactRef, ChildRecord, MetricRecord, MetricSeries, RunStart, RunStatus, RunStoreOptions, StoreLayout };
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
  /** The plan it ran (JSON). */
  plan?: unknown;
  /** Its child runs (`tune` trials); none for a child. */
  children?: ChildRecord[];
  /** Loss curves of the models it trained. */
  series?: MetricSeries[];
  /** For a child run (`PARENT/N`): its parent, and which trial of which step it is. */
  parent?: string;
  trial?: { step: string; label: string; number: number };
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
    return new RunRecorder(this, writer, run.id);
  }

  /** Continues recording a run begun elsewhere and left open (`RunRecorder.detach`): see `JournalWriter.resume`. */
  resume(id: string): RunRecorder {
    for (const dir of [this.runsDir, this.artifactDir, this.tmpDir, this.registryDir]) ensureDir(dir);
    return new RunRecorder(this, JournalWriter.resume(journalFile(this.runsDir, id)), id);
  }

  /**
   * Writes bytes content-addressed and returns the reference. The file appears whole or not at all
   * (temp file, fsync, rename); an existing copy is touched, so `lathe gc` sees it is in use.
   */
  putArtifact(name: string, kind: string, ext: string, content: string | Uint8Array): ArtifactRef {
    const { path: file, sha256, bytes } = storeBytes(this, ext, typeof content === "string" ? Buffer.from(content) : content);
    return { name, kind, path: file, sha256, bytes };
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

  /** One run as typed data, with its metrics and artifacts; undefined if no run has that id (or unique prefix). A child run is `PARENT/N`. */
  async load(idOrPrefix: string): Promise<StoredRun | undefined> {
    const child = /^(.+)\/(\d+)$/.exec(idOrPrefix);
    if (child) {
      const parent = await this.load(child[1]);
      return parent && childRun(parent, Number(child[2]));
    }
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

  /** Runs, newest first, that a query asks for (from the index, brought up to date first); a number is a limit. */
  async list(query: RunQuery | number = {}): Promise<Record<string, unknown>[]> {
    if (!this.runIds().length && !existsSync(this.dbPath)) return [];
    return StoreIndex.query(this, runListSql(typeof query === "number" ? { limit: query } : query));
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
    readonly runId: string,
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
  step(e: { id: string; label: string; ms: number; failed?: boolean; metrics?: MetricRecord[]; artifacts?: ArtifactRef[]; series?: MetricSeries[] }): void {
    const metrics = this.fresh(e.metrics ?? [], metricKey);
    const artifacts = this.fresh(e.artifacts ?? [], artifactKey);
    const series = e.series ?? [];
    this.writer.append({ type: "step", id: e.id, label: e.label, ms: Math.round(e.ms), ...(e.failed ? { failed: true } : {}), ...(metrics.length ? { metrics } : {}), ...(artifacts.length ? { artifacts } : {}), ...(series.length ? { series } : {}) });
  }

  private children = 0;

  /** Records a child run (a `tune` trial) as soon as it ends; returns its id, `RUN/N`. */
  child(c: Omit<ChildRecord, "id">): string {
    const id = `${this.runId}/${++this.children}`;
    this.writer.append({ type: "child", child: { id, ...c } });
    return id;
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
  return { ...j.start, status: j.status, finishedAt: j.finishedAt, backend: j.backend, error: j.error, errorCode: j.errorCode, metrics: j.metrics, artifacts: j.artifacts, steps: j.steps, plan: j.plan, children: j.children, series: j.series };
}

/** A child run as a run of its own: the parent's program and provenance, the trial's params (over the program's) and metrics. */
function childRun(parent: StoredRun, n: number): StoredRun | undefined {
  const c = parent.children?.find((k) => k.id === `${parent.id}/${n}`);
  if (!c) return undefined;
  const { programPath, programText, programSha, seed, versions, data, git, user, host, backend } = parent;
  return { id: c.id, parent: parent.id, trial: { step: c.step, label: c.label, number: c.trial }, startedAt: c.startedAt, finishedAt: c.finishedAt, status: "succeeded", programPath, programText, programSha, seed, versions, data, git, user, host, backend, params: { ...parent.params, ...c.params }, metrics: c.metrics, artifacts: [] };
}
