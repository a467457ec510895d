import { computeMetrics } from "./metrics/index.js";
import { chainSql, dropStaged, fitAndCompile, fitChain, formatChain } from "./data/chain.js";
import { Database, plain } from "./data/database.js";
import type { ModelRegistry } from "./model-registry.js";
import { DataError, readError } from "./data/source.js";
import { partColumn, splitSql } from "./data/split.js";
import { expansions, type AppliedStep } from "./data/steps.js";
import { profileDataset, renderProfileCharts } from "./describe.js";
import type { ParamValue, TrainedModel } from "./models/types.js";
import type { Plan, PlanStep } from "./plan.js";
import { AssertionFailed, type RunEvent, type StepResult } from "./results.js";
import { ident, literal } from "./sql/quote.js";
import { expandFeatures, readMatrix, readTarget, type DatasetState } from "./train-data.js";

/** A trained model with everything needed to apply it elsewhere: columns, classes, the fitted transform. */
export interface ModelState {
  name: string;
  algorithm: string;
  task: "classification" | "regression";
  target: string;
  features: string[];
  featureColumns: string[];
  classes: string[];
  model: TrainedModel;
  /** The preparation learned on training rows, shipped with the model so every consumer applies the same. */
  transform: { pre: unknown[]; post: AppliedStep[] };
  trainedOn: string;
  /** How it was trained, so `tune` can train it again with other options. */
  spec: TrainSpec;
  params: Record<string, ParamValue>;
  rows: number;
  /** The TensorFlow.js backend, for learners that use it. */
  backend?: string;
}

/** Everything needed to train a model: the `train` plan step without its plan bookkeeping. */
export interface TrainSpec {
  model: string;
  algorithm: string;
  task: "classification" | "regression";
  target: string;
  features: string[];
  input: string;
  seed: number;
  params: Record<string, ParamValue>;
}

/** The JSON artifact of a trained model: enough to rebuild it and apply the same preparation elsewhere. */
export function modelArtifact(state: ModelState): Record<string, unknown> {
  return { name: state.name, algorithm: state.algorithm, task: state.task, target: state.target, features: state.features, featureColumns: state.featureColumns, classes: state.classes, params: state.params, seed: state.spec.seed, transform: state.transform, model: state.model.toJSON() };
}

export interface ExecuteOptions {
  onEvent?: (e: RunEvent) => void;
  signal?: AbortSignal;
  /** Where charts and models are written; none means results stay in memory. */
  /** Receives the SQL of each data step as it runs (`lathe explain`), with fitted constants inlined. */
  onSql?: (e: { id: string; label: string; title: string; sql: string }) => void;
  store?: { putArtifact(name: string, kind: string, ext: string, content: string | Uint8Array): { path: string; sha256: string; bytes: number; name: string; kind: string } };
  /** The model registry and the run that writes to it; `register`, `promote` and `rollback` need it. */
  registry?: { registry: ModelRegistry; runId: string };
}

/** Everything a run produced, in statement order. */
export interface ExecuteOutput {
  results: StepResult[];
  metrics: { model: string; data: string; metric: string; value: number }[];
  artifacts: { name: string; kind: string; path: string; sha256: string; bytes: number }[];
  backend?: string;
}

/**
 * Executes a plan step by step against one DuckDB database. State (datasets, models) lives on
 * the executor, so a notebook can run cell after cell on the same one.
 */
export class Executor {
  readonly datasets = new Map<string, DatasetState>();
  readonly models = new Map<string, ModelState>();
  private splitCount = 0;
  /** The TensorFlow.js backend, once a model has been trained. */
  backend?: string;

  constructor(readonly db: Database) {}

  /** Opens an executor on a fresh in-memory database. */
  static async create(): Promise<Executor> {
    return new Executor(await Database.open());
  }

  /** Runs every step of a plan; an `assert` that fails throws AssertionFailed after the rest has run. */
  async run(plan: Plan, options: ExecuteOptions = {}): Promise<ExecuteOutput> {
    const out: ExecuteOutput = { results: [], metrics: [], artifacts: [] };
    const failures: string[] = [];
    for (const [index, step] of plan.steps.entries()) {
      if (options.signal?.aborted) throw abortError();
      options.onEvent?.({ type: "step-start", id: step.id, label: step.label, index, total: plan.steps.length });
      const t0 = performance.now();
      // An assert is a gate: once one has failed, nothing is registered, promoted or rolled back.
      const gated = failures.length > 0 && (step.op === "register" || step.op === "promote" || step.op === "rollback");
      const result: StepResult | undefined = gated ? { kind: "notice", message: `not run: an assert failed earlier in this run, and \`${step.op}\` runs only when every assert before it passed` } : await this.cachedStep(step, options, out);
      if (result) out.results.push(result);
      if (result?.kind === "assert" && !result.passed) {
        failures.push(...result.checks.filter((c) => !c.passed).map((c) => `${result.model} on ${result.data}: ${c.metric} = ${fmt(c.value)}, required ${c.op} ${c.bound}`));
      }
      options.onEvent?.({ type: "step-end", id: step.id, label: step.label, ms: performance.now() - t0, result });
    }
    out.backend = this.backend;
    if (failures.length) {
      const err = new AssertionFailed(`assert failed: ${failures.join("; ")}`);
      (err as AssertionFailed & { output: ExecuteOutput }).output = out;
      throw err;
    }
    return out;
  }

  /** For each dataset or model held, the key of the step that made it, when that key fixes its content. */
  private readonly madeBy = new Map<string, string>();
  /** The result each cacheable step last gave, by key. */
  private readonly resultOf = new Map<string, StepResult>();

  /**
   * Runs a step, unless this executor already holds its outputs from a step with the same key:
   * re-running notebook cells, or a whole notebook after editing a later cell, reuses the loaded,
   * prepared and split data and the trained models that did not change. Keys cover the step, its
   * inputs' keys, seeds and data fingerprints; a `sql` source's result is not fixed by its text, so
   * it and everything built on it always run.
   */
  private async cachedStep(step: PlanStep, options: ExecuteOptions, out: ExecuteOutput): Promise<StepResult | undefined> {
    const io = cacheIo(step);
    if (!io) return this.step(step, options, out);
    const cached = this.resultOf.get(step.key);
    if (cached && io.outputs.every((o) => this.madeBy.get(o) === step.key)) {
      if (cached.kind === "model" && options.store) out.artifacts.push(this.recordModel(cached.name, options.store));
      return { ...cached, reused: true };
    }
    // Forget what is about to be replaced first: a step that fails half-way must not leave it marked current.
    for (const o of io.outputs) this.madeBy.delete(o);
    const cacheable = io.cacheable && io.inputs.every((i) => this.madeBy.has(i));
    const result = await this.step(step, options, out);
    if (cacheable && result) {
      for (const o of io.outputs) this.madeBy.set(o, step.key);
      this.resultOf.set(step.key, result);
    }
    return result;
  }

  private async step(step: PlanStep, options: ExecuteOptions, out: ExecuteOutput): Promise<StepResult | undefined> {
    switch (step.op) {
      case "load": {
        const attach = step.attach && `ATTACH IF NOT EXISTS ${literal(step.attach.file)} AS ${ident(step.attach.alias)} (READ_ONLY)`;
        if (attach) await this.db.exec(attach);
        options.onSql?.({ id: step.id, label: step.label, title: `table ${step.dataset}`, sql: `${attach ? `${attach};\n` : ""}SELECT * FROM ${step.sql}` });
        await this.materialise(step.dataset, `SELECT * FROM ${step.sql}`, {}, step.files.length === 1 ? step.files[0] : step.spec.kind === "file" ? step.spec.path.value : undefined);
        return this.datasetResult(step.dataset);
      }
      case "prepare": {
        const input = this.dataset(step.input);
        // Fitted on its own rows: fine for exploring; the checker warns when a model trains on it.
        const fitted = await fitAndCompile(this.db, ident(input.table), step.steps, input.columns, { inline: step.view });
        const { applied } = fitted;
        options.onSql?.({ id: step.id, label: step.label, title: `table ${step.dataset}`, sql: formatChain(chainSql(ident(input.table), applied, input.columns), applied) });
        if (step.view) {
          // A view reads its input's table, so it must not read staged tables that are about to go.
          await dropStaged(this.db, fitted);
          // Counting the view would compute what its steps learn; steps that learn keep every row, so
          // unless rows are dropped after one, the count without them is the same and far cheaper.
          const first = applied.findIndex((a) => a.inline);
          const rowSteps = new Set(["drop-rows", "keep-rows", "drop-duplicates"]);
          const cheap = first >= 0 && !applied.slice(first).some((a) => rowSteps.has(a.step.kind));
          const counted = cheap ? chainSql(ident(input.table), applied.slice(0, first), input.columns).sql : undefined;
          await this.materialise(step.dataset, chainSql(ident(input.table), applied, input.columns).sql, { ...input.expansions, ...expansions(applied) }, undefined, input.table, counted);
        } else {
          try {
            await this.materialise(step.dataset, fitted.chain.sql, { ...input.expansions, ...expansions(applied) });
          } finally {
            await dropStaged(this.db, fitted);
          }
        }
        return this.datasetResult(step.dataset);
      }
      case "split": {
        const root = this.dataset(step.root);
        const pre = chainSql(ident(root.table), step.pre.map((s) => ({ step: s })), root.columns);
        const assign = splitSql(`(${pre.sql})`, pre.columns, step);
        options.onSql?.({ id: step.id, label: step.label, title: `rows of ${step.root} before the split (steps that learn nothing)`, sql: formatChain(pre, step.pre.map((s) => ({ step: s }))) });
        options.onSql?.({ id: step.id, label: step.label, title: `part of each row (${ident(partColumn)})`, sql: splitSql("<rows before the split>", pre.columns, step) });
        // A plain split decides each row from the row alone, so every part streams straight from the
        // rows before the split; stratified and time splits rank rows, so they are ranked once into a table.
        const ranked = step.stratify !== undefined || step.time !== undefined;
        const splitTable = `__lathe_split_${++this.splitCount}`;
        if (ranked) await this.db.exec(`CREATE OR REPLACE TABLE ${ident(splitTable)} AS ${assign}`);
        const assigned = ranked ? ident(splitTable) : `(${assign})`;
        const partRel = (name: string) => `(SELECT * EXCLUDE (${ident(partColumn)}) FROM ${assigned} WHERE ${ident(partColumn)} = ${literal(name)})`;
        try {
          const applied = await fitChain(this.db, partRel(step.train), step.post, pre.columns);
          const order = [step.train, ...step.parts.map((p) => p.name).filter((n) => n !== step.train)];
          for (const name of order) {
            const chain = chainSql(partRel(name), applied, pre.columns);
            if (applied.length) options.onSql?.({ id: step.id, label: step.label, title: `table ${name}: steps fitted on ${step.train}, constants inlined`, sql: formatChain(chain, applied) });
            await this.materialise(name, chain.sql, { ...root.expansions, ...expansions(applied) });
            this.transforms.set(name, { pre: step.pre, post: applied });
            if (name === step.train && this.dataset(name).rows === 0) throw new DataError(`the training part \`${step.train}\` of the split is empty`);
          }
        } finally {
          if (ranked) await this.db.exec(`DROP TABLE IF EXISTS ${ident(splitTable)}`);
        }
        return { kind: "split", input: step.input, parts: step.parts.map((p) => ({ name: p.name, rows: this.dataset(p.name).rows })) };
      }
      case "train":
        return this.train(step, options, out);
      case "tune": {
        const { tuneStep } = await import("./tune.js");
        const result = await tuneStep(this, step, options);
        this.metricsOf.delete(step.model);
        if (options.store) out.artifacts.push(this.recordModel(step.model, options.store));
        return result;
      }
      case "register": {
        const { registry, store } = this.registryOf(options, "register");
        const state = this.models.get(step.model);
        if (!state) throw new DataError(`model \`${step.model}\` has not been trained in this session`);
        const artifact = this.recordModel(step.model, store);
        out.artifacts.push(artifact);
        const v = await registry.registry.register({ name: step.name, runId: registry.runId, model: step.model, algorithm: state.algorithm, task: state.task, artifact, metrics: this.metricsOf.get(step.model) ?? [] });
        return { kind: "registry", action: "register", name: step.name, version: v.version, model: step.model };
      }
      case "promote":
      case "rollback": {
        const { registry } = this.registryOf(options, step.op);
        const c = await registry.registry[step.op](step.name, step.version, registry.runId);
        return { kind: "registry", action: step.op, name: step.name, version: c.version, previous: c.previous };
      }
      case "pending":
        return { kind: "notice", message: `\`${step.statement_kind}\` is checked but not executed by this version of the runtime (deployment, serving, export, monitoring and retraining are not built yet)` };
      case "evaluate": {
        const values = await this.evaluate(step.model, step.data, step.metrics);
        for (const [metric, value] of Object.entries(values)) out.metrics.push({ model: step.model, data: step.data, metric, value });
        const known = (this.metricsOf.get(step.model) ?? []).filter((m) => m.data !== step.data || !(m.metric in values));
        this.metricsOf.set(step.model, [...known, ...Object.entries(values).map(([metric, value]) => ({ data: step.data, metric, value }))]);
        return { kind: "metrics", model: step.model, data: step.data, values };
      }
      case "assert": {
        const values = await this.evaluate(step.model, step.data, step.conditions.map((c) => c.metric));
        const checks = step.conditions.map((c) => ({ ...c, value: values[c.metric], passed: compare(values[c.metric], c.op, c.bound) }));
        return { kind: "assert", model: step.model, data: step.data, passed: checks.every((c) => c.passed), checks };
      }
      case "plot": {
        // Vega and resvg are heavy to load; only runs that plot pay for them.
        const { plotStep } = await import("./plot.js");
        const result = await plotStep(this, step);
        if (options.store) {
          const base = `${step.chart}-${step.target}${step.data ? `-${step.data}` : ""}`;
          const files: string[] = [];
          for (const [ext, kind, content] of [
            ["svg", "chart/svg", result.bundle["image/svg+xml"]],
            ["vl.json", "chart/vega-lite", JSON.stringify(result.bundle["application/vnd.vegalite.v5+json"], null, 2)],
            ...(result.bundle["image/png"] ? [["png", "chart/png", Buffer.from(result.bundle["image/png"], "base64")] as const] : []),
          ] as const) {
            const ref = options.store.putArtifact(`${base}.${ext}`, kind, ext, content);
            out.artifacts.push(ref);
            files.push(ref.path);
          }
          result.files = files;
        }
        return result;
      }
      case "show": {
        const ds = this.dataset(step.dataset);
        const rows = await this.db.rows(`SELECT * FROM ${ident(ds.table)} LIMIT ${Math.max(0, Math.floor(step.limit))}`);
        return { kind: "table", name: step.dataset, columns: ds.columns, rows };
      }
      case "describe": {
        const ds = this.dataset(step.dataset);
        const profile = await profileDataset(this.db, ds.table);
        return { kind: "describe", name: step.dataset, rows: ds.rows, columns: profile.columns as unknown as Record<string, unknown>[], charts: await renderProfileCharts(profile.specs) };
      }
    }
  }

  /** The metrics each model has been evaluated on since it was trained, which `register` records with it. */
  private readonly metricsOf = new Map<string, { data: string; metric: string; value: number }[]>();

  /** Fitted transforms of split parts, shipped with the models trained on them. */
  readonly transforms = new Map<string, { pre: unknown[]; post: AppliedStep[] }>();

  private async train(step: Extract<PlanStep, { op: "train" }>, options: ExecuteOptions, out: ExecuteOutput): Promise<StepResult> {
    const t0 = performance.now();
    const spec: TrainSpec = { model: step.model, algorithm: step.algorithm, task: step.task, target: step.target, features: step.features, input: step.input, seed: step.seed, params: step.params };
    const state = await this.fit(spec, options, step.id);
    const fitMs = performance.now() - t0;
    this.models.set(step.model, state);
    this.metricsOf.delete(step.model);
    let artifact: string | undefined;
    if (options.store) {
      const ref = this.recordModel(step.model, options.store);
      out.artifacts.push(ref);
      artifact = ref.path;
    }
    return { kind: "model", name: step.model, algorithm: step.algorithm, task: step.task, features: state.featureColumns, classes: state.classes, rows: state.rows, fitMs, backend: state.backend, artifact };
  }

  /** The registry of a recorded run, or a clear error for a run that is not recorded. */
  private registryOf(options: ExecuteOptions, statement: string) {
    if (!options.registry || !options.store) throw new DataError(`\`${statement}\` writes to the model registry, which needs a recorded run (this one was started with --no-record)`);
    return { registry: options.registry, store: options.store };
  }

  /** Stores a trained model as an artifact of the run (content-addressed, so a reused model is stored once). */
  private recordModel(model: string, store: NonNullable<ExecuteOptions["store"]>) {
    return store.putArtifact(`model-${model}.json`, "model", "json", JSON.stringify(modelArtifact(this.models.get(model)!)));
  }

  /**
   * Trains one model from a spec on its input dataset (validation part for early stopping when the
   * split has one) and returns its state without registering it: `train` and `tune` both use it.
   */
  async fit(spec: TrainSpec, options: ExecuteOptions, stepId: string): Promise<ModelState> {
    // Learners pull in TensorFlow.js: load them only when a model is trained, so `check` and data-only runs start fast.
    const { findLearner } = await import("./models/registry.js");
    const learner = findLearner(spec.algorithm);
    if (!learner) throw new DataError(`no learner is available for \`${spec.algorithm}\``);
    const ds = this.dataset(spec.input);
    const featureColumns = expandFeatures(spec.features, ds);
    const x = await readMatrix(this.db, ds, spec.input, featureColumns);
    if (x.n === 0) throw new DataError(`the training data \`${spec.input}\` is empty`);
    const { y, classes } = await readTarget(this.db, ds, spec.input, spec.target, spec.task);
    if (spec.task === "classification" && classes.length < 2) throw new DataError(`the target \`${spec.target}\` has only one class (${classes.join("")}) in \`${spec.input}\`; a classifier needs at least two`);
    const validationName = this.datasets.has("validation") && spec.input !== "validation" ? "validation" : undefined;
    let validation: { x: typeof x; y: Float32Array } | undefined;
    if (validationName && this.transforms.has(validationName) && this.transforms.get(validationName) === this.transforms.get(spec.input)) {
      const vds = this.dataset(validationName);
      const vy = await readTarget(this.db, vds, validationName, spec.target, spec.task, classes);
      const keep = spec.task === "classification" ? vy.y.every((v) => v >= 0) : true;
      if (keep && vds.rows > 0) validation = { x: await readMatrix(this.db, vds, validationName, featureColumns), y: vy.y };
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
    });
    // Each learner that uses TensorFlow.js starts it itself and names its backend; the others need none.
    const backend = model.backend;
    if (backend) this.backend = backend;
    return {
      name: spec.model,
      algorithm: spec.algorithm,
      task: spec.task,
      target: spec.target,
      features: spec.features,
      featureColumns,
      classes,
      model,
      transform: this.transforms.get(spec.input) ?? { pre: [], post: [] },
      trainedOn: spec.input,
      spec,
      params: spec.params,
      rows: x.n,
      backend,
    };
  }

  /** Predictions of a model on a dataset: true values, predicted values, class probabilities. */
  async predictions(modelName: string, data: string): Promise<{ yTrue: Float32Array; yPred: Float32Array; proba?: Float32Array; state: ModelState }> {
    const state = this.models.get(modelName);
    if (!state) throw new DataError(`model \`${modelName}\` has not been trained in this session`);
    const ds = this.dataset(data);
    const x = await readMatrix(this.db, ds, data, state.featureColumns);
    const { y } = await readTarget(this.db, ds, data, state.target, state.task, state.task === "classification" ? state.classes : undefined);
    const yPred = state.model.predict(x);
    const proba = state.task === "classification" ? state.model.predictProba?.(x) : undefined;
    return { yTrue: y, yPred, proba, state };
  }

  private async evaluate(model: string, data: string, metrics: string[]): Promise<Record<string, number>> {
    const state = this.models.get(model);
    if (!state) throw new DataError(`model \`${model}\` has not been trained in this session`);
    return this.score(state, data, metrics);
  }

  /** Metrics of a model state (registered or not) on a dataset. */
  async score(state: ModelState, data: string, metrics: string[]): Promise<Record<string, number>> {
    const ds = this.dataset(data);
    const x = await readMatrix(this.db, ds, data, state.featureColumns);
    const { y: yTrue } = await readTarget(this.db, ds, data, state.target, state.task, state.task === "classification" ? state.classes : undefined);
    if (yTrue.length === 0) throw new DataError(`\`${data}\` has no rows to evaluate \`${state.name}\` on`);
    const yPred = state.model.predict(x);
    const proba = state.task === "classification" ? state.model.predictProba?.(x) : undefined;
    return computeMetrics(metrics, { task: state.task, yTrue, yPred, proba, classes: state.classes });
  }

  /** The state of a dataset computed earlier in this session. */
  dataset(name: string): DatasetState {
    const ds = this.datasets.get(name);
    if (!ds) throw new DataError(`dataset \`${name}\` has not been computed in this session`);
    return ds;
  }

  /** Datasets kept as views (see `markViews` in plan.ts) → the table each reads. */
  private readonly views = new Map<string, string>();

  /**
   * Stores a dataset as a table, or as a view over `viewOf`. Before a table is replaced, views
   * reading it become tables, so a redefined source never changes a dataset computed from the old one.
   */
  private async materialise(name: string, sql: string, exp: Record<string, string[]>, file?: string, viewOf?: string, countSql?: string): Promise<void> {
    for (const [view, over] of [...this.views]) {
      if (over !== name && view !== name) continue;
      this.views.delete(view);
      if (view === name) await this.db.exec(`DROP VIEW IF EXISTS ${ident(view)}`);
      else {
        await this.db.exec(`CREATE OR REPLACE TABLE ${ident(`${view}__lathe_tmp`)} AS SELECT * FROM ${ident(view)}`);
        await this.db.exec(`DROP VIEW ${ident(view)}`);
        await this.db.exec(`ALTER TABLE ${ident(`${view}__lathe_tmp`)} RENAME TO ${ident(view)}`);
      }
    }
    // Views of this name were dropped above; a table of this name gives way to a view.
    if (viewOf) await this.db.exec(`DROP TABLE IF EXISTS ${ident(name)}`);
    try {
      await this.db.exec(viewOf ? `CREATE OR REPLACE VIEW ${ident(name)} AS ${sql}` : `CREATE OR REPLACE TABLE ${ident(name)} AS ${sql}`);
    } catch (e) {
      throw file ? readError(e, file) : e;
    }
    if (viewOf) this.views.set(name, viewOf);
    const cols = await this.db.describe(`SELECT * FROM ${ident(name)}`);
    const [{ n }] = await this.db.rows(`SELECT count(*) AS n FROM ${countSql ? `(${countSql})` : ident(name)}`);
    const columns = cols.map((c) => c.name);
    const kept = Object.fromEntries(Object.entries(exp).filter(([, v]) => v.every((c) => columns.includes(c))));
    this.datasets.set(name, { table: name, columns, rows: Number(n), expansions: kept });
  }

  private datasetResult(name: string): StepResult {
    const ds = this.dataset(name);
    return { kind: "dataset", name, rows: ds.rows, columns: ds.columns };
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}

function compare(v: number, op: string, bound: number): boolean {
  switch (op) {
    case "<":
      return v < bound;
    case "<=":
      return v <= bound;
    case ">":
      return v > bound;
    case ">=":
      return v >= bound;
    case "=":
      return v === bound;
    default:
      return v !== bound;
  }
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}

function abortError(): Error {
  const e = new Error("run interrupted");
  e.name = "AbortError";
  return e;
}

export { plain };

/**
 * What a step reads and defines, for reuse by key: datasets and models it defines (`outputs`), the
 * names it reads (`inputs`), and whether its key fixes its result. Undefined for steps that define
 * nothing (they always run). `tune` redefines its model but is never reused.
 */
function cacheIo(step: PlanStep): { inputs: string[]; outputs: string[]; cacheable: boolean } | undefined {
  switch (step.op) {
    case "load":
      return { inputs: [], outputs: [step.dataset], cacheable: step.spec.kind !== "sql" };
    case "prepare":
      return { inputs: [step.input], outputs: [step.dataset], cacheable: true };
    case "split":
      return { inputs: [step.root, step.input], outputs: step.parts.map((p) => p.name), cacheable: true };
    case "train":
      return { inputs: [step.input], outputs: [step.model], cacheable: true };
    case "tune":
      return { inputs: [], outputs: [step.model], cacheable: false };
    default:
      return undefined;
  }
}
