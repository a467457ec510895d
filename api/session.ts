import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
// The parser and the checker from their own modules: the language's index also loads completion and
// formatting, which no run uses.
import type { LiteralValue, Program } from "../language/ast.js";
import { check, sourcesOf, type CheckedProgram, type SourceSchema } from "../language/checker.js";
import type { Diagnostic } from "../language/diagnostic.js";
import { parse } from "../language/parse.js";
import { columnTypeOf } from "../language/schema.js";
import { ClickHouseConnection, duckTypeOf } from "../runtime/data/clickhouse-connection.js";
import { Database } from "../runtime/data/database.js";
import { relaxDuckdbAllocator } from "../runtime/data/duckdb-allocator.js";
import { checkCsvColumns } from "../runtime/data/csv-check.js";
import { readTextFile } from "../runtime/data/file-access.js";
import { csvSniffedRead, hashText, optionsOf, readError, sourceSql } from "../runtime/data/source.js";
import { cleanDuckDBMessage, DataError, duckDBMemoryError, isDuckDBInterrupt, isDuckDBUserError, StepError } from "../runtime/errors.js";
import { Executor, outputOf, type ExecuteOutput } from "../runtime/execute.js";
import { duckdbAlone, opOf, pendingStatementKinds } from "../runtime/ops/index.js";
import type { ExecuteOptions } from "../runtime/ops/types.js";
import type { DrawChart } from "../runtime/charts/render-bundle.js";
import { planProgram, type Plan, type PlanContext } from "../runtime/plan.js";
import { planLifetimes } from "../runtime/plan-lifetimes.js";
import { AssertionFailed, type RunEvent } from "../runtime/results.js";
import { ModelRegistry } from "../runtime/model-registry.js";
import { nativeMlpDescription } from "../runtime/models/native-engine.js";
import { defaultStoreRoot } from "../runtime/store/store-location.js";
import { RunStore, StoreError, type RunRecorder, type RunStart, type RunStoreOptions } from "../runtime/run-store.js";
import type { ServingHost } from "../runtime/serve/serving-spec.js";
import { codeFingerprint } from "../runtime/code-fingerprint.js";
import { snapshotInstead, type RecordedSnapshot } from "../runtime/data/snapshot-source.js";
import { FileDigests } from "../runtime/file-digests.js";
import type { EngineRef, SnapshotUse } from "../runtime/ops/types.js";
import { engineRefOf } from "../runtime/data/engine-dataset.js";
import { clickhouseDialect } from "../runtime/sql/clickhouse-dialect.js";
import { StepCache, type CacheMode } from "../runtime/step-cache.js";
import { ident, literal } from "../runtime/sql/quote.js";

export interface SessionOptions {
  /** The run store folder (default: `$LATHE_STORE`, else the nearest `.lathe/` found from the working directory up, as `locateStore` says). */
  root?: string;
  /** Folder that relative data paths resolve against (default: the program file's folder, else the working directory). */
  baseDir?: string;
  /** Record runs in the run store (default true). */
  record?: boolean;
  /** How the run store tells about waiting for another process (CLI: a line on stderr). */
  storeOptions?: RunStoreOptions;
  /** Reuse and keep step outputs in the store's step cache across runs (default: when runs are recorded). */
  cache?: boolean;
  /**
   * The id of a run `lathe notebook run` began: every recorded `run` adds its steps to that run
   * instead of recording one of its own, and none ends it (the command does, once every cell ran).
   */
  notebookRun?: string;
  /** Values every `param` of the same name takes, in whichever `run` it is (`lathe notebook run --param`). */
  params?: Record<string, LiteralValue>;
}

export interface RunOptions {
  /** The program's file name, for diagnostics and the run record. */
  file?: string;
  params?: Record<string, LiteralValue>;
  onEvent?: (e: RunEvent) => void;
  /** Told the id of the run this one is recorded as, before its first step (not called when unrecorded). */
  onRunId?: (runId: string) => void;
  signal?: AbortSignal;
  /** Record this run in the run store; defaults to the session's `record`. */
  record?: boolean;
  /**
   * False to run without touching anything outside the run (`lathe reproduce`): `register`,
   * `promote`, `rollback` and deployments report what they would do instead (default true).
   */
  sideEffects?: boolean;
  /** False where nobody sees display-only charts (the CLI): `describe` renders no chart per column. */
  displayCharts?: boolean;
  /** The recorded run this one reproduces, noted in its record. */
  reproduces?: string;
  /** How `serve` statements are carried out: started at once (`start`, the kernel) or only recorded, `later` saying how they get served. */
  serving?: Pick<ServingHost, "start" | "later">;
  /** A retrain's run: `promote` and `rollback` leave the champion to the retrain's decision. */
  deferChampion?: boolean;
  /**
   * The step cache across runs: `use` puts back outputs of steps computed before (the default
   * when the session caches), `refresh` computes every step and keeps what it computed
   * (`--no-cache`), `off` neither reads nor writes it (`lathe reproduce`).
   */
  cache?: CacheMode | "off";
  /** Keep each source's rows as Parquet with the run (`--snapshot`), so it reproduces without the files. */
  snapshot?: boolean;
  /** Snapshots of a recorded run, by source name: read instead of a source whose files changed or are gone (`lathe reproduce`). */
  snapshots?: Record<string, RecordedSnapshot>;
  /** The run's name and tags in its record (`lathe run --name --tag`). */
  name?: string;
  tags?: Record<string, string>;
  /** False: `register`, `promote` and `rollback` say what they would do and leave the registry alone (`lathe run --no-registry`). */
  registryChanges?: boolean;
  /**
   * Nothing runs in this session after this program (`lathe run`): each dataset is dropped after
   * its last reader, sources read once stay views over their files, and a prepare only `save` reads
   * streams to its file (`planLifetimes`). Off in the kernel and notebooks, whose later cells may
   * read anything.
   */
  oneShot?: boolean;
  /**
   * Draw the run's charts on a worker thread (`ChartThread`) when its plan draws any: it loads Vega,
   * Vega-Lite and resvg while the data steps run, and ends with the run (`lathe run`, whose process
   * ends with it). `true`: started once the run is planned; a thread: the one the caller started
   * ahead, closed at once if the plan draws nothing and in any case when the run ends. Off in the
   * kernel and the API, which keep Vega loaded across runs.
   */
  chartThread?: boolean | ChartDrawer;
}

/** A thread drawing a run's charts (`ChartThread`), as a run uses it: ended by `close` when the run ends. */
export interface ChartDrawer {
  draw: DrawChart;
  close(): void;
}

/** The outcome of running some Lathe text. `ok` is false on diagnostics errors, data errors or a failed assert. */
export interface RunOutcome {
  ok: boolean;
  diagnostics: Diagnostic[];
  text: string;
  file: string;
  runId?: string;
  plan?: Plan;
  output?: ExecuteOutput;
  /** A data or runtime problem stated for the user (no stack trace). */
  error?: { kind: "data" | "assert" | "interrupted" | "store" | "internal"; message: string; code?: string; diagnostic?: Diagnostic };
}

/**
 * A Lathe session: parse → check (schemas asked of DuckDB) → plan → execute → record.
 *
 *     text ─parse─▶ AST ─sourcesOf─▶ DESCRIBE each source ─check─▶ CheckedProgram
 *          ─planProgram─▶ Plan (JSON, content keys) ─Executor─▶ results ─RunStore─▶ .lathe/
 *
 * State carries across `run` calls, so a notebook can send one cell at a time: later cells see
 * the datasets and models of earlier ones, and may redefine their names.
 */
export class Session {
  readonly store: RunStore;
  private checked: Omit<CheckedProgram, "program"> = { params: {}, datasets: {}, models: {} };
  private readonly planContext: PlanContext;

  private constructor(
    readonly executor: Executor,
    private readonly options: SessionOptions,
  ) {
    this.store = new RunStore(options.root !== undefined ? path.resolve(options.root) : defaultStoreRoot(), options.storeOptions);
    // Data files' digests are remembered in the store (when there is one), so a re-run does not re-read an unchanged file.
    this.planContext = { prepares: new Map(), digests: new FileDigests(this.store.root) };
  }

  /** Opens a session with a fresh in-memory DuckDB for computation. */
  static async open(options: SessionOptions = {}): Promise<Session> {
    return new Session(new Executor(await Database.open()), options);
  }

  /** The run `lathe notebook run` began, which this session records into (undefined outside one). */
  get notebookRun(): string | undefined {
    return this.options.notebookRun;
  }

  /** What earlier runs defined: params, datasets with their schemas, models (for completion and inspection). */
  get known(): Omit<CheckedProgram, "program"> {
    return this.checked;
  }

  /** Parses and checks text against this session's state without running it. */
  async check(text: string, options: RunOptions = {}, severity: "warning" | "error" = "warning"): Promise<{ diagnostics: Diagnostic[]; checked?: CheckedProgram; snapshots?: Map<string, SnapshotUse> }> {
    return this.checkText(text, options, severity, false);
  }

  /** `check`, and for a run (`toRun`), each csv source's dialect found once for the reads to come. */
  private async checkText(text: string, options: RunOptions, severity: "warning" | "error", toRun: boolean): Promise<{ diagnostics: Diagnostic[]; checked?: CheckedProgram; snapshots?: Map<string, SnapshotUse> }> {
    const parsed = parse(text);
    const baseDir = this.baseDir(options.file);
    const snapshots = await this.snapshotsInstead(parsed.program, baseDir, options.snapshots);
    const schemas = await this.sourceSchemas(parsed.program, baseDir, snapshots, toRun);
    const result = check(parsed.program, schemas, { ...this.pinnedParams(parsed.program), ...options.params }, this.checked);
    return { diagnostics: [...parsed.diagnostics, ...result.diagnostics, ...pendingDiagnostics(parsed.program, severity)], checked: result.checked, snapshots };
  }

  /** The sources a recorded run's snapshots stand in for (their files changed or are gone). */
  private async snapshotsInstead(program: Program, baseDir: string, recorded?: Record<string, RecordedSnapshot>): Promise<Map<string, SnapshotUse> | undefined> {
    if (!recorded) return undefined;
    const uses = new Map<string, SnapshotUse>();
    for (const s of sourcesOf(program)) {
      const snap = Object.hasOwn(recorded, s.name.text) ? recorded[s.name.text] : undefined;
      const use = snap && (await snapshotInstead(s.source, baseDir, snap));
      if (use) uses.set(s.name.text, use);
    }
    return uses;
  }

  /** The session's pinned params that this program declares (a pin it does not declare is no error here). */
  private pinnedParams(program: Program): Record<string, LiteralValue> {
    const pins = this.options.params ?? {};
    return Object.fromEntries(program.statements.flatMap((s) => (s.kind === "param" && Object.hasOwn(pins, s.name.text) ? [[s.name.text, pins[s.name.text]]] : [])));
  }

  /** The recorder of the notebook run this session continues, opened on its first recorded run. */
  private notebookRecorder: RunRecorder | undefined;

  /** Runs Lathe text: everything or nothing is checked first; then each statement executes in order. */
  async run(text: string, options: RunOptions = {}): Promise<RunOutcome> {
    const file = options.file ?? "<cell>";
    // An interrupt also stops the DuckDB query under way, which would otherwise run to its end.
    const interrupt = (): void => this.executor.db.interrupt();
    options.signal?.addEventListener("abort", interrupt, { once: true });
    try {
      return await this.runChecked(text, file, options);
    } finally {
      options.signal?.removeEventListener("abort", interrupt);
      // A chart thread the caller started ahead ends with the run, even one stopped before its plan.
      if (typeof options.chartThread === "object") options.chartThread.close();
    }
  }

  private async runChecked(text: string, file: string, options: RunOptions): Promise<RunOutcome> {
    // Where and by whom (git status in a child process) is asked as the run starts and awaited when
    // it is recorded, so git works while the program is checked and planned. Loaded here: it runs git
    // through node:child_process, which a run that records nothing never needs.
    // (A notebook run's cells add to the run its command began, which noted that.)
    const provenance = (options.record ?? this.options.record) !== false && !this.options.notebookRun ? import("../runtime/store/run-provenance.js").then((m) => m.runProvenance(this.baseDir(options.file))) : undefined;
    // A run that stops before it is recorded never awaits it.
    provenance?.catch(() => undefined);
    // A statement the runtime cannot execute yet stops the run before anything runs, never silently.
    const { diagnostics, checked, snapshots } = await this.checkText(text, options, "error", true);
    const outcome: RunOutcome = { ok: false, diagnostics, text, file };
    if (!checked || diagnostics.some((d) => d.severity === "error")) return outcome;
    const baseDir = this.baseDir(options.file);
    let plan: Plan;
    try {
      plan = await planProgram(checked, baseDir, this.planContext, snapshots);
    } catch (e) {
      outcome.error = userError(e);
      return outcome;
    }
    outcome.plan = plan;
    const record = (options.record ?? this.options.record) !== false && plan.steps.length > 0;
    // The libraries and engines a run record or the step cache notes (it loads the native module and
    // reads /proc/cpuinfo): computed only for a run that keeps either.
    let libraryVersions: Record<string, string> | undefined;
    const versionsOnce = () => (libraryVersions ??= versions());
    const continued = this.options.notebookRun;
    const runId = continued ?? RunStore.newId();
    const start: RunStart = {
      id: runId,
      startedAt: new Date().toISOString(),
      programPath: options.file ? path.resolve(options.file) : file,
      programText: text,
      programSha: hashText(text),
      params: checked.params,
      seed: plan.seed,
      versions: record ? versionsOnce() : {},
      data: Object.fromEntries(plan.steps.flatMap((s) => (s.op === "load" ? [[s.dataset, s.fingerprint]] : []))),
      ...(options.reproduces ? { reproduces: options.reproduces } : {}),
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.tags && Object.keys(options.tags).length ? { tags: options.tags } : {}),
    };
    let recorder: RunRecorder | undefined;
    if (record) {
      try {
        Object.assign(start, await provenance);
        recorder = continued ? (this.notebookRecorder ??= this.store.resume(continued)) : this.store.begin(start, plan);
      } catch (e) {
        outcome.error = userError(e);
        return outcome;
      }
      outcome.runId = runId;
      options.onRunId?.(runId);
    }
    const sideEffects = options.sideEffects !== false;
    const executeOptions: ExecuteOptions = {
      onEvent: recorder ? recordSteps(recorder, options.onEvent) : options.onEvent,
      signal: options.signal,
      store: recorder?.sink,
      // Without side effects there is no registry to write to, whatever an op would do.
      registry: recorder && sideEffects ? { registry: new ModelRegistry(this.store), runId } : undefined,
      sideEffects,
      models: new ModelRegistry(this.store),
      runId: recorder ? runId : undefined,
      serving: sideEffects ? { root: this.store.root, registry: new ModelRegistry(this.store), ...options.serving } : undefined,
      storeRoot: sideEffects && recorder ? this.store.root : undefined,
      deferChampion: options.deferChampion,
      cache: this.stepCache(options.cache, versionsOnce),
      snapshot: options.snapshot,
      registryChanges: options.registryChanges,
      displayCharts: options.displayCharts,
    };
    // A run that will draw a chart loads Vega on a thread of its own while its data steps run (`chartThread`).
    const charts = await this.chartThread(options, plan.steps.some((s) => opOf(s).draws?.(s, executeOptions)));
    executeOptions.drawChart = charts?.draw;
    // A one-shot run of DuckDB's work alone (read, prepare, split, save, show): DuckDB's own allocator decay, not
    // Lathe's 0, which only a run holding rows in JavaScript needs (runtime/data/duckdb-allocator.ts).
    if (options.oneShot && duckdbAlone(plan.steps)) relaxDuckdbAllocator();
    try {
      outcome.output = await this.executor.run(options.oneShot ? planLifetimes(plan, { snapshot: options.snapshot }) : plan, executeOptions);
      outcome.ok = true;
    } catch (e) {
      // A failed assert, or a step that failed, still gives what ran before it.
      outcome.output = outputOf(e);
      outcome.error = userError(e);
    } finally {
      charts?.close();
      // Later cells build on what this one defined, even when a later statement failed.
      this.checked = { params: checked.params, datasets: checked.datasets, models: checked.models };
    }
    // A notebook run is ended by `lathe notebook run`, once every cell has run.
    if (recorder && !continued) {
      const o = outcome.output;
      const status = outcome.ok ? "succeeded" : outcome.error?.kind === "interrupted" ? "interrupted" : "failed";
      try {
        const errorCode = outcome.error && (outcome.error.code ?? { assert: "assert-failed", interrupted: "interrupted", internal: "internal-error", data: "data-error", store: "store-error" }[outcome.error.kind]);
        recorder.end({ status, backend: this.executor.backend, error: outcome.error?.message, errorCode, metrics: o?.metrics, artifacts: o?.artifacts });
      } catch (e) {
        // The outcome could not be recorded (a full disk): say so, unless the run already failed for a reason of its own.
        if (!outcome.error) {
          outcome.ok = false;
          outcome.error = userError(e);
        }
      }
    }
    return outcome;
  }

  /** Runs a program file. */
  async runFile(file: string, options: Omit<RunOptions, "file"> = {}): Promise<RunOutcome> {
    const read = readTextFile(file);
    if ("error" in read) return { ok: false, diagnostics: [], text: "", file, error: { kind: "data", message: read.error, code: read.code } };
    return this.run(read.text, { ...options, file });
  }

  /**
   * Asks DuckDB for each source's columns; a source that cannot be read becomes an error, with its
   * code, for the checker to place. Files are checked before DuckDB reads them and `sql` text must
   * be one read-only query (`sourceSql`); a csv file DuckDB could only read as one column, or json
   * it could only read as one `json` column, is refused here rather than misread.
   */
  private async sourceSchemas(program: Parameters<typeof sourcesOf>[0], baseDir: string, snapshots: Map<string, SnapshotUse> | undefined, toRun: boolean): Promise<Record<string, SourceSchema>> {
    // No prototype: a source may be called `__proto__` or `constructor`.
    const out: Record<string, SourceSchema> = Object.create(null);
    const db = this.executor.db;
    this.executor.checkedColumns.clear();
    this.executor.dialectReads.clear();
    for (const s of sourcesOf(program)) {
      try {
        if (s.source.kind === "table" && s.source.engine && !snapshots?.has(s.name.text)) {
          out[s.name.text] = await engineSchema(engineRefOf(s.source));
          continue;
        }
        const snapshot = snapshots?.get(s.name.text);
        const { sql, files, attach, format, csv } = snapshot ? { sql: `read_parquet(${literal(snapshot.file)})`, files: [snapshot.file], attach: undefined, format: "parquet", csv: undefined } : await sourceSql(s.source, baseDir, { db });
        // A run reads the file again: its dialect and column types, found once here, spare each read the search.
        // Any failure leaves the plain read, whose own error (or success) is the one to report.
        const dialect = toRun && csv ? await csvSniffedRead(db, csv).then(async (read) => ({ read: `SELECT * FROM ${read}`, cols: await db.describe(`SELECT * FROM ${read}`) })).catch(() => undefined) : undefined;
        let cols = dialect?.cols;
        try {
          if (attach) await db.exec(`ATTACH IF NOT EXISTS ${literal(attach.file)} AS ${ident(attach.alias)} (READ_ONLY)`);
          cols ??= await db.describe(`SELECT * FROM ${sql}`);
        } catch (e) {
          if (duckDBMemoryError(e)) throw readError(e, files.length === 1 ? files[0] : undefined);
          if (s.source.kind === "sql") throw new DataError(cleanDuckDBMessage((e as Error).message), undefined, "sql-error");
          if (s.source.kind === "table") throw new DataError(`cannot read table ${JSON.stringify(s.source.table.value)} of ${s.source.database.value}: ${cleanDuckDBMessage((e as Error).message).replace(/^\w+ Error: /, "")}`, files[0], "database-unreadable");
          throw readError(e, files.length === 1 ? files[0] : undefined);
        }
        if (format === "csv" || format === "tsv") await checkCsvColumns(db, files, format, cols.map((c) => c.name), s.source.kind === "file" ? optionsOf(s.source.options) : {});
        if (format && format !== "parquet" && format !== "csv" && format !== "tsv" && cols.length === 1 && cols[0].name === "json") throw new DataError(`${files[0]}: DuckDB found no record fields (it read the values as one \`json\` column); Lathe reads JSON objects (\`{"column": value, ...}\`)`, files[0], "json-not-records");
        if (!snapshot && !attach) this.executor.checkedColumns.set(`SELECT * FROM ${sql}`, cols);
        if (dialect) this.executor.dialectReads.set(`SELECT * FROM ${sql}`, dialect.read);
        out[s.name.text] = { columns: cols.map((c) => ({ name: c.name, type: columnTypeOf(c.type), sqlType: c.type })) };
      } catch (e) {
        out[s.name.text] = e instanceof DataError ? { error: e.message, code: e.code } : { error: cleanDuckDBMessage((e as Error).message) };
      }
    }
    return out;
  }

  /** The chart thread of a run that draws (the one the caller started, or a new one); one started for a run that does not is closed. */
  private async chartThread(options: RunOptions, draws: boolean): Promise<ChartDrawer | undefined> {
    const given = typeof options.chartThread === "object" ? options.chartThread : undefined;
    if (!draws) {
      given?.close();
      return undefined;
    }
    return given ?? (options.chartThread ? (await import("../runtime/charts/chart-thread.js")).ChartThread.start(options.signal) : undefined);
  }

  /** The step cache a run uses, unless the session or the run has it off. */
  private stepCache(mode: RunOptions["cache"], libraryVersions: () => Record<string, string>): StepCache | undefined {
    const on = this.options.cache ?? this.options.record !== false;
    if (!on || mode === "off") return undefined;
    // What decides a step's outputs besides its key: the code and libraries that compute them, and the engine settings
    // (the memory settings decide whether a model trains in memory or streamed, which can give another model).
    return new StepCache(this.store, mode ?? "use", { versions: libraryVersions(), code: codeFingerprint(), nnEngine: process.env.LATHE_NN_ENGINE ?? "", tfjsNode: resolvable("@tensorflow/tfjs-node"), trainMemory: process.env.LATHE_TRAIN_MEMORY ?? "", memoryLimit: process.env.LATHE_MEMORY_LIMIT ?? "" });
  }

  private baseDir(file?: string): string {
    return this.options.baseDir ?? (file ? path.dirname(path.resolve(file)) : process.cwd());
  }

  /** Releases the database (and the notebook run's journal, left open for its command to end). */
  close(): void {
    this.notebookRecorder?.detach();
    this.notebookRecorder = undefined;
    this.executor.close();
  }
}

/** An engine table's columns as the server describes them, typed as DuckDB will hold its rows. */
async function engineSchema(ref: EngineRef): Promise<SourceSchema> {
  const conn = await ClickHouseConnection.open(ref.url, process.env, ref);
  try {
    return { columns: (await conn.describe(ref.table)).map((c) => ({ name: c.name, type: columnTypeOf(duckTypeOf(c.type)), sqlType: duckTypeOf(c.type), ...(clickhouseDialect.valueKind(c.type) === "other" ? { unhashable: c.type } : {}) })) };
  } finally {
    await conn.close();
  }
}

/** A diagnostic for each statement the runtime cannot execute yet: a warning for `check`, an error for `run`. */
function pendingDiagnostics(program: Program, severity: "warning" | "error"): Diagnostic[] {
  const pending = new Set(pendingStatementKinds());
  return program.statements
    .filter((s) => pending.has(s.kind))
    .map((s) => ({ code: "not-implemented", severity, span: s.span, message: `\`${s.kind}\` is checked, but this version of the runtime cannot execute it yet${severity === "error" ? ", so the program does not run" : "; `lathe run` refuses the program"}` }));
}

/**
 * What went wrong, for the user: a failure inside a step is a diagnostic at its statement (code,
 * span), printed like a checker error; a data problem outside any step keeps its message; only
 * what no user can cause is "internal" (exit 70, with its stack).
 */
function userError(e: unknown): RunOutcome["error"] {
  const err = e as Error;
  if (err instanceof StoreError) return { kind: "store", code: err.code, message: err.message };
  if (err instanceof AssertionFailed) return { kind: "assert", message: err.message };
  if (err?.name === "AbortError" || isDuckDBInterrupt(err)) return { kind: "interrupted", message: "interrupted" };
  if (err instanceof StepError && err.span) return { kind: "data", message: err.message, code: err.code, diagnostic: { code: err.code, message: err.message, severity: "error", span: err.span } };
  if (err instanceof DataError) return { kind: "data", message: err.message, code: err.code };
  if (isDuckDBUserError(err)) return { kind: "data", message: cleanDuckDBMessage(err.message), code: readError(err).code };
  // Outside a step too (fingerprinting, planning), DuckDB out of its memory limit is the user's limit.
  const memory = duckDBMemoryError(err);
  if (memory) return { kind: "data", message: memory.message, code: memory.code };
  return { kind: "internal", message: err?.stack ?? String(e) };
}

export { cleanDuckDBMessage };

/**
 * Records each finished step (its metrics and artifacts) in the run's journal as it ends, after the
 * caller has seen it: a run that fails later keeps what the steps before produced.
 */
function recordSteps(recorder: RunRecorder, onEvent: RunOptions["onEvent"]): (e: RunEvent) => void {
  return (e) => {
    onEvent?.(e);
    if (e.type === "trial") {
      recorder.child({ step: e.id, label: e.label, trial: e.trial, model: e.model, params: e.params, metrics: [{ model: e.model, data: e.data, metric: e.metric, value: e.score }], startedAt: e.startedAt, finishedAt: e.finishedAt });
      return;
    }
    if (e.type !== "step-end") return;
    const trained = e.result?.kind === "model" ? e.result : e.result?.kind === "tune" ? e.result.trained : undefined;
    try {
      recorder.step({ id: e.id, label: e.label, ms: e.ms, failed: e.failed, metrics: e.metrics, artifacts: e.artifacts, series: trained?.curves });
    } catch (err) {
      // A step that failed already ends the run; its own error says more than a failure to record it.
      if (!e.failed) throw err;
    }
  };
}



/** Whether a package can be loaded from here (an optional dependency that changes results when present). */
function resolvable(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Versions that decide results, for the run record. */
export function versions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const v: Record<string, string> = { node: process.version };
  for (const pkg of ["@duckdb/node-api", "@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-wasm"]) {
    try {
      v[pkg] = (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      // not installed: nothing to record
    }
  }
  // The engine that trains neural networks and the CPU it ran on: a run reproduced elsewhere says
  // which code produced each result instead of only that they differ.
  v["native-mlp"] = nativeMlpDescription();
  v.cpu = cpuDescription();
  try {
    v.lathe = (require("lathe/package.json") as { version: string }).version;
  } catch {
    v.lathe = "unknown";
  }
  // The version number does not change with every change to a learner or a split: a run reproduced
  // by other code names that as the likely cause of a difference.
  v["lathe-code"] = codeFingerprint().slice(0, 16);
  return v;
}

/** The vector extensions that decide which code the native engine and libm run, where the OS lists them. */
const cpuFeatures = ["sse4_2", "avx", "avx2", "fma", "avx512f", "neon", "asimd"];

/** The CPU model and its vector extensions (on Linux, from /proc/cpuinfo), whatever engine the run used. */
function cpuDescription(): string {
  const model = os.cpus()[0]?.model?.trim() || "unknown";
  let flags: string[] = [];
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const line = /^(?:flags|Features)\s*:(.*)$/m.exec(info)?.[1] ?? "";
    const have = new Set(line.trim().split(/\s+/));
    flags = cpuFeatures.filter((f) => have.has(f));
  } catch {
    // not Linux: the model name is what there is
  }
  return `${model}; ${process.arch}${flags.length ? `: ${flags.join(" ")}` : ""}`;
}
