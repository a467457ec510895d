import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { createExclusive, listDir, writeAt } from "./durable-file.js";
import { crashPoint } from "./fault-injection.js";
import { ownerAlive, type ProcessOwner } from "./process-owner.js";
import { StoreError, storeIoError } from "./store-error.js";

/** A metric as a run records it. */
export interface MetricRecord {
  model: string;
  data: string;
  metric: string;
  value: number;
}

/** A file of the run store's content-addressed artifacts, as a run references it. */
export interface ArtifactRef {
  name: string;
  kind: string;
  path: string;
  sha256: string;
  bytes: number;
}

/** A metric measured along training, one value per epoch or iteration (a loss curve: `loss` on the training data, and on the validation data when there is one). */
export interface MetricSeries {
  model: string;
  data: string;
  metric: string;
  /** What a step is: `epoch`, `iteration`. */
  unit: string;
  steps: number[];
  values: number[];
}

/** A child run recorded inside its parent's journal: one trial of a `tune`, with the params it tried and its score. */
export interface ChildRecord {
  /** `PARENT/N`, N counting the run's children from 1. */
  id: string;
  /** The plan step it belongs to, and that step's label. */
  step: string;
  label: string;
  /** Its number within its step. */
  trial: number;
  model: string;
  /** The params it tried (the search point; the model's other options are the program's). */
  params: Record<string, unknown>;
  metrics: MetricRecord[];
  startedAt: string;
  finishedAt: string;
}

/** Where and by whom a run ran: the git commit of the program's folder (absent outside a repository), the user and the host. */
export interface RunProvenance {
  git?: { commit?: string; branch?: string; dirty: boolean };
  user?: string;
  host?: string;
}

/** How a run ended; `running` while its process lives, `crashed` once it died without saying. */
export type RunStatus = "running" | "succeeded" | "failed" | "interrupted" | "crashed";

/** What a run is when it starts: the program, its params, data fingerprints and versions; its name and tags, where and by whom (absent in runs recorded before they were). */
export interface RunStart extends RunProvenance {
  id: string;
  startedAt: string;
  programPath: string;
  programText: string;
  programSha: string;
  params: Record<string, unknown>;
  /** The program's seed; null for a notebook run, whose cells may each set their own. */
  seed: number | null;
  versions: Record<string, string>;
  /** Dataset → fingerprint of the files it read. */
  data: Record<string, string>;
  /** The run this one reproduces (`lathe reproduce`), which changes nothing outside itself. */
  reproduces?: string;
  /** `lathe run --name`: a label for people (not unique; the id is). */
  name?: string;
  /** `lathe run --tag key=value`. */
  tags?: Record<string, string>;
}

/**
 * The lines of a run's journal, `.lathe/runs/<id>.jsonl`, one JSON object each. `begin` comes
 * first (the file is created holding it); `step` and `artifact` lines are added as steps finish
 * and files are stored; `end` comes last, if the run got to end.
 */
export type JournalRecord =
  | { type: "begin"; format: 1; run: RunStart; plan: unknown; owner: ProcessOwner }
  | { type: "step"; id: string; label: string; ms: number; failed?: boolean; metrics?: MetricRecord[]; artifacts?: ArtifactRef[]; series?: MetricSeries[] }
  | { type: "artifact"; artifact: ArtifactRef }
  | { type: "child"; child: ChildRecord }
  | { type: "end"; status: Exclude<RunStatus, "running">; finishedAt: string; backend?: string; error?: string; errorCode?: string; metrics?: MetricRecord[]; artifacts?: ArtifactRef[] };

/** A run folded from its journal. */
export interface JournalRun {
  start: RunStart;
  plan: unknown;
  owner: ProcessOwner;
  status: RunStatus;
  finishedAt?: string;
  backend?: string;
  error?: string;
  errorCode?: string;
  metrics: MetricRecord[];
  artifacts: ArtifactRef[];
  steps: { id: string; label: string; ms: number; failed?: boolean }[];
  children: ChildRecord[];
  series: MetricSeries[];
}

// Space kept free at the end of a running journal (spaces and a newline, which readers skip), so
// the `end` line overwrites blocks the file already has: a run is marked failed even on a full disk.
const reserve = 8192;
const maxError = 4000;

/**
 * Appends a run's records to its own journal: no lock, no other writer. Each line is written in
 * place and fsynced before `append` returns; a write that fails (a full disk) is undone, so the
 * journal never holds a half line followed by more lines.
 */
export class JournalWriter {
  private fd: number | undefined;
  private ended = false;

  private constructor(
    readonly file: string,
    private end: number,
    private size: number,
  ) {
    this.fd = openSync(file, "r+");
  }

  /** Creates the journal holding its `begin` line, atomically: it exists complete or not at all. */
  static create(file: string, tmpDir: string, begin: Extract<JournalRecord, { type: "begin" }>): JournalWriter {
    const line = Buffer.from(JSON.stringify(begin) + "\n");
    const bytes = Buffer.concat([line, padding(reserve)]);
    if (!createExclusive(file, bytes, tmpDir)) throw new StoreError(`a run with id ${begin.run.id} is already recorded`, "store-error", file);
    crashPoint("journal-created");
    try {
      return new JournalWriter(file, line.length, bytes.length);
    } catch (e) {
      throw storeIoError(e, "open", file);
    }
  }

  /**
   * Opens a journal another process began and left open (`RunRecorder.detach`), to add records
   * after its last one: `lathe notebook run` begins a run, its kernel adds the cells' steps, and
   * the command ends it. Only one process writes at a time, each after the previous one closed.
   * A torn last line is cleared; a journal that has ended, or none, is `run-not-open`.
   */
  static resume(file: string): JournalWriter {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new StoreError(`no run ${path.basename(file, ".jsonl")} is recorded in ${path.dirname(file)}, so it cannot be continued`, "run-not-open", file);
      throw storeIoError(e, "read", file);
    }
    let end = 0;
    for (let at = 0; at < bytes.length; ) {
      const nl = bytes.indexOf(0x0a, at);
      const next = nl < 0 ? bytes.length : nl + 1;
      const line = bytes.subarray(at, next).toString("utf8").trim();
      at = next;
      if (!line) continue;
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch {
        break; // a write a crash cut short: the next record goes in its place
      }
      if (record.type === "end") throw new StoreError(`run ${path.basename(file, ".jsonl")} has already ended; it cannot be continued`, "run-not-open", file);
      end = next;
    }
    if (end === 0) throw new StoreError(`the run store is damaged: ${file} has no readable start record`, "store-damaged", file);
    const writer = new JournalWriter(file, end, bytes.length);
    if (end < bytes.length) {
      try {
        writeAt(writer.fd!, padding(bytes.length - end), end, file, false);
        fsyncSync(writer.fd!);
      } catch (e) {
        writer.close();
        throw storeIoError(e, "continue the run in", file);
      }
    }
    return writer;
  }

  /** Adds a record and makes it durable. */
  append(record: JournalRecord): void {
    const fd = this.fd;
    if (fd === undefined) throw new StoreError(`the journal ${this.file} is already closed`);
    if (record.type === "end" && record.error && record.error.length > maxError) record = { ...record, error: record.error.slice(0, maxError) + " …" };
    const line = Buffer.from(JSON.stringify(record) + "\n");
    // The end line may use the reserve; any other line leaves it for the end line.
    const room = this.size - this.end - (record.type === "end" ? 0 : reserve);
    const bytes = line.length <= room ? line : Buffer.concat([line, padding(reserve)]);
    try {
      // Within the file's present size the write takes no new blocks (on the usual file systems).
      writeAt(fd, bytes, this.end, this.file, this.end + bytes.length > this.size);
      fsyncSync(fd);
    } catch (e) {
      this.undo(fd);
      throw storeIoError(e, "record the run in", this.file);
    }
    this.end += line.length;
    this.size = Math.max(this.size, this.end + (bytes === line ? 0 : reserve));
    if (record.type === "end") this.ended = true;
    crashPoint(`journal-${record.type}`);
  }

  /** Closes the journal; after its `end` line the reserve is given back. */
  close(): void {
    if (this.fd === undefined) return;
    try {
      if (this.ended) ftruncateSync(this.fd, this.end);
    } catch {
      // the padding stays; readers skip it
    }
    closeSync(this.fd);
    this.fd = undefined;
  }

  /** Puts the padding back over a failed write and cuts off whatever it added. */
  private undo(fd: number): void {
    try {
      writeAt(fd, padding(this.size - this.end), this.end, this.file, false);
      ftruncateSync(fd, this.size);
      fsyncSync(fd);
    } catch {
      // A reader ignores a last line that does not parse; nothing is appended after a failure but the end line.
    }
  }
}

/** Spaces ending in a newline: blank to a reader, and blocks a later in-place write needs no new space for. */
function padding(n: number): Buffer {
  const b = Buffer.alloc(n, 0x20);
  if (n > 0) b[n - 1] = 0x0a;
  return b;
}

/**
 * Reads a journal and folds it into a run. A last line that does not parse is a write that a crash
 * interrupted and is ignored; a journal without a readable `begin` line is `store-damaged`.
 */
export function readJournal(file: string): JournalRun {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw storeIoError(e, "read", file);
  }
  const records: JournalRecord[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as JournalRecord);
    } catch {
      // a torn write (or damage): the rest of the journal still counts
    }
  }
  const begin = records[0]?.type === "begin" ? records[0] : undefined;
  if (!begin) throw new StoreError(`the run store is damaged: ${file} has no readable start record; move it out of .lathe/runs (the other runs are unaffected)`, "store-damaged", file);
  const run: JournalRun = { start: begin.run, plan: begin.plan, owner: begin.owner, status: "running", metrics: [], artifacts: [], steps: [], children: [], series: [] };
  const metrics = new Map<string, MetricRecord>();
  const artifacts = new Map<string, ArtifactRef>();
  const addMetrics = (ms?: MetricRecord[]) => ms?.forEach((m) => metrics.set(`${m.model}\u0000${m.data}\u0000${m.metric}`, m));
  const addArtifacts = (as?: ArtifactRef[]) => as?.forEach((a) => artifacts.set(`${a.name}\u0000${a.sha256}`, a));
  const series = new Map<string, MetricSeries>();
  let end: Extract<JournalRecord, { type: "end" }> | undefined;
  for (const r of records.slice(1)) {
    if (r.type === "step") {
      run.steps.push({ id: r.id, label: r.label, ms: r.ms, ...(r.failed ? { failed: true } : {}) });
      addMetrics(r.metrics);
      addArtifacts(r.artifacts);
      // A model trained again in the same run (a `tune` after its `model`) has the curve of its last training.
      r.series?.forEach((c) => series.set(`${c.model}\u0000${c.data}\u0000${c.metric}`, c));
    } else if (r.type === "artifact") addArtifacts([r.artifact]);
    else if (r.type === "child") run.children.push(r.child);
    else if (r.type === "end") {
      end = r;
      addMetrics(r.metrics);
      addArtifacts(r.artifacts);
    }
  }
  run.metrics = [...metrics.values()];
  run.artifacts = [...artifacts.values()];
  run.series = [...series.values()];
  if (end) Object.assign(run, { status: end.status, finishedAt: end.finishedAt, backend: end.backend, error: end.error, errorCode: end.errorCode });
  else run.status = ownerAlive(run.owner) === false ? "crashed" : "running";
  return run;
}

/** The journal file of a run id. */
export function journalFile(runsDir: string, id: string): string {
  return path.join(runsDir, `${id}.jsonl`);
}

/** Every run id with a journal in `runsDir`, oldest first. */
export function runIdsIn(runsDir: string): string[] {
  return listDir(runsDir)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => f.slice(0, -6))
    .sort();
}

/** How a run ended (or `running`, `crashed`); undefined for an id with no readable journal. */
export function runStatusIn(runsDir: string, id: string): RunStatus | undefined {
  try {
    return readJournal(journalFile(runsDir, id)).status;
  } catch {
    return undefined;
  }
}
