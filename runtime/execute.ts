import { chainSql, fitAndCompile, dropStaged } from "./data/chain.js";
import { ClickHouseConnection, type EngineAddress } from "./data/clickhouse-connection.js";
import { bringBack, type EngineRows } from "./data/engine-dataset.js";
import { Database, plain } from "./data/database.js";
import { readError } from "./data/source.js";
import { abortError, cleanDuckDBMessage, DataError, duckDBMemoryError, isDuckDBInterrupt, isDuckDBUserError, StepError } from "./errors.js";
import { computeMetrics } from "./metrics/index.js";
import { encodeModelFile } from "./model-file.js";
import { modelArtifact, type ModelState, type TrainSpec } from "./model-state.js";
import { predictWithProba } from "./models/predict-with-proba.js";
import { opOf } from "./ops/index.js";
import type { DatasetState, ExecuteOptions, MaterialiseOptions, Predictions, RegistryActions, StepCacheHost, StepContext, StepStore } from "./ops/types.js";
import type { Plan, PlanStep } from "./plan.js";
import { AssertionFailed, valueText as fmt, type MetricRecord, type StepResult } from "./results.js";
import type { Learner, RowBlocks, TrainedModel } from "./models/types.js";
import type { ArtifactRef } from "./run-store.js";
import { ident } from "./sql/quote.js";
import { expandFeatures, readMatrix, readRows, readTarget, targetClasses, type Relation } from "./train-data.js";
import { takesMissing } from "./models/missing-values.js";
import { overBudget, trainMemoryBudget } from "./train-budget.js";
import { streamRows, type StreamedRows } from "./train-stream.js";
import { columnSteps, inputColumns, missingColumns, remainingTransform, transformTypes, type Transform } from "./transform.js";

export { modelArtifact, plain, type ModelState, type TrainSpec };
export type { DatasetState, ExecuteOptions };

/** Everything a run produced, in statement order. */
export interface ExecuteOutput {
  results: StepResult[];
  metrics: MetricRecord[];
  artifacts: ArtifactRef[];
  backend?: string;
}

/**
 * Executes a plan step by step against one DuckDB database: a loop over the ops registry
 * (`runtime/ops/`). State (datasets, models) lives on the executor, so a notebook can run cell
 * after cell on the same one; ops see it only through the `StepContext` interface.
 */
export class Executor {
  private readonly datasets = new Map<string, DatasetState>();
  private readonly models = new Map<string, ModelState>();
  private tempCount = 0;
  /** The engine that trained the last model that used one (a TensorFlow.js backend, `native`). */
  backend?: string;

  constructor(readonly db: Database) {}

  /**
   * The columns the check found for each source query (`SELECT * FROM <reader>` → columns), kept by
   * the session for the run that follows it. A lazy source's view takes them instead of a `DESCRIBE`
   * of itself, which binds its query again: for a csv file, one more sniff of the file (≈ 40 ms on the
   * bench's 166 MB file; the check's `DESCRIBE`, the view's creation and the first read sniff it too).
   */
  readonly checkedColumns = new Map<string, { name: string; type: string }[]>();
  /** A source's read (as `checkedColumns` keys it) with its csv dialect and columns said outright (`csvSniffedRead`), run in its place. */
  readonly dialectReads = new Map<string, string>();

  /** Opens an executor on a fresh in-memory database. */
  static async create(): Promise<Executor> {
    return new Executor(await Database.open());
  }

  /** A model trained in this session, if there is one of that name (for the TypeScript API). */
  modelState(name: string): ModelState | undefined {
    return this.models.get(name);
  }

  /** Names of the datasets this session holds. */
  datasetNames(): string[] {
    return [...this.datasets.keys()];
  }

  /** Runs every step of a plan; an `assert` that fails (or a `monitor` alert) throws AssertionFailed after the rest has run. */
  async run(plan: Plan, options: ExecuteOptions = {}): Promise<ExecuteOutput> {
    try {
      return await this.runSteps(plan, options);
    } finally {
      await this.closeEngines();
    }
  }

  private async runSteps(plan: Plan, options: ExecuteOptions): Promise<ExecuteOutput> {
    const out: ExecuteOutput = { results: [], metrics: [], artifacts: [] };
    const failures: string[] = [];
    const registryActions: RegistryActions = { registered: new Map(), promoted: new Map(), asserts: [] };
    for (const [index, step] of plan.steps.entries()) {
      if (options.signal?.aborted) throw abortError();
      options.onEvent?.({ type: "step-start", id: step.id, label: step.label, index, total: plan.steps.length });
      const t0 = performance.now();
      const produced: Pick<ExecuteOutput, "metrics" | "artifacts"> = { metrics: [], artifacts: [] };
      const ctx = this.context(options, produced, registryActions);
      const op = opOf(step);
      let result: StepResult | undefined;
      if (op.sideEffect && failures.length) {
        result = { kind: "notice", message: `not run: an assert failed earlier in this run, and \`${step.op}\` runs only when every assert before it passed` };
      } else if (op.sideEffect && options.sideEffects === false) {
        result = { kind: "notice", message: `not run: \`${step.op}\` changes the registry or a deployment, which a reproduction leaves alone` };
      } else if (op.changesRegistry && options.registryChanges === false) {
        result = { kind: "notice", message: `not run: \`${step.op}\` changes the model registry, which this run leaves alone (--no-registry)` };
      } else {
        try {
          result = await this.cachedStep(step, ctx, options.cache);
        } catch (e) {
          // What the step had recorded before it failed still belongs to the run.
          out.metrics.push(...produced.metrics);
          out.artifacts.push(...produced.artifacts);
          options.onEvent?.({ type: "step-end", id: step.id, label: step.label, ms: performance.now() - t0, metrics: produced.metrics, artifacts: produced.artifacts, failed: true });
          // What ran before the failure is still shown (the kernel displays it, the record keeps it).
          throw withOutput(this.lazyReadFailure(e, step) ?? located(e, step), out);
        }
      }
      for (const name of step.release ?? []) await this.release(name);
      out.metrics.push(...produced.metrics);
      out.artifacts.push(...produced.artifacts);
      if (result) out.results.push(result);
      if (result?.kind === "assert") registryActions.asserts.push(result);
      if (result?.kind === "assert" && !result.passed) {
        const r = result;
        failures.push(...r.checks.filter((c) => !c.passed).map((c) => `${r.model} on ${r.data}: ${c.metric} = ${fmt(c.value)}, required ${c.op} ${c.bound}`));
      }
      // A monitor alert fails the run like an assert (exit 3), after the rest has run.
      if (result?.kind === "monitor") {
        const m = result.run.result;
        failures.push(...m.alerts.map((a) => `monitor ${JSON.stringify(m.name)}: ${a.rule} (observed ${fmt(a.observed)})`));
      }
      options.onEvent?.({ type: "step-end", id: step.id, label: step.label, ms: performance.now() - t0, result, metrics: produced.metrics, artifacts: produced.artifacts });
    }
    out.backend = this.backend;
    if (failures.length) {
      throw withOutput(new AssertionFailed(`assert failed: ${failures.join("; ")}`), out);
    }
    return out;
  }

  /** For each dataset or model held, the key of the step that made it, when that key fixes its content. */
  private readonly madeBy = new Map<string, string>();
  /** The result each cacheable step last gave, by key. */
  private readonly resultOf = new Map<string, StepResult>();
  /** Metrics each model has been measured on since it was trained. */
  private readonly measured = new Map<string, { data: string; metric: string; value: number }[]>();

  /**
   * Runs a step, unless this executor already holds its outputs from a step with the same key:
   * re-running notebook cells, or a whole notebook after editing a later cell, reuses the loaded,
   * prepared and split data and the trained models that did not change. Keys cover the step, its
   * inputs' keys, seeds and data fingerprints; what the op declares it reads and defines decides
   * the rest (an op whose key does not fix its result, like a `sql` source, is never reused, and
   * neither is anything built on it). With a step cache across runs (`store`), outputs another
   * run computed for the same key are put back the same way, and what a step computes is kept.
   */
  private async cachedStep(step: PlanStep, ctx: StepContext, store?: StepStore): Promise<StepResult | undefined> {
    const op = opOf(step);
    const io = op.io(step);
    if (!io.defines.length) return this.runOp(op, ctx, step);
    const cached = this.resultOf.get(step.key);
    if (cached && io.defines.every((o) => this.madeBy.get(o) === step.key)) {
      if (cached.kind === "model") await ctx.putModel(ctx.model(cached.name));
      return { ...cached, reused: true };
    }
    // Whether what it reads is fixed by keys is asked first: `tune` reads the model it redefines.
    const cacheable = op.cacheable(step) && io.reads.every((i) => this.madeBy.has(i));
    // Forget what is about to be replaced: a step that fails half-way must not leave it marked current.
    for (const o of io.defines) this.madeBy.delete(o);
    const stored = cacheable && op.storedAcrossRuns !== false ? store : undefined;
    const host: StepCacheHost = { ctx, viewDefinition: (name) => this.viewDefinitions.get(name), setBackend: (b) => (this.backend = b) };
    let result = stored && (await stored.restore(step, io, host));
    if (!result) {
      result = await this.runOp(op, ctx, step);
      if (stored && result) await stored.save(step, io, result, host);
    }
    if (cacheable && result) {
      for (const o of io.defines) this.madeBy.set(o, step.key);
      const { reused: _reused, reusedFrom: _from, ...fresh } = result;
      this.resultOf.set(step.key, fresh as StepResult);
    }
    return result;
  }

  /** The view of this executor one step runs against. */
  private context(options: ExecuteOptions, produced: Pick<ExecuteOutput, "metrics" | "artifacts">, registryActions: RegistryActions): StepContext {
    const put = (name: string, kind: string, ext: string, content: string | Uint8Array) => {
      if (!options.store) return undefined;
      const ref = options.store.putArtifact(name, kind, ext, content);
      produced.artifacts.push(ref);
      return ref;
    };
    return {
      db: this.db,
      options,
      dataset: (name) => this.dataset(name),
      hasDataset: (name) => this.datasets.has(name),
      setEngineDataset: (name, rows) => {
        this.datasets.delete(name);
        this.engineDatasets.set(name, rows);
      },
      engineDataset: (name) => this.engineDatasets.get(name),
      engine: (at) => this.engine(at),
      materialise: (name, sql, how) => this.materialise(name, sql, how),
      concreteTransform: (ds) => this.concreteTransform(ds),
      model: (name) => this.model(name),
      hasModel: (name) => this.models.has(name),
      setModel: (state) => {
        this.models.set(state.name, state);
        this.measured.delete(state.name);
      },
      fit: (spec, stepId) => this.fit(spec, options, stepId),
      score: (state, data, metrics) => this.score(state, data, metrics),
      predictions: (state, data) => this.predictions(state, data),
      measured: this.measured,
      registryActions,
      recordMetrics: (metrics) => produced.metrics.push(...metrics),
      putArtifact: put,
      recordArtifact: (ref) => {
        if (options.store) produced.artifacts.push(ref);
      },
      // Content-addressed, so a reused model is stored once.
      // Not encoded when nothing keeps it (`--no-record`): a forest's bytes cost time and memory for nothing.
      putModel: async (state) => (options.store ? put(`model-${state.name}.lathe`, "model", "lathe", await encodeModelFile(state)) : undefined),
      tempName: (prefix) => `__lathe_${prefix}_${++this.tempCount}`,
    };
  }

  /** Datasets whose rows stay on an engine (until a step that needs them in DuckDB brings them back). */
  private readonly engineDatasets = new Map<string, EngineRows>();
  /** The run's connections to engines, by URL: opened on first use, shared by its steps, closed when it ends. */
  private readonly connections = new Map<string, Promise<ClickHouseConnection>>();

  /** The run's connection to an engine (one per URL and credential variables). */
  private engine(at: EngineAddress): Promise<ClickHouseConnection> {
    const key = JSON.stringify([at.url, at.userEnv ?? "", at.passwordEnv ?? ""]);
    let conn = this.connections.get(key);
    if (!conn) {
      conn = ClickHouseConnection.open(at.url, process.env, at);
      this.connections.set(key, conn);
      // An address the connection refuses is refused again next time, not cached.
      conn.catch(() => this.connections.delete(key));
    }
    return conn;
  }

  /** Closes the run's engine connections. */
  private async closeEngines(): Promise<void> {
    const open = [...this.connections.values()];
    this.connections.clear();
    for (const c of open) await c.then((x) => x.close()).catch(() => undefined);
  }

  /**
   * Runs an op. Datasets it reads whose rows stay on an engine are first brought back into DuckDB
   * (all their rows, streamed), unless the op reads them there itself (`readsEngine`); so is the
   * data of a model it reads (`register` profiles it, `tune` trains on it), which is still on the
   * engine when the model came from the step cache instead of training.
   */
  private async runOp(op: ReturnType<typeof opOf>, ctx: StepContext, step: PlanStep): Promise<StepResult | undefined> {
    if (!op.readsEngine?.(step as never)) {
      const reads = op.io(step as never).reads.flatMap((n) => {
        const spec = this.models.get(n)?.spec;
        return spec ? [n, spec.input, ...(spec.validation ? [spec.validation] : [])] : [n];
      });
      for (const name of new Set(reads)) {
        const remote = this.engineDatasets.get(name);
        if (!remote) continue;
        const back = await bringBack(ctx, name, remote);
        ctx.options.onSql?.({ id: step.id, label: step.label, title: `rows of ${name} brought back from ${remote.ref.engine} (${remote.ref.url}): ${back.rows} rows, ${back.bytes} bytes`, sql: back.sql });
      }
    }
    return op.run(ctx, step as never);
  }

  /** The state of a dataset computed earlier in this session. */
  dataset(name: string): DatasetState {
    const ds = this.datasets.get(name);
    const remote = this.engineDatasets.get(name);
    if (!ds && remote) throw new DataError(`\`${name}\` stays on ${remote.ref.engine} (${remote.ref.url}) and this step reads it there`, undefined, "engine-unsupported");
    if (!ds) throw new DataError(`dataset \`${name}\` has not been computed in this session`, undefined, "unknown-dataset");
    return ds;
  }

  /** A model trained earlier in this session. */
  model(name: string): ModelState {
    const m = this.models.get(name);
    if (!m) throw new DataError(`model \`${name}\` has not been trained in this session`, undefined, "unknown-model");
    return m;
  }

  /** Views that learn from their own rows when read: how to learn their constants concretely. */
  private readonly lineages = new Map<string, { input: string; steps: import("../language/ast.js").PrepareStep[] }>();
  private readonly concrete = new Map<string, Transform>();

  /** A dataset's transform with concrete constants: a view's steps are fitted on its input's rows (what the view computes when read). */
  private async concreteTransform(ds: DatasetState): Promise<Transform> {
    if (ds.transform) return ds.transform;
    const known = this.concrete.get(ds.name);
    if (known) return known;
    const lineage = this.lineages.get(ds.name);
    if (!lineage) throw new DataError(`\`${ds.name}\` has no preparation on record`, undefined, "unknown-dataset");
    const input = this.dataset(lineage.input);
    const fitted = await fitAndCompile(this.db, input.relation, lineage.steps, input.columns);
    await dropStaged(this.db, fitted);
    const transform = [...(await this.concreteTransform(input)), ...columnSteps(fitted.applied)];
    this.concrete.set(ds.name, transform);
    return transform;
  }

  /**
   * Trains one model from a spec on its input dataset (with the validation dataset the plan chose,
   * prepared the model's way, for early stopping) and returns its state without keeping it:
   * `train` and `tune` both use it.
   */
  private async fit(spec: TrainSpec, options: ExecuteOptions, stepId: string): Promise<ModelState> {
    // Learners are loaded when a model is trained, each on its own: `check`, data-only runs and a
    // run of one learner do not load the code of the others (≈ 60 modules for all of them).
    const { loadLearner } = await import("./models/load-learner.js");
    const learner = await loadLearner(spec.algorithm);
    if (!learner) throw new DataError(`no learner is available for \`${spec.algorithm}\``, undefined, "unknown-algorithm");
    const ds = this.dataset(spec.input);
    const transform = await this.concreteTransform(ds);
    const featureColumns = expandFeatures(spec.features, ds);
    // Over the training memory budget, a learner that can streams its rows from DuckDB (docs/larger-than-memory.md).
    const budget = trainMemoryBudget();
    if (learner.trainStreamed && overBudget(ds.rows, featureColumns.length, budget)) {
      const streamed = await this.fitStreamed(spec, options, stepId, learner, ds, transform, featureColumns, budget);
      if (streamed) return streamed;
    }
    const missing = takesMissing(spec.algorithm);
    const { x, y, classes } = await readRows(this.db, ds, spec.input, featureColumns, spec.target, spec.task, undefined, missing);
    if (x.n === 0) throw emptyTrainingData(spec);
    checkClasses(spec, classes);
    const shape = { name: spec.model, transform, featureColumns, target: spec.target };
    let validation: { x: typeof x; y: Float32Array } | undefined;
    if (spec.validation && !learner.ignoresValidation) {
      await this.withPrepared(shape, spec.validation, async (rel) => {
        if (rel.rows === 0) return;
        const vy = await readTarget(this.db, rel, spec.validation!, spec.target, spec.task, classes);
        // A validation row of a class the training part lacks cannot be scored by the loss.
        const keep = spec.task === "classification" ? vy.y.every((v) => v >= 0) : true;
        if (keep) validation = { x: await readMatrix(this.db, rel, spec.validation!, featureColumns, missing), y: vy.y };
      });
    }
    const params = { ...learner.defaults, ...spec.params };
    const model = await learner.train({
      task: spec.task,
      x,
      y,
      classes,
      validation,
      params,
      seed: spec.seed,
      signal: options.signal,
      onProgress: (p) => options.onEvent?.({ type: "progress", id: stepId, ...p }),
      // x and validation are read for this fit alone.
      releaseColumns: true,
    });
    return this.trainedState(spec, ds, transform, featureColumns, classes, model, x.n);
  }

  /**
   * `fit` on rows streamed from DuckDB a block at a time (the learner's `trainStreamed`);
   * undefined, to train in memory, when the target cannot be streamed (more than 256 classes) or
   * the learner cannot stream with these options (an rbf svm, an MLP without the native engine).
   */
  private async fitStreamed(spec: TrainSpec, options: ExecuteOptions, stepId: string, learner: Learner, ds: DatasetState, transform: Transform, featureColumns: string[], budget: number): Promise<ModelState | undefined> {
    if (ds.rows === 0) throw emptyTrainingData(spec);
    const classes = spec.task === "classification" ? await targetClasses(this.db, ds, spec.input, spec.target) : [];
    checkClasses(spec, classes);
    const missing = takesMissing(spec.algorithm);
    const data = await streamRows(this.db, ds, spec.input, featureColumns, spec.target, spec.task, classes, budget, "many", missing);
    if (!data) return undefined;
    const shape = { name: spec.model, transform, featureColumns, target: spec.target };
    const train = (v?: RowBlocks) => learner.trainStreamed!({ task: spec.task, data, classes, validation: v, params: { ...learner.defaults, ...spec.params }, seed: spec.seed, signal: options.signal, onProgress: (p) => options.onEvent?.({ type: "progress", id: stepId, ...p }) });
    let validation: StreamedRows | undefined;
    try {
      // The validation part is streamed too (prepared the model's way when it needs to be).
      const model = spec.validation && !learner.ignoresValidation
        ? await this.withPrepared(shape, spec.validation, async (rel) => {
            if (rel.rows > 0) validation = await streamRows(this.db, rel, spec.validation!, featureColumns, spec.target, spec.task, classes, budget, "many", missing);
            return train(validation);
          })
        : await train();
      return model && this.trainedState(spec, ds, transform, featureColumns, classes, model, data.n);
    } finally {
      await validation?.close();
      await data.close();
    }
  }

  /** The state of a model just trained. */
  private async trainedState(spec: TrainSpec, ds: DatasetState, transform: Transform, featureColumns: string[], classes: string[], model: TrainedModel, rows: number): Promise<ModelState> {
    // Each learner that uses TensorFlow.js starts it itself and names its backend; the others need none.
    if (model.backend) this.backend = model.backend;
    const inputs = inputColumns(transform, [...featureColumns, spec.target]);
    return {
      name: spec.model,
      algorithm: spec.algorithm,
      task: spec.task,
      target: spec.target,
      features: spec.features,
      featureColumns,
      classes,
      model,
      transform,
      inputColumns: inputs,
      types: await transformTypes(this.db, ds.rawTypes, transform, inputs),
      trainedOn: spec.input,
      spec,
      params: spec.params,
      rows,
      backend: model.backend,
    };
  }

  /**
   * Runs `use` on a dataset's rows brought to a model's features: as they are when the dataset had
   * the model's preparation already (a part of the split it was trained from), otherwise after
   * applying what of the model's transform the dataset has not had (raw rows get all of it).
   */
  private async withPrepared<T>(state: { name: string; transform: Transform; featureColumns: string[]; target: string }, data: string, use: (rel: Relation) => Promise<T>): Promise<T> {
    const ds = this.dataset(data);
    const rest = remainingTransform(state, { name: data, transform: await this.concreteTransform(ds) });
    if (!rest.length) return use(ds);
    const missing = missingColumns(ds.columns, rest, [...state.featureColumns, state.target]);
    if (missing.length) throw new DataError(`\`${data}\` lacks ${missing.length === 1 ? "a column" : "columns"} the model \`${state.name}\` reads: ${missing.map((c) => `\`${c}\``).join(", ")}`, undefined, "missing-columns");
    const chain = chainSql(ds.relation, rest, ds.columns);
    const table = ident(`__lathe_scored_${++this.tempCount}`);
    await this.db.exec(`CREATE TEMP TABLE ${table} AS ${chain.sql}`);
    try {
      const [{ n }] = await this.db.rows(`SELECT count(*) AS n FROM ${table}`);
      return await use({ relation: table, columns: chain.columns, rows: Number(n), expansions: ds.expansions });
    } finally {
      await this.db.exec(`DROP TABLE IF EXISTS ${table}`);
    }
  }

  /** Predictions of a model on a dataset (after the model's own preparation): true values, predicted values, class probabilities. */
  async predictions(state: ModelState, data: string): Promise<Predictions> {
    return this.withPrepared(state, data, async (rel) => {
      const budget = trainMemoryBudget();
      if (overBudget(rel.rows, state.featureColumns.length, budget)) {
        const streamed = await streamRows(this.db, rel, data, state.featureColumns, state.target, state.task, state.classes, budget, "one", takesMissing(state.algorithm));
        if (streamed) return { ...(await streamedPredictions(state, streamed)), state };
      }
      const { x, y } = await readRows(this.db, rel, data, state.featureColumns, state.target, state.task, state.task === "classification" ? state.classes : undefined, takesMissing(state.algorithm));
      const { predictions: yPred, probabilities: proba } = predictWithProba(state.model, x, state.task === "classification");
      return { yTrue: y, yPred, proba, state };
    });
  }

  /** Metrics of a model state (registered or not) on a dataset, after the model's own preparation. */
  async score(state: ModelState, data: string, metrics: string[]): Promise<Record<string, number>> {
    if (this.dataset(data).rows === 0) throw new DataError(`\`${data}\` has no rows to evaluate \`${state.name}\` on`, undefined, "empty-data");
    const { yTrue, yPred, proba } = await this.predictions(state, data);
    if (yTrue.length === 0) throw new DataError(`\`${data}\` has no rows to evaluate \`${state.name}\` on`, undefined, "empty-data");
    return computeMetrics(metrics, { task: state.task, yTrue, yPred, proba, classes: state.classes });
  }

  /** Datasets kept as views reading tables of their own (a lazy source, a streamed prepare's staged rows, a split's keys) → those tables. */
  private readonly plainViews = new Map<string, string[]>();

  /**
   * Drops a dataset no later step reads (a one-shot run's plan says which, `planLifetimes`), with
   * the staged tables its view read and the views over it, so DuckDB frees its rows now.
   */
  private async release(name: string): Promise<void> {
    const ds = this.datasets.get(name);
    if (!ds) return;
    for (const [view, over] of [...this.views]) if (over === name && view !== name) await this.release(view);
    await this.db.exec(this.views.has(name) || this.plainViews.has(name) ? `DROP VIEW IF EXISTS ${ds.relation}` : `DROP TABLE IF EXISTS ${ds.relation}`);
    await this.disown(name);
    for (const held of [this.datasets, this.views, this.viewDefinitions, this.lineages, this.concrete, this.madeBy]) held.delete(name);
  }

  /** Forgets a plain view's staged tables, dropping those no other view reads (a split's parts share one). */
  private async disown(name: string): Promise<void> {
    const owned = this.plainViews.get(name) ?? [];
    this.plainViews.delete(name);
    const still = new Set([...this.plainViews.values()].flat());
    for (const t of owned) if (!still.has(t)) await this.db.exec(`DROP TABLE IF EXISTS ${t}`);
  }

  /**
   * A failure to read a lazy source's file, met by the step reading it: shown as the source's
   * (its file, line and statement), as when the source was read into a table at its own step.
   */
  private lazyReadFailure(e: unknown, step: PlanStep): StepError | undefined {
    if (e instanceof DataError || !isDuckDBUserError(e as Error)) return undefined;
    const message = (e as Error).message;
    if (!/CSV Error|^\s*file = |in file "|file '/m.test(message)) return undefined;
    // The step may read the source through a view (a streamed prepare): the file DuckDB names, else the only lazy source.
    const lazy = [...this.datasets.values()].flatMap((ds) => (ds.lazy ? [ds.lazy] : []));
    const source = lazy.find((l) => l.file && message.includes(l.file)) ?? (lazy.length === 1 ? lazy[0] : undefined);
    if (!source) return undefined;
    const err = readError(e, source.file);
    return new StepError(err.message, err.code, source.span ?? step.span, step.id, err.file);
  }

  /** Datasets kept as views → the table each reads. */
  private readonly views = new Map<string, string>();
  /** Datasets kept as views → how they were defined, so the step cache can define them again. */
  private readonly viewDefinitions = new Map<string, { sql: string; how: MaterialiseOptions }>();

  /**
   * Stores a dataset as a table, or as a view over `viewOf`. Before a table is replaced, views
   * reading it become tables, so a redefined source never changes a dataset computed from the old one.
   * Public for a retrain, which stores the holdout rows before fitted preparation to score two models on.
   */
  async materialise(name: string, sql: string, how: MaterialiseOptions): Promise<DatasetState> {
    const q = ident(name);
    for (const [view, over] of [...this.views]) {
      if (over !== name && view !== name) continue;
      this.views.delete(view);
      this.viewDefinitions.delete(view);
      if (view === name) await this.db.exec(`DROP VIEW IF EXISTS ${q}`);
      else {
        // Its constants, learned from the rows about to go, are fixed now too.
        const state = this.datasets.get(view);
        if (state && !state.transform) state.transform = await this.concreteTransform(state);
        await this.db.exec(`CREATE OR REPLACE TABLE ${ident(`${view}__lathe_tmp`)} AS SELECT * FROM ${ident(view)}`);
        await this.db.exec(`DROP VIEW ${ident(view)}`);
        await this.db.exec(`ALTER TABLE ${ident(`${view}__lathe_tmp`)} RENAME TO ${ident(view)}`);
        // A table now: what its view read through (a split's keys) may go, and so does its unsorted form.
        await this.disown(view);
        if (state) {
          delete state.ranked;
          delete state.rankedPieces;
        }
      }
    }
    this.concrete.delete(name);
    this.lineages.delete(name);
    this.engineDatasets.delete(name);
    // A lazy source or streamed prepare of this name goes, with the rows it staged.
    if (this.plainViews.has(name)) {
      await this.db.exec(`DROP VIEW IF EXISTS ${q}`);
      await this.disown(name);
    }
    const view = how.viewOf !== undefined || how.lazy !== undefined || how.owns !== undefined;
    // Views of this name were dropped above; a table of this name gives way to a view.
    if (view) await this.db.exec(`DROP TABLE IF EXISTS ${q}`);
    try {
      const read = this.dialectReads.get(sql) ?? sql;
      await this.db.exec(view ? `CREATE OR REPLACE VIEW ${q} AS ${read}` : `CREATE OR REPLACE TABLE ${q} AS ${read}`);
      if (!view) for (const more of how.append ?? []) await this.db.exec(`INSERT INTO ${q} ${more}`);
    } catch (e) {
      throw how.file ? readError(e, how.file) : e;
    }
    if (how.lazy || how.owns) this.plainViews.set(name, how.owns ?? []);
    this.viewDefinitions.delete(name);
    if (how.viewOf) {
      this.views.set(name, how.viewOf);
      // A view reading tables of its own (a split's keys) is kept by the step cache as its rows, not its definition.
      if (!how.owns) this.viewDefinitions.set(name, { sql, how });
    }
    if (how.lineage) this.lineages.set(name, how.lineage);
    const checked = how.lazy ? this.checkedColumns.get(sql) : undefined;
    const cols = checked ?? (await this.db.describe(`SELECT * FROM ${q}`));
    // A lazy source is not counted: counting would read the whole file once more.
    const n = how.lazy ? NaN : how.rows ?? (await this.db.rows(`SELECT count(*) AS n FROM ${how.countSql ? `(${how.countSql})` : q}`))[0].n;
    const columns = cols.map((c) => c.name);
    const expansions = Object.fromEntries(Object.entries(how.expansions).filter(([, v]) => v.every((c) => columns.includes(c))));
    const rawTypes = how.rawTypes ?? Object.fromEntries(cols.map((c) => [c.name, c.type]));
    const state: DatasetState = { name, relation: q, columns, rows: Number(n), expansions, transform: how.transform, rawTypes, ...(how.lazy ? { lazy: { file: how.file, span: how.lazy.span } } : {}), ...(how.ranked ? { ranked: how.ranked } : {}), ...(how.ranked && how.rankedPieces ? { rankedPieces: how.rankedPieces } : {}) };
    this.datasets.set(name, state);
    return state;
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}

/** Training on no rows, in memory or streamed. */
function emptyTrainingData(spec: TrainSpec): DataError {
  return new DataError(`the training data \`${spec.input}\` is empty`, undefined, "empty-training-data");
}

/** A classifier needs two classes in its training data, in memory or streamed. */
function checkClasses(spec: TrainSpec, classes: string[]): void {
  if (spec.task === "classification" && classes.length < 2) throw new DataError(`the target \`${spec.target}\` has only one class (${classes.join("")}) in \`${spec.input}\`; a classifier needs at least two`, undefined, "one-class");
}

/**
 * A model's predictions on rows streamed a block at a time: memory holds one block of features
 * and the outputs (targets, predictions, probabilities), not the feature columns.
 */
async function streamedPredictions(state: ModelState, data: RowBlocks): Promise<Omit<Predictions, "state">> {
  const classification = state.task === "classification";
  const k = state.classes.length;
  const yTrue = new Float32Array(data.n);
  const yPred = new Float32Array(data.n);
  let proba: Float32Array | undefined;
  await data.forEach(data.rowsPerBlock(1), (x, y, start) => {
    const out = predictWithProba(state.model, x, classification);
    yTrue.set(y, start);
    yPred.set(out.predictions, start);
    if (out.probabilities) (proba ??= new Float32Array(data.n * k)).set(out.probabilities, start * k);
  });
  return { yTrue, yPred, proba };
}

/**
 * A failure inside a step, tied to the statement it came from: a user's error (bad data, a bad
 * option, DuckDB refusing their data) becomes a coded StepError with the statement's span; an
 * interruption stays one; anything else is an internal error and keeps its stack.
 */
function located(e: unknown, step: PlanStep): unknown {
  const err = e as Error;
  if (err?.name === "AbortError" || err instanceof StepError) return e;
  // A query stopped by Database.interrupt: the run was interrupted, not broken.
  if (isDuckDBInterrupt(err)) return abortError();
  if (err instanceof DataError) return new StepError(err.message, err.code, step.span, step.id, err.file);
  if (isDuckDBUserError(err)) return new StepError(cleanDuckDBMessage(err.message), "data-error", step.span, step.id);
  const memory = duckDBMemoryError(err);
  if (memory) return new StepError(memory.message, memory.code, step.span, step.id);
  return e;
}

/** An error carrying the output of the steps that ran before it. */
export function withOutput(e: unknown, output: ExecuteOutput): unknown {
  if (e && typeof e === "object") Object.defineProperty(e, "output", { value: output, enumerable: false, configurable: true });
  return e;
}

/** The output an error from `run` carries, if any. */
export function outputOf(e: unknown): ExecuteOutput | undefined {
  return e && typeof e === "object" ? (e as { output?: ExecuteOutput }).output : undefined;
}
