import type { DatasetState } from "../dataset-state.js";
import type { Statement, StatementKind } from "../../language/ast.js";
import type { CheckedProgram } from "../../language/checker.js";
import type { Span } from "../../language/diagnostic.js";
import type { DrawChart } from "../charts/render-bundle.js";
import type { ChartBundle, UndrawnChart } from "../charts/types.js";
import type { ClickHouseConnection, EngineAddress, EngineRef } from "../data/clickhouse-connection.js";
import type { Database } from "../data/database.js";
import type { EngineRows } from "../data/engine-rows.js";
import type { ModelRegistry } from "../model-registry.js";
import type { ModelState, TrainSpec } from "../model-state.js";
import type { RunEvent, StepResult } from "../results.js";
import type { ServingHost } from "../serve/serving-spec.js";
import type { ArtifactRef } from "../run-store.js";
import type { FileDigests } from "../file-digests.js";
import type { Transform } from "../transform.js";
import type { PrepareStep } from "../../language/ast.js";

/**
 * What every plan step has, whatever its op. `key` is a content hash over the step's own fields and
 * its inputs' keys (not `label`, `statement` or `span`), so an unchanged step is recognised.
 */
export interface StepBase {
  id: string;
  key: string;
  /** Ids of the steps of this plan it reads from; for a name an earlier cell defined, that step's key. */
  deps: string[];
  /** Index of the statement this step comes from, for progress. */
  statement: number;
  /** Where that statement is, so a failure inside the step points at it. */
  span?: Span;
  label: string;
  /** Datasets no later step reads, dropped once this step has run (a one-shot run, `planLifetimes`). */
  release?: string[];
}

/** A step as an op's planner drafts it: the op's own fields plus a label; the planner adds the rest. Distributes over unions of steps. */
export type Draft<S extends StepBase> = S extends StepBase ? Omit<S, keyof StepBase> & { label: string } : never;

/** The datasets and models a step reads and defines: the planner's dependencies, the executor's cache and view decisions. */
export interface StepIo {
  reads: string[];
  defines: string[];
}

/** A prepared dataset as planning remembers it, to trace a split back to its root. */
export interface PreparedLineage {
  input: string;
  steps: PrepareStep[];
}

/** What planning knows while it walks the statements (carried across notebook cells where it says so). */
export interface PlanningContext {
  readonly checked: CheckedProgram;
  readonly seed: number;
  readonly baseDir: string;
  /** Prepared datasets → their input and steps (across cells). */
  readonly prepares: Map<string, PreparedLineage>;
  /** Split parts → the parts of their split, in order, and which one fitted steps learn on (across cells). */
  readonly splits: Map<string, { parts: string[]; train: string }>;
  /** Sources read from a recorded run's snapshot instead of their files (`lathe reproduce`). */
  readonly snapshots?: Map<string, SnapshotUse>;
  /** Datasets that live on an engine → the engine table they come from (across cells). */
  readonly engines: Map<string, EngineRef>;
  /** Datasets whose rows came from an engine (on it still, or parts of its split) → that engine: where `to table "T"` alone writes (across cells). */
  readonly origins: Map<string, EngineRef>;
  /** Where data files' digests are remembered (sources' fingerprints). */
  readonly digests?: FileDigests;
}

export type { EngineRef } from "../data/clickhouse-connection.js";

/** A source read from a run's data snapshot: the Parquet file, the fingerprint its data had, and why. */
export interface SnapshotUse {
  file: string;
  fingerprint: string;
  run: string;
  why: string;
}

/** One kind of plan step: how a statement becomes it, what it reads and defines, how it runs and how its result shows. */
export interface OpDefinition<S extends StepBase & { op: string }> {
  readonly op: S["op"];
  /** The datasets and models the step reads and defines. */
  io(step: S): StepIo;
  /**
   * Whether the step's key fixes its outputs, so outputs held from a step with the same key can be
   * reused instead of running it again. Steps that define nothing are never reused.
   */
  cacheable(step: S): boolean;
  /**
   * False when the step cache across runs (`runtime/step-cache.ts`) should not keep its outputs
   * even though its key fixes them: a load's outputs are its source file, read again.
   */
  storedAcrossRuns?: false;
  /**
   * It changes the world outside the run (the registry, a deployment): it runs only when every
   * `assert` before it passed, and not at all while a run is being reproduced.
   */
  sideEffect?: boolean;
  /** It writes to the model registry (`register`, `promote`, `rollback`): not in a run told to leave the registry alone. */
  changesRegistry?: boolean;
  /**
   * Whether the step reads datasets whose rows stay on an engine itself (pushing its work down to
   * the engine). Otherwise the executor brings such a dataset's rows back into DuckDB before the
   * step runs, so the op reads it like any other.
   */
  readsEngine?(step: S): boolean;
  /**
   * Whether running the step under these options draws a chart (Vega's SVG, resvg's PNG): a one-shot
   * run whose plan draws one starts a chart thread at its start (`ExecuteOptions.drawChart`).
   */
  draws?(step: S, options: ExecuteOptions): boolean;
  /**
   * Its work is DuckDB's alone: it holds no rows in JavaScript (`show` reads a few). A one-shot run
   * whose every step is such lets DuckDB's allocator keep freed pages a while (`duckdbAlone`,
   * runtime/data/duckdb-allocator.ts).
   */
  duckdbAlone?: true;
  run(ctx: StepContext, step: S): Promise<StepResult | undefined>;
}

/** Plans one kind of statement: the draft of the step it becomes (none for `param`). */
export type Planner<K extends StatementKind, D = Draft<StepBase & { op: string }>> = (statement: Extract<Statement, { kind: K }>, ctx: PlanningContext) => Promise<D | undefined> | D | undefined;

/**
 * How a result shows, the same for the CLI, the kernel and the TypeScript library: a one-line
 * summary and the parts a richer surface displays (tables, charts, text), in order.
 */
export interface Rendered {
  summary: string;
  parts: RenderPart[];
  /** The parts say everything the summary does: a surface that displays them may leave the summary out. */
  partsSuffice?: boolean;
}

export type RenderPart =
  /** `note`: what the table leaves out (rows past a bound, charts not drawn), shown below it. */
  | { kind: "table"; title?: string; columns: string[]; rows: Record<string, unknown>[]; note?: string }
  | { kind: "chart"; title: string; bundle: ChartBundle | UndrawnChart; files: string[] }
  | { kind: "text"; text: string };

/** Options of one execution of a plan. */
export interface ExecuteOptions {
  onEvent?: (e: RunEvent) => void;
  signal?: AbortSignal;
  /** Receives the SQL of each data step as it runs (`lathe explain`), with fitted constants inlined. */
  onSql?: (e: { id: string; label: string; title: string; sql: string }) => void;
  /** Where charts and models are written; none means results stay in memory. */
  store?: ArtifactSink;
  /** The model registry and the run that writes to it; `register`, `promote` and `rollback` need it. */
  registry?: { registry: ModelRegistry; runId: string };
  /**
   * False when re-running a recorded run to check it (`lathe reproduce`): steps that change the world
   * outside the run (registry, deployments, files) report what they would do instead of doing it.
   */
  sideEffects?: boolean;
  /** False: `register`, `promote` and `rollback` say what they would do instead (`lathe run --no-registry`, CI on a branch). */
  registryChanges?: boolean;
  /** The model registry to read registered models from (batch scoring), recorded run or not. */
  models?: ModelRegistry;
  /** This run's id, when it is recorded (written beside batch predictions). */
  runId?: string;
  /** Where `serve` records its spec and checks its reference, and (in the kernel) how it starts a server. */
  serving?: ServingHost;
  /** The run store's folder when side effects are on (`retrain` records its spec there). */
  storeRoot?: string;
  /**
   * Set by a retrain: `promote` and `rollback` leave the champion alone and say so (deferred to the
   * retrain's decision, which compares the new version with the champion after the run).
   */
  deferChampion?: boolean;
  /** The step cache across runs: outputs of steps computed before (in this store) are put back instead of computed. */
  cache?: StepStore;
  /**
   * False where nobody sees charts that are only displayed (the CLI prints tables): `describe`
   * profiles its columns without rendering a chart for each and `tune` leaves its chart undrawn
   * (Vega and resvg are never loaded for them); `plot` draws only what a consumer keeps — the run's
   * artifacts when recording (`store`), a `to` file that is an image — else its result holds the
   * spec and text only (`UndrawnChart`).
   */
  displayCharts?: boolean;
  /**
   * How charts are drawn: a one-shot run's chart thread (`charts/chart-thread.ts`), which loaded Vega
   * while the data steps ran; else in this thread (`renderBundle`, loading Vega at the first chart).
   */
  drawChart?: DrawChart;
  /** Keep each source's rows as Parquet with the run (`lathe run --snapshot`), so it can be reproduced without the file. */
  snapshot?: boolean;
}

/**
 * What the executor lends the step cache: the step's context, and what only the executor knows —
 * how a dataset kept as a view was defined, and which engine trained the run's models.
 */
export interface StepCacheHost {
  readonly ctx: StepContext;
  viewDefinition(name: string): { sql: string; how: MaterialiseOptions } | undefined;
  setBackend(backend: string): void;
}

/** The step cache across runs (`runtime/step-cache.ts`), as the executor uses it. */
export interface StepStore {
  /** The step's outputs put back from an earlier computation of the same key, and its result; undefined on a miss. */
  restore(step: StepBase & { op: string }, io: StepIo, host: StepCacheHost): Promise<StepResult | undefined>;
  /** Keeps what the step just computed. Never fails the run: a cache that cannot be written is only slower. */
  save(step: StepBase & { op: string }, io: StepIo, result: StepResult, host: StepCacheHost): Promise<void>;
  /**
   * Keeps a loaded dataset's rows as Parquet with the run; a note for its summary line. `fixed`:
   * the step's key fixes its rows, so a snapshot kept under that key already holds them.
   */
  snapshot(step: StepBase & { dataset: string }, ctx: StepContext, fixed: boolean): Promise<string>;
}

/** Where a run's artifacts go: content-addressed files of the run store. */
export interface ArtifactSink {
  putArtifact(name: string, kind: string, ext: string, content: string | Uint8Array): ArtifactRef;
}

/** Predictions of a model on a dataset: true values, predicted values, class probabilities. */
export interface Predictions {
  yTrue: Float32Array;
  yPred: Float32Array;
  proba?: Float32Array;
  state: ModelState;
}

/** How a dataset is stored by `materialise`. */
export interface MaterialiseOptions {
  expansions: Record<string, string[]>;
  transform: Transform | undefined;
  /** The types of its raw rows' columns; none for a dataset that is its own raw rows (a load). */
  rawTypes?: Record<string, string>;
  /** The data file it reads, so a read failure names it. */
  file?: string;
  /** Keep it as a view over this dataset's table instead of a table. */
  viewOf?: string;
  /** A cheaper query with the same row count. */
  countSql?: string;
  /** For a view: how to learn its steps' constants concretely when a model needs them. */
  lineage?: { input: string; steps: PrepareStep[] };
  /** Its row count when already known (put back from the step cache), so it is not counted again. */
  rows?: number;
  /**
   * Keep it as a view over its source, read when used and not counted (a one-shot run's source
   * read once); `span` is the source statement's, where a failure to read the file is shown.
   */
  lazy?: { span?: import("../../language/diagnostic.js").Span };
  /** For a table: queries whose rows are added after the first query's, in order (a part written in pieces). */
  append?: string[];
  /** Temporary tables its view reads (staged rows, quoted), dropped with the last view that reads them. */
  owns?: string[];
  /** For a view kept in an order (a split's part): the same rows unsorted with their rank (`DatasetState.ranked`). */
  ranked?: string;
  /** `ranked` in pieces (`DatasetState.rankedPieces`). */
  rankedPieces?: string[];
}

/** What this run did to the registry, so a later statement acts on this run's own versions. */
export interface RegistryActions {
  /** Name → the version this run registered last. */
  registered: Map<string, number>;
  /** `name@alias` (`promotionKey`) → this run's last promotion of that alias: the version it promoted and the one before it. */
  promoted: Map<string, { version: number; previous?: number }>;
  /** The asserts of this run so far (all passed, or no registry step would run): why a promotion happened. */
  asserts: Extract<StepResult, { kind: "assert" }>[];
}

/**
 * The narrow view of the executor an op runs against: datasets, models, the database, training and
 * scoring, and where results go. Ops never see the executor itself.
 */
export interface StepContext {
  readonly db: Database;
  readonly options: ExecuteOptions;
  /** The state of a dataset computed earlier in this session; a coded error if there is none. */
  dataset(name: string): DatasetState;
  hasDataset(name: string): boolean;
  /** Stores a dataset as a table (or a view) and records its state. */
  materialise(name: string, sql: string, how: MaterialiseOptions): Promise<DatasetState>;
  /** A dataset's transform with concrete constants (a view's steps are learned from its rows here). */
  concreteTransform(ds: DatasetState): Promise<Transform>;
  /** A model trained earlier in this session; a coded error if there is none. */
  model(name: string): ModelState;
  hasModel(name: string): boolean;
  setModel(state: ModelState): void;
  /** Trains a model from a spec on its input dataset; does not keep it. */
  fit(spec: TrainSpec, stepId: string): Promise<ModelState>;
  /** Metrics of a model on a dataset, after the model's own preparation. */
  score(state: ModelState, data: string, metrics: string[]): Promise<Record<string, number>>;
  predictions(state: ModelState, data: string): Promise<Predictions>;
  /** Metrics each model has been measured on since it was trained (what `register` records with it). */
  readonly measured: Map<string, { data: string; metric: string; value: number }[]>;
  readonly registryActions: RegistryActions;
  /** Adds metrics to this step's (and the run's) output. */
  recordMetrics(metrics: { model: string; data: string; metric: string; value: number }[]): void;
  /** Stores bytes as an artifact of the run when the run is recorded. */
  putArtifact(name: string, kind: string, ext: string, content: string | Uint8Array): ArtifactRef | undefined;
  /** References a file already among the store's artifacts (a data snapshot) as one of the run's, when the run is recorded. */
  recordArtifact(ref: ArtifactRef): void;
  /** Stores a trained model as an artifact of the run (content-addressed: a reused model is stored once). */
  putModel(state: ModelState): Promise<ArtifactRef | undefined>;
  /** A fresh name for a temporary table. */
  tempName(prefix: string): string;
  /** Records that a dataset's rows stay on an engine: ops that read engine rows themselves (`readsEngine`) find it with `engineDataset`; for any other, the executor brings its rows back first. */
  setEngineDataset(name: string, rows: EngineRows): void;
  /** A dataset whose rows stay on an engine, if `name` is one (and has not been brought back into DuckDB). */
  engineDataset(name: string): EngineRows | undefined;
  /** A connection to an engine, opened once per run (per URL and credential variables) and shared by its steps (closed when the run ends). */
  engine(at: EngineAddress): Promise<ClickHouseConnection>;
}

export type { DatasetState } from "../dataset-state.js";
