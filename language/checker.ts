import { assertNever } from "./assert-never.js";
import { nameText } from "./identifier.js";
import { outputFormatOf, outputFormats } from "./catalog.js";
import type * as A from "./ast.js";
import {
  algorithms,
  castType,
  castTypeNames,
  castTypes,
  charts,
  chartSpec,
  commonOptions,
  defaultMetrics,
  driftMethods,
  inRange,
  metricNames,
  metricSpec,
  rangeText,
  scheduleUnitNames,
  scheduleUnits,
  signals,
  sourceFormatOf,
  sourceFormats,
  sourceEngines,
  engineUrlProblem,
  engineSourceOptions,
  isEnvName,
  sourceOptionValue,
  sourceOptions,
  type OptionSpec,
  type Task,
} from "./catalog.js";
import { suggest, type Diagnostic, type Hint, type Severity, type Span } from "./diagnostic.js";
import { isFitted } from "./fitted.js";
import { dict, has, own } from "./lookup.js";
import { aliasProblem, modelAliases, movableAliasProblem, parseModelRef } from "./model-ref.js";
import { isIntegerType, type Column, type ColumnType, type Schema } from "./schema.js";

export { castType } from "./catalog.js";

/** A schema answer for one source: its columns, or why they could not be read. */
export type SourceSchema = { columns: Schema } | { error: string; code?: string };

export interface DatasetInfo {
  name: string;
  kind: "source" | "prepare" | "split";
  schema: Schema;
  /** True when the dataset's steps (or its inputs') learn statistics from data. */
  fitted: boolean;
  /** For split parts: the split statement's index. */
  statement: number;
  /** The engine its rows stay on (a `from clickhouse` source and what is prepared from it): readers push work there or bring the rows back. */
  engine?: string;
  /** The engine its rows came from (on it still, or the parts of its split and what is prepared from them): where `to table "T"` alone writes. */
  origin?: string;
}

export interface ModelInfo {
  name: string;
  algorithm: string;
  task: Task;
  /**
   * How the task was decided: given by `task:`, fixed by the algorithm, or inferred from the
   * target's type (`integer-target`: a number target whose values are whole numbers, which may be
   * class labels).
   */
  taskFrom?: "option" | "algorithm" | "target" | "integer-target";
  target: string;
  features: string[];
  input: string;
  statement: number;
}

/**
 * The checker's output: the AST plus what it resolved. Plain data, safe to hand to the runtime. Its
 * tables have no prototype, so a name like `constructor` or `__proto__` is an ordinary key.
 */
export interface CheckedProgram {
  program: A.Program;
  params: Record<string, A.LiteralValue>;
  datasets: Record<string, DatasetInfo>;
  models: Record<string, ModelInfo>;
}

export interface CheckResult {
  checked: CheckedProgram;
  diagnostics: Diagnostic[];
}

/** The names of the sources whose schemas `check` needs, so the caller can ask the runtime first. */
export function sourcesOf(program: A.Program): Extract<A.Statement, { kind: "source" }>[] {
  return program.statements.filter((s): s is Extract<A.Statement, { kind: "source" }> => s.kind === "source");
}

/**
 * Checks a program against source schemas: names, columns, types, tasks and metrics.
 * It keeps going past every error so one run reports all of them.
 */
export function check(program: A.Program, schemas: Record<string, SourceSchema>, params: Record<string, A.LiteralValue> = {}, prior?: Omit<CheckedProgram, "program">): CheckResult {
  return new Checker(schemas, params, prior).run(program);
}

class Checker {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly datasets = dict<DatasetInfo>();
  private readonly models = dict<ModelInfo>();
  private readonly params = dict<A.LiteralValue>();
  /** This program's model statements, for fix-it hints that point at them. */
  private readonly modelStatements = new Map<string, Extract<A.Statement, { kind: "model" }>>();
  /** Models whose integer target was taken for regression with nothing in the program saying otherwise yet. */
  private readonly quietIntegerTargets = new Set<string>();
  private readonly names = new Map<string, string>();
  /** Schemas that could not be read: their columns are not checked, so one bad source gives one error. */
  private readonly opaque = new WeakSet<Schema>();
  /** The engine the prepare being checked runs on, if its rows stay on one. */
  private onEngine: string | undefined;
  /** Names defined by earlier notebook cells: a later cell may redefine them. */
  private readonly inherited = new Set<string>();
  /** Registry names given by `register` in this program, with the model registered. */
  private readonly registered = new Map<string, ModelInfo | undefined>();
  /** Models with an `assert` so far: the gates a `promote` should come after. */
  private readonly asserted = new Set<string>();
  /** Aliases this program moves (`promote ... to ALIAS`), besides the built-in ones: a near miss of one is suspicious. */
  private readonly aliases = new Set<string>(Object.keys(modelAliases));

  constructor(
    private readonly schemas: Record<string, SourceSchema>,
    private readonly overrides: Record<string, A.LiteralValue>,
    prior?: Omit<CheckedProgram, "program">,
  ) {
    if (prior) {
      Object.assign(this.params, prior.params);
      Object.assign(this.datasets, prior.datasets);
      Object.assign(this.models, prior.models);
      for (const k of Object.keys(prior.params)) this.names.set(k, "param");
      for (const k of Object.keys(prior.datasets)) this.names.set(k, "dataset");
      for (const k of Object.keys(prior.models)) this.names.set(k, "model");
      for (const k of this.names.keys()) this.inherited.add(k);
    }
  }

  run(program: A.Program): CheckResult {
    program.statements.forEach((s, i) => this.statement(s, i));
    for (const name of this.quietIntegerTargets) {
      const m = this.models[name];
      const s = this.modelStatements.get(name);
      if (!m || !s) continue;
      this.diagnostics.push({
        code: "task-inferred",
        severity: "info",
        message: `\`${m.name}\` does regression: no \`task:\` is given, so its integer target \`${m.target}\` is taken as a number to predict; if its values are class labels, add \`task: classification\``,
        span: s.target.span,
        hints: [this.taskHint(s)],
      });
    }
    for (const k of Object.keys(this.overrides)) {
      if (!has(this.params, k) && !this.inherited.size) this.report("unknown-param", `--param ${k} does not match any \`param\` in the program`, program.span, "error", Object.keys(this.params));
    }
    return { checked: { program, params: this.params, datasets: this.datasets, models: this.models }, diagnostics: this.diagnostics.sort((a, b) => a.span.start - b.span.start) };
  }

  private statement(s: A.Statement, index: number): void {
    switch (s.kind) {
      case "param":
        if (this.define(s.name, "param")) this.params[s.name.text] = has(this.overrides, s.name.text) ? this.overrides[s.name.text] : s.value.value;
        return;
      case "source": {
        const answer = own(this.schemas, s.name.text);
        let schema: Schema = [];
        // A bad format or option also makes the runtime's read fail; the precise report is enough.
        const badOptions = s.source.kind === "file" ? this.sourceOptions(s.source) : s.source.kind === "table" && s.source.engine ? this.sourceEngine(s.source) : 0;
        if (s.source.kind === "table" && !s.source.engine && s.source.options?.length) this.report("unknown-option", "a table of a DuckDB file takes no options (`with { user_env, password_env }` is for an engine's table)", s.source.options[0].span);
        if (!answer) this.report("unknown-source", `no schema is known for source \`${s.name.text}\``, s.span);
        else if ("error" in answer) {
          if (!badOptions) this.report(answer.code ?? "source-error", answer.error, s.source.kind === "file" ? s.source.path.span : s.source.kind === "sql" ? s.source.query.span : s.source.kind === "table" ? s.source.database.span : s.span);
        } else schema = answer.columns;
        if (!answer || "error" in answer) this.opaque.add(schema);
        const engine = s.source.kind === "table" ? s.source.engine?.text : undefined;
        if (this.define(s.name, "dataset")) this.datasets[s.name.text] = { name: s.name.text, kind: "source", schema, fitted: false, statement: index, ...(engine ? { engine, origin: engine } : {}) };
        return;
      }
      case "prepare": {
        const input = this.dataset(s.input);
        let schema = input ? [...input.schema] : undefined;
        const opaque = !input || this.opaque.has(input.schema);
        if (opaque && schema) this.opaque.add(schema);
        let fitted = input?.fitted ?? false;
        // Its expressions compile for the engine its rows are on: what that engine refuses is reported here.
        this.onEngine = input?.engine;
        for (const step of s.steps) {
          // A distributed table has no input order, so no first row of a key to keep (runtime/sql/clickhouse-dialect.ts).
          if (input?.engine && step.kind === "drop-duplicates" && step.on.length) this.report("engine-unsupported", `\`drop duplicates on KEY\` cannot run on ${input.engine}: it keeps the first row of each key in input order, which a distributed table does not have`, step.span);
          if (isFitted(step)) fitted = true;
          if (schema) schema = this.step(step, schema);
          if (opaque && schema) this.opaque.add(schema);
        }
        this.onEngine = undefined;
        if (this.define(s.name, "dataset")) this.datasets[s.name.text] = { name: s.name.text, kind: "prepare", schema: schema ?? this.unknownSchema(), fitted, statement: index, ...(input?.engine ? { engine: input.engine } : {}), ...(input?.origin ? { origin: input.origin } : {}) };
        return;
      }
      case "split":
        return this.split(s, index);
      case "model":
        return this.model(s, index);
      case "evaluate":
      case "assert": {
        const model = this.model_(s.model);
        this.dataset(s.data);
        const names = s.kind === "evaluate" ? s.metrics : s.conditions.map((c) => c.metric);
        for (const m of names) this.metric(m, model);
        if (s.kind === "assert") {
          this.asserted.add(s.model.text);
          for (const c of s.conditions) {
            if (typeof c.bound.value !== "number") this.report("type-mismatch", `an assert bound must be a number, got ${JSON.stringify(c.bound.value)}`, c.bound.span);
          }
        }
        return;
      }
      case "plot":
        return this.plot(s);
      case "show":
      case "describe":
        if (!own(this.datasets, s.target.text) && own(this.models, s.target.text) && s.kind === "describe") return;
        this.dataset(s.target);
        return;
      case "tune":
        return this.tune(s);
      case "register": {
        const model = this.model_(s.model);
        if (this.registryName(s.as)) this.registered.set(s.as.value, model);
        return;
      }
      case "promote": {
        const model = this.registryRef(s.target);
        if (s.alias) this.movedAlias(s.alias.text, s.alias.span);
        if (model && !this.asserted.has(model.name)) {
          this.report("ungated-promote", `\`${s.target.name.value}\` is promoted with no \`assert\` on \`${model.name}\` before it; add a gate such as \`assert ${model.name} on test: ...\` so a worse model cannot become the ${s.alias?.text ?? "champion"}`, s.span, "warning");
        }
        return;
      }
      case "rollback": {
        // `rollback "name@alias"`: the alias is the one moved back, so a version beside it is fine.
        const parsed = parseModelRef(s.name.value);
        this.registryRef({ name: { ...s.name, value: parsed.name }, version: s.version, span: s.span });
        if (parsed.alias !== undefined) this.movedAlias(parsed.alias, s.name.span);
        return;
      }
      case "deploy": {
        const model = this.registryRef(s.target);
        const data = this.dataset(s.data);
        this.output(s.output, data);
        if (model && data && !this.opaque.has(data.schema)) {
          const have = new Set(data.schema.map((c) => c.name.toLowerCase()));
          const missing = model.features.filter((f) => !have.has(f.toLowerCase()));
          if (missing.length) this.report("missing-features", `\`${data.name}\` has no column${missing.length > 1 ? "s" : ""} ${missing.map((m) => `\`${m}\``).join(", ")} that \`${s.target.name.value}\` takes as features`, s.data.span, "warning");
        }
        return;
      }
      case "serve":
        this.registryRef(s.target);
        if (s.port !== undefined && (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535)) this.report("invalid-option", `a port is a whole number from 1 to 65535, got ${s.port}`, s.span);
        return;
      case "export":
        this.registryRef(s.target);
        this.path(s.path);
        if (s.form && s.form.text !== "container") this.report("invalid-option", `an export is for the edge (the default) or \`for container\`, got \`${s.form.text}\``, s.form.span, "error", ["container"], s.form.text);
        return;
      case "save":
        this.output(s.output, this.dataset(s.data));
        return;
      case "monitor":
        return this.monitor(s);
      case "retrain":
        return this.retrain(s);
      default:
        return assertNever(s, "statement");
    }
  }

  private plot(s: Extract<A.Statement, { kind: "plot" }>): void {
    const spec = chartSpec(s.chart.text);
    if (!spec) {
      this.report("unknown-chart", `unknown chart \`${s.chart.text}\``, s.chart.span, "error", Object.keys(charts));
      return;
    }
    if (spec.needs === "model") {
      const model = this.model_(s.target);
      if (s.data) this.dataset(s.data);
      else if (spec.needsData) this.report("missing-data", `\`plot ${s.chart.text}\` needs a split to plot on: \`plot ${s.chart.text} of ${s.target.text} on test\``, s.span);
      if (model && spec.task) this.taskFits(model, spec.task, "task-mismatch", `\`plot ${s.chart.text}\` needs ${spec.task === "classification" ? "a classifier" : "a regression model"}`, s.chart.span);
      return;
    }
    const ds = this.dataset(s.target);
    if (ds) for (const c of s.columns) this.column(c, ds.schema);
    const want = spec.columns ?? { min: 1, max: Infinity };
    const example = `\`plot ${s.chart.text} of ${s.target.text} columns ${["x", "y", "colour"].slice(0, Math.max(1, want.min)).join(", ")}\``;
    if (s.columns.length < want.min) this.report("missing-columns", `\`plot ${s.chart.text}\` needs ${want.min === want.max ? want.min : `at least ${want.min}`} column${want.min > 1 ? "s" : ""}: ${example}`, s.span);
    else if (s.columns.length > want.max) this.report("invalid-option", `\`plot ${s.chart.text}\` takes at most ${want.max} column${want.max > 1 ? "s" : ""}, got ${s.columns.length}: ${example}`, s.columns[want.max].span);
  }

  private tune(s: Extract<A.Statement, { kind: "tune" }>): void {
    const model = this.model_(s.model);
    const algo = model ? own(algorithms, model.algorithm) : undefined;
    const seen = new Set<string>();
    for (const o of s.space) {
      if (seen.has(o.key.text)) this.report("duplicate-option", `\`${o.key.text}\` is given twice`, o.key.span);
      seen.add(o.key.text);
      const spec = algo && own(algo.options, o.key.text);
      if (algo && !spec) {
        this.report("unknown-option", `\`${model!.algorithm}\` has no option \`${o.key.text}\` to tune`, o.key.span, "error", Object.keys(algo.options).filter((k) => !has(commonOptions, k)), o.key.text);
        continue;
      }
      if (has(commonOptions, o.key.text)) {
        this.report("invalid-option", `\`${o.key.text}\` cannot be tuned; tune the algorithm's options`, o.key.span);
        continue;
      }
      const list = o.values.length === 1 && o.values[0].kind === "list" ? o.values[0] : undefined;
      if (!list || !list.items.length) {
        this.report("invalid-option", `\`${o.key.text}\` takes a list of candidate values, like \`${o.key.text}: [${spec?.type === "boolean" ? "true, false" : "1, 2, 3"}]\``, o.span);
        continue;
      }
      if (spec) for (const item of list.items) this.optionValue(o.key.text, spec, [item]);
    }
    if (!s.space.length) this.report("invalid-option", "`tune` needs at least one option to search over", s.span);
    this.metric(s.metric, model);
    const data = this.dataset(s.data);
    if (model && data && data.name === model.input) this.report("tune-on-training-data", `\`${model.name}\` is tuned on \`${data.name}\`, the data it trains on, which rewards overfitting; tune on a held-out split such as \`validation\``, s.data.span, "warning");
    if (s.trials !== undefined && (!Number.isInteger(s.trials) || s.trials < 1)) this.report("invalid-option", `trials is a whole number of at least 1, got ${s.trials}`, s.span);
  }

  private monitor(s: Extract<A.Statement, { kind: "monitor" }>): void {
    const model = this.registryRef(s.target);
    if (!s.rules.length) this.report("invalid-option", "`monitor` needs at least one rule: `drift on ...` or a threshold such as `latency p99 < 20 ms`", s.span);
    for (const r of s.rules) {
      if (r.kind === "threshold") {
        this.threshold(r.threshold, model);
        continue;
      }
      if (r.method && !has(driftMethods, r.method.text)) this.report("invalid-option", `unknown drift method \`${r.method.text}\``, r.method.span, "error", Object.keys(driftMethods));
      if (!model) continue;
      // Drift is measured on what the model is sent: its features and the columns they are prepared from.
      const input = own(this.datasets, model.input);
      const known: Schema = [...(input?.schema ?? []), ...model.features.filter((f) => !input?.schema.some((c) => c.name === f)).map((f) => ({ name: f, type: "other" as const }))];
      for (const c of r.columns) if (known.length) this.column(c, known);
    }
  }

  private retrain(s: Extract<A.Statement, { kind: "retrain" }>): void {
    const model = this.registryRef(s.target);
    let schedules = 0;
    for (const t of s.triggers) {
      if (t.kind === "condition") {
        this.threshold(t.threshold, model);
        continue;
      }
      if (++schedules > 1) this.report("duplicate-option", "a model has one retraining schedule; join conditions with `or when ...`", t.span);
      if (!has(scheduleUnits, t.unit.text)) this.report("invalid-option", `unknown schedule unit \`${t.unit.text}\``, t.unit.span, "error", scheduleUnitNames);
      if (!Number.isInteger(t.count) || t.count < 1) this.report("invalid-option", `a schedule counts whole units, got ${t.count}`, t.span);
    }
  }

  /** A monitored signal (`latency p99`, `error_rate`, `drift`) or a model metric, with a bound in fitting units. */
  private threshold(t: A.Threshold, model: ModelInfo | undefined): void {
    const signal = own(signals, t.signal.text);
    const metric = metricSpec(t.signal.text);
    if (!signal && !metric) {
      this.report("unknown-metric", `unknown signal or metric \`${t.signal.text}\``, t.signal.span, "error", [...Object.keys(signals), ...metricNames(model?.task)]);
      return;
    }
    if (metric && model) this.metric(t.signal, model);
    if (t.qualifier) {
      if (!signal?.qualifiers) this.report("invalid-option", `\`${t.signal.text}\` takes no qualifier like \`${t.qualifier.text}\``, t.qualifier.span);
      else if (!signal.qualifiers.includes(t.qualifier.text)) this.report("invalid-option", `unknown ${t.signal.text} qualifier \`${t.qualifier.text}\``, t.qualifier.span, "error", signal.qualifiers);
    }
    // Error metrics (rmse, log_loss) and r2 are not bounded by 0..1; the scores that are read as shares.
    const unit = signal?.unit ?? (metric?.task === "classification" && t.signal.text !== "log_loss" ? "share" : "score");
    const b = t.bound;
    const memory = b.unit === "KB" || b.unit === "MB" || b.unit === "GB";
    if (unit === "time" && b.unit !== "ms" && b.unit !== "s") this.report("unit-mismatch", `\`${t.signal.text}\` is a time: write the bound with a unit, like \`${b.value} ms\``, b.span);
    if (unit !== "time" && (b.unit === "ms" || b.unit === "s")) this.report("unit-mismatch", `\`${t.signal.text}\` is not a time, so \`${b.unit}\` does not fit`, b.span);
    if (unit === "bytes" && !memory) this.report("unit-mismatch", `\`${t.signal.text}\` is an amount of memory: write the bound with a unit, like \`${b.value} MB\``, b.span);
    if (unit !== "bytes" && unit !== "time" && memory) this.report("unit-mismatch", `\`${t.signal.text}\` is not an amount of memory, so \`${b.unit}\` does not fit`, b.span);
    if (unit === "share" && !b.unit && (b.value < 0 || b.value > 1)) this.report("unit-mismatch", `\`${t.signal.text}\` is a share between 0 and 1; did you mean \`${b.value}%\`?`, b.span);
    if (unit === "share" && b.unit === "%" && (b.value < 0 || b.value > 100)) this.report("unit-mismatch", `a percentage is between 0% and 100%, got ${b.value}%`, b.span);
  }

  /** Checks a registry name; the model registered under it in this program, when there is one. */
  private registryRef(ref: A.RegistryRef): ModelInfo | undefined {
    const parsed = parseModelRef(ref.name.value, ref.version);
    if (!this.registryName({ ...ref.name, value: parsed.name })) return undefined;
    const alias = aliasProblem(parsed);
    if (alias) this.report("invalid-alias", alias, ref.span, "error", [...this.aliases], parsed.alias);
    else if (parsed.alias !== undefined) this.knownAlias(parsed.alias, ref.name.span);
    if (ref.version !== undefined && (!Number.isInteger(ref.version) || ref.version < 1)) this.report("invalid-option", `a version is a whole number from 1, got ${ref.version}`, ref.span);
    const name = parsed.name;
    if (this.registered.has(name)) return this.registered.get(name);
    // A name this program never registers may well be in the registry; only a near miss of one it does register is suspicious.
    const near = suggest(name, this.registered.keys());
    if (near.length) this.report("unregistered-name", `\`${name}\` is not registered in this program (it may exist in the registry)`, ref.name.span, "warning", near);
    return undefined;
  }

  /** An alias `promote ... to` or `rollback` moves: a word, and not `latest` (which always names the last version). */
  private movedAlias(alias: string, span: Span): void {
    const problem = movableAliasProblem(alias);
    if (problem) this.report("invalid-alias", problem, span, "error", alias === "latest" ? [] : [...this.aliases], alias);
    else this.aliases.add(alias);
  }

  /** Aliases other than the built-in ones are set at run time, so only a near miss of a known one is suspicious. */
  private knownAlias(alias: string, span: Span): void {
    if (this.aliases.has(alias)) return;
    const near = suggest(alias, this.aliases);
    if (near.length) this.report("unknown-alias", `\`@${alias}\` is neither a built-in alias nor one this program promotes to (it may exist in the registry)`, span, "warning", near);
  }

  /** Registry names become folder names and URLs: letters, digits, `-`, `_` and `.`. */
  private registryName(n: A.Literal & { value: string }): boolean {
    if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(n.value)) return true;
    this.report("invalid-name", `registry name ${JSON.stringify(n.value)} may hold only letters, digits, \`-\`, \`_\` and \`.\` (at most 64, starting with a letter or digit)`, n.span);
    return false;
  }

  /** A file whose extension names a format rows can be written in, or a table of a database file. */
  /** Checks where rows are written; `data`: the dataset written (an engine table named alone goes to its engine). */
  private output(o: A.OutputTarget, data?: DatasetInfo): void {
    if (o.kind === "engine-table") {
      if (!o.table.value.trim()) this.report("invalid-option", "the table name is empty", o.table.span);
      if (o.engine && o.url) {
        if (!sourceEngines.includes(o.engine.text)) this.report("unknown-engine", `unknown engine \`${o.engine.text}\`; rows are written to a DuckDB file ("x.duckdb") or to ${sourceEngines.join(", ")}`, o.engine.span, "error", sourceEngines);
        const problem = engineUrlProblem(o.url.value);
        if (problem) this.report(problem.code, problem.message, o.url.span);
      } else if (data && !data.origin) {
        this.report("missing-engine", `\`table ${JSON.stringify(o.table.value)}\` alone names a table on the engine \`${data.name}\`'s rows come from, and they come from none: write \`table ${JSON.stringify(o.table.value)} in "file.duckdb"\` or \`in clickhouse "http://HOST:PORT/DATABASE"\``, o.span);
      }
      return;
    }
    if (o.kind === "table") {
      if (!o.table.value.trim()) this.report("invalid-option", "the table name is empty", o.table.span);
      this.path(o.database);
      return;
    }
    this.path(o.path);
    const format = outputFormatOf(o.path.value);
    if (o.path.value.trim() && !format) this.report("unknown-format", `cannot tell the format to write from \`${o.path.value}\`: end it in ${outputFormats.map((f) => `.${f}`).join(", ")}, or write to \`table "name" in "file.duckdb"\``, o.path.span);
  }

  private path(p: A.Literal & { value: string }): void {
    if (!p.value.trim()) this.report("invalid-option", "the path is empty", p.span);
  }

  /** Checks one option's values against its spec: types, whole numbers, choices, ranges (reported at `at`, default the values). */
  private optionValue(key: string, spec: OptionSpec, values: A.OptionValue[], at?: Span): void {
    const plain = (v: A.OptionValue): unknown => {
      if (v.kind === "literal") return v.percent && typeof v.value === "number" ? v.value / 100 : v.value;
      if (v.kind === "name") return has(this.params, v.name.text) ? this.params[v.name.text] : v.name.text;
      return v.items.map(plain);
    };
    const span = values.length ? { ...values[0].span, end: values[values.length - 1].span.end, endLine: values[values.length - 1].span.endLine, endColumn: values[values.length - 1].span.endColumn } : undefined;
    if (!span) return;
    const value = values.length === 1 ? plain(values[0]) : values.map(plain);
    const bad = (want: string) => this.report("type-mismatch", `\`${key}\` takes ${want}, got ${JSON.stringify(value)}`, span);
    const range = spec.range;
    const outOfRange = (v: number, whole: boolean) => {
      if (!range || inRange(v, range)) return false;
      this.report("invalid-option", `\`${key}\` must be ${whole ? "a whole number " : ""}${rangeText(range)}, got ${v}`, at ?? span);
      return true;
    };
    switch (spec.type) {
      case "number":
        if (typeof value !== "number") bad("a number");
        else outOfRange(value, false);
        return;
      case "integer":
        if (typeof value !== "number" || !Number.isInteger(value)) bad("a whole number");
        else outOfRange(value, true);
        return;
      case "boolean":
        if (typeof value !== "boolean") bad("true or false");
        return;
      case "string":
        if (typeof value === "string" && spec.choices && !spec.choices.includes(value)) {
          const also = range ? ` or a number ${rangeText(range)}` : "";
          this.report("invalid-option", `\`${key}\` is one of ${spec.choices.join(", ")}${also}, got \`${value}\``, at ?? span, "error", spec.choices, value);
        } else if (typeof value === "number") {
          if (range) outOfRange(value, false);
          else if (spec.choices) this.report("invalid-option", `\`${key}\` is one of ${spec.choices.join(", ")}, got ${value}`, at ?? span);
        } else if (typeof value === "boolean") {
          // A choice of `true` / `false` (beside words like `auto`) is written as the boolean.
          if (!spec.choices?.includes(String(value))) bad("a name or a number");
        } else if (typeof value !== "string") bad("a name or a number");
        return;
      case "integer-list": {
        const items = Array.isArray(value) ? value : [value];
        if (!items.length || !items.every((x) => typeof x === "number" && Number.isInteger(x))) bad("a list of whole numbers, like [64, 32]");
        else for (const x of items as number[]) if (outOfRange(x, true)) break;
        return;
      }
      case "dataset": {
        const v = values.length === 1 ? values[0] : undefined;
        if (v?.kind === "name") this.dataset(v.name);
        else bad("the name of a dataset, like `validation`");
        return;
      }
      case "columns":
        return;
      default:
        return assertNever(spec.type, "option type");
    }
  }

  private split(s: Extract<A.Statement, { kind: "split" }>, index: number): void {
    const input = this.dataset(s.input);
    // The portable split hashes every column of its input's rows (runtime/sql/dialect.ts).
    const unhashable = input?.engine ? input.schema.filter((c) => c.unhashable) : [];
    if (unhashable.length) this.report("engine-unsupported", `a split on ${input!.engine} hashes every column, and ${unhashable.map((c) => `\`${c.name}\` (${c.unhashable})`).join(", ")} ${unhashable.length > 1 ? "have" : "has"} no portable text: drop ${unhashable.length > 1 ? "them" : "it"} before the split (\`drop columns ${unhashable.map((c) => c.name).join(", ")}\`)`, s.input.span);
    if (s.column) this.splitByColumn(s, s.column, input);
    else {
      const unsized = s.parts.filter((p) => p.percent === undefined);
      for (const p of unsized) this.report("split-total", `split part \`${p.name.text}\` needs a percentage, like \`${p.name.text} 20%\` (or split \`by column C\` to take the parts from a column's values)`, p.span);
      const total = s.parts.reduce((a, p) => a + (p.percent ?? 0), 0);
      if (!unsized.length && Math.abs(total - 100) > 1e-9) this.report("split-total", `split parts add up to ${total}%, not 100%`, s.span);
      for (const p of s.parts) if (p.percent !== undefined && p.percent <= 0) this.report("split-total", `split part \`${p.name.text}\` must be more than 0%`, p.span);
    }
    if (s.stratify && input) this.column(s.stratify, input.schema);
    if (s.time && input) {
      const c = this.column(s.time, input.schema);
      if (c && !["date", "timestamp", "number"].includes(c.type)) this.report("type-mismatch", `\`by time on ${c.name}\` needs a date, timestamp or number column; \`${c.name}\` is ${c.type}`, s.time.span);
    }
    if (s.stratify && s.time) this.report("split-conflict", "a split is either stratified or by time, not both", s.span);
    if (s.hash && !["portable", "native"].includes(s.hash.text)) this.report("unknown-hash", `unknown split hash \`${s.hash.text}\`: \`hash portable\` (the same parts on every engine, the default) or \`hash native\` (DuckDB's own)`, s.hash.span, "error", ["portable", "native"]);
    else if (s.hash?.text === "native" && input?.engine) this.report("engine-unsupported", `\`hash native\` is DuckDB's own hash; a split on ${input.engine} uses the portable hash`, s.hash.span);
    if (s.hash && s.column) this.report("split-conflict", `a split by column takes its parts from the values of \`${s.column.text}\`: nothing is hashed`, s.hash.span);
    if (s.seed?.kind === "name") this.param(s.seed.name, "number");
    else if (s.seed && typeof s.seed.value !== "number") this.report("type-mismatch", "a seed must be a number", s.seed.span);
    for (const p of s.parts) {
      if (this.define(p.name, "dataset")) this.datasets[p.name.text] = { name: p.name.text, kind: "split", schema: input?.schema ?? this.unknownSchema(), fitted: false, statement: index, ...(input?.origin ? { origin: input.origin } : {}) };
    }
  }

  /** `split d into a, b by column part`: each row goes to the part its `part` value names, so nothing is drawn or sized. */
  private splitByColumn(s: Extract<A.Statement, { kind: "split" }>, column: A.Name, input: DatasetInfo | undefined): void {
    const by = `a split by column takes its parts from the values of \`${column.text}\``;
    for (const p of s.parts) if (p.percent !== undefined) this.report("split-conflict", `${by}: write \`${p.name.text}\` without a percentage`, p.span);
    if (s.stratify) this.report("split-conflict", `${by}, so it cannot be stratified`, s.stratify.span);
    if (s.time) this.report("split-conflict", `${by}, so it cannot also be by time`, s.time.span);
    if (s.seed) this.report("split-conflict", `${by}: nothing is drawn at random, so it takes no seed`, s.seed.span);
    const c = input && this.column(column, input.schema);
    if (c && c.type !== "string" && c.type !== "other") this.report("type-mismatch", `\`by column ${c.name}\` needs a text column whose values name the parts (${s.parts.map((p) => `'${p.name.text}'`).join(", ")}); \`${c.name}\` is ${c.type}`, column.span);
  }

  private model(s: Extract<A.Statement, { kind: "model" }>, index: number): void {
    const algo = own(algorithms, s.algorithm.text);
    if (!algo) this.report("unknown-algorithm", `unknown algorithm \`${s.algorithm.text}\``, s.algorithm.span, "error", Object.keys(algorithms));
    const input = this.dataset(s.input);
    const schema = input?.schema;
    const target = schema ? this.column(s.target, schema) : undefined;
    let features: string[] = [];
    let task: Task | undefined;
    const seen = new Set<string>();
    for (const o of s.options) {
      if (seen.has(o.key.text)) this.report("duplicate-option", `\`${o.key.text}\` is given twice`, o.key.span);
      seen.add(o.key.text);
      const spec = algo && own(algo.options, o.key.text);
      if (algo && !spec) {
        this.report("unknown-option", `\`${s.algorithm.text}\` has no option \`${o.key.text}\``, o.key.span, "error", Object.keys(algo.options), o.key.text);
        continue;
      }
      if (spec && o.key.text !== "task") this.optionValue(o.key.text, spec, o.values, o.span);
      if (o.key.text === "features" && schema) {
        for (const v of o.values) {
          const name = v.kind === "name" ? v.name : v.kind === "literal" && typeof v.value === "string" ? { text: v.value, span: v.span, quoted: true } : undefined;
          if (!name) {
            this.report("type-mismatch", "features are column names", v.span);
            continue;
          }
          const c = this.column(name, schema);
          if (!c) continue;
          if (c.name === target?.name) this.report("target-in-features", `the target \`${c.name}\` is also listed as a feature`, name.span);
          else if (c.type === "string" || c.type === "date" || c.type === "timestamp" || c.type === "other") this.report("type-mismatch", `feature \`${c.name}\` is ${c.type}; models take numbers — add \`onehot ${quoteName(c.name)}\` (or cast it) in a prepare step`, name.span);
          else features.push(c.name);
          if (target && c.dependsOn?.includes(target.name)) this.report("target-leakage", `feature \`${c.name}\` is derived from the target \`${target.name}\``, name.span, "warning");
        }
      }
      if (o.key.text === "task") {
        const v = o.values[0];
        const t = v?.kind === "name" ? v.name.text : v?.kind === "literal" ? String(v.value) : "";
        if (t === "classification" || t === "regression") task = t;
        else this.report("invalid-option", "task is classification or regression", o.span);
      }
    }
    if (!s.options.some((o) => o.key.text === "features") && schema) {
      features = schema.filter((c) => c.name !== target?.name && (c.type === "number" || c.type === "boolean" || c.type === "onehot")).map((c) => c.name);
    }
    let taskFrom: ModelInfo["taskFrom"];
    if (algo && target) {
      if (task) {
        taskFrom = "option";
        if (!algo.tasks.includes(task)) this.report("task-mismatch", `\`${s.algorithm.text}\` does not do ${task}`, s.algorithm.span);
      } else if (algo.tasks.length === 1) {
        task = algo.tasks[0];
        taskFrom = "algorithm";
        // A number target read as class labels: right for 0/1/2, surprising for prices; say which it is.
        if (task === "classification" && target.type === "number") this.report("task-inferred", `\`${s.name.text}\` does classification (\`${s.algorithm.text}\` only classifies), so each value of its number target \`${target.name}\` is a class`, s.target.span, "info");
      } else if (target.type === "number") {
        task = "regression";
        taskFrom = target.sqlType && isIntegerType(target.sqlType) ? "integer-target" : "target";
      } else {
        task = "classification";
        taskFrom = "target";
      }
      if (task === "regression" && target.type !== "number") this.report("type-mismatch", `\`${s.algorithm.text}\` predicts a number, but the target \`${target.name}\` is ${target.type}`, s.target.span);
    }
    // An option whose choices depend on the task (a tree's criterion) is checked once the task is known.
    for (const o of s.options) {
      const spec = algo && own(algo.options, o.key.text);
      const allowed = task && spec?.taskChoices?.[task];
      const v = o.values.length === 1 && o.values[0].kind !== "list" ? (o.values[0].kind === "literal" ? o.values[0].value : o.values[0].name.text) : undefined;
      if (allowed && typeof v === "string" && spec.choices?.includes(v) && !allowed.includes(v)) this.report("invalid-option", `\`${o.key.text}: ${v}\` is for ${task === "classification" ? "regression" : "classification"}; \`${s.name.text}\` does ${task}, which takes ${allowed.join(", ")}`, o.span);
    }
    if (input && input.kind !== "split" && input.fitted) {
      this.report("fitted-before-split", `\`${input.name}\` learns statistics (fill, scale, onehot, bucket) from all of its rows; train on a split part so they are learned on training rows only`, s.input.span, "warning");
    }
    if (this.define(s.name, "model")) {
      this.models[s.name.text] = { name: s.name.text, algorithm: s.algorithm.text, task: task ?? "classification", taskFrom, target: target?.name ?? s.target.text, features, input: s.input.text, statement: index };
      this.modelStatements.set(s.name.text, s);
      if (taskFrom === "integer-target") this.quietIntegerTargets.add(s.name.text);
    }
  }

  private step(step: A.PrepareStep, schema: Schema): Schema {
    const find = (n: A.Name) => this.column(n, schema);
    const requireType = (n: A.Name, types: ColumnType[], what: string) => {
      const c = find(n);
      if (c && !types.includes(c.type)) this.report("type-mismatch", `${what} needs ${types.join(" or ")} column, and \`${c.name}\` is ${c.type}`, n.span);
      return c;
    };
    switch (step.kind) {
      case "drop-rows":
      case "keep-rows":
        this.expr(step.where, schema);
        return schema;
      case "drop-duplicates":
        step.on.forEach(find);
        return schema;
      case "drop-columns": {
        const drop = new Set(step.columns.map(find).filter(Boolean).map((c) => c!.name));
        return schema.filter((c) => !drop.has(c.name));
      }
      case "keep-columns":
        return step.columns.map(find).filter((c): c is Column => !!c);
      case "fill":
        for (const n of step.columns) {
          if (step.strategy === "median" || step.strategy === "mean") requireType(n, ["number"], `fill with ${step.strategy}`);
          else find(n);
        }
        return schema;
      case "onehot": {
        const cols = new Set(step.columns.map(find).filter(Boolean).map((c) => c!.name));
        return schema.map((c) => (cols.has(c.name) ? { ...c, type: "onehot" as const, sqlType: undefined } : c));
      }
      case "replace":
        find(step.column);
        return schema;
      case "clip":
        step.columns.forEach((n) => requireType(n, ["number"], "clip"));
        return schema;
      case "derive": {
        const deps = new Set<string>();
        const type = this.expr(step.expr, schema, deps);
        return [...schema.filter((c) => c.name !== step.name.text), { name: step.name.text, type, dependsOn: [...deps] }];
      }
      case "cast": {
        const type = castType(step.type.text);
        if (!type) this.report("unknown-type", `unknown type \`${step.type.text}\``, step.type.span, "error", [...castTypeNames, ...Object.keys(castTypes)]);
        const cols = new Set(step.columns.map(find).filter(Boolean).map((c) => c!.name));
        return schema.map((c) => (cols.has(c.name) && type ? { ...c, type: type.type, sqlType: type.sql } : c));
      }
      case "text":
        step.columns.forEach((n) => requireType(n, ["string"], step.op));
        return schema;
      case "scale":
        step.columns.forEach((n) => requireType(n, ["number"], `scale ${step.method}`));
        return schema;
      case "bucket":
        requireType(step.column, ["number"], "bucket");
        if (!Number.isInteger(step.count) || step.count < 2) this.report("invalid-option", "bucket needs a whole number of buckets, at least 2", step.span);
        return schema;
      case "rename": {
        const c = find(step.from);
        return c ? schema.map((x) => (x.name === c.name ? { ...x, name: step.to.text } : x)) : schema;
      }
      default:
        return assertNever(step, "prepare step");
    }
  }

  /** Checks an expression's columns and infers its type. */
  private expr(e: A.Expr, schema: Schema, deps = new Set<string>()): ColumnType {
    switch (e.kind) {
      case "literal":
        return typeof e.value === "number" ? "number" : typeof e.value === "boolean" ? "boolean" : e.value === null ? "other" : "string";
      case "column": {
        const c = this.column(e.name, schema);
        if (c) {
          deps.add(c.name);
          c.dependsOn?.forEach((d) => deps.add(d));
        }
        return c?.type ?? "other";
      }
      case "unary":
        this.expr(e.operand, schema, deps);
        return e.op === "not" ? "boolean" : "number";
      case "binary": {
        const l = this.expr(e.left, schema, deps);
        const r = this.expr(e.right, schema, deps);
        if (["+", "-", "*", "/", "%"].includes(e.op)) {
          for (const [t, side] of [[l, e.left], [r, e.right]] as const) {
            if (t === "string" || t === "boolean") this.report("type-mismatch", `\`${e.op}\` needs numbers, and this is ${t}`, side.span);
          }
          return "number";
        }
        return "boolean";
      }
      case "is-missing":
      case "between":
      case "in":
        this.expr(e.operand, schema, deps);
        if (e.kind === "between") [e.low, e.high].forEach((x) => this.expr(x, schema, deps));
        if (e.kind === "in") e.items.forEach((x) => this.expr(x, schema, deps));
        return "boolean";
      case "call": {
        e.args.forEach((a) => this.expr(a, schema, deps));
        const f = e.fn.text.toLowerCase();
        if (!has(functions, f)) this.report("unknown-function", `unknown function \`${e.fn.text}\``, e.fn.span, "error", Object.keys(functions));
        // ClickHouse rounds decimal digits otherwise than DuckDB (runtime/sql/clickhouse-dialect.ts).
        if (this.onEngine && f === "round" && e.args.length !== 1) this.report("engine-unsupported", `\`round\` with a number of digits cannot run on ${this.onEngine}: its rounding of decimal digits differs from DuckDB's; round to a whole number (\`round(x * 100) / 100\`)`, e.span);
        return own(functions, f) ?? "other";
      }
      default:
        return assertNever(e, "expression");
    }
  }

  private unknownSchema(): Schema {
    const s: Schema = [];
    this.opaque.add(s);
    return s;
  }

  private column(n: A.Name, schema: Schema): Column | undefined {
    const c = schema.find((x) => x.name === n.text) ?? schema.find((x) => x.name.toLowerCase() === n.text.toLowerCase());
    if (!c && this.opaque.has(schema)) return undefined;
    if (!c) {
      this.report("unknown-column", `unknown column \`${n.text}\``, n.span, "error", schema.map((x) => x.name));
      return undefined;
    }
    return c;
  }

  /** A dataset by name. One whose rows stay on an engine is read there or brought back by the runtime (docs/scale-out.md). */
  private dataset(n: A.Name): DatasetInfo | undefined {
    const d = own(this.datasets, n.text);
    if (!d) {
      const kind = this.names.get(n.text);
      if (kind) this.report("wrong-kind", `\`${n.text}\` is a ${kind}, not a dataset`, n.span);
      else this.report("unknown-dataset", `unknown dataset \`${n.text}\` (datasets are defined by source, prepare and split before use)`, n.span, "error", Object.keys(this.datasets));
    }
    return d;
  }

  private model_(n: A.Name): ModelInfo | undefined {
    const m = own(this.models, n.text);
    if (!m) {
      const kind = this.names.get(n.text);
      if (kind) this.report("wrong-kind", `\`${n.text}\` is a ${kind}, not a model`, n.span);
      else this.report("unknown-model", `unknown model \`${n.text}\``, n.span, "error", Object.keys(this.models));
    }
    return m;
  }

  private param(n: A.Name, type: "number"): void {
    if (!has(this.params, n.text)) this.report("unknown-param", `unknown param \`${n.text}\``, n.span, "error", Object.keys(this.params));
    else if (typeof this.params[n.text] !== type) this.report("type-mismatch", `param \`${n.text}\` must be a ${type}`, n.span);
  }

  private metric(n: A.Name, model: ModelInfo | undefined): void {
    const m = metricSpec(n.text);
    if (!m) this.report("unknown-metric", `unknown metric \`${n.text}\``, n.span, "error", metricNames(model?.task));
    else if (model) this.taskFits(model, m.task, "metric-task-mismatch", `\`${n.text}\` is a ${m.task} metric`, n.span, `; try ${defaultMetrics[model.task].join(", ")}`);
  }

  /**
   * Reports a metric or chart of one task used on a model of the other, saying how the model's task
   * was decided. An integer target taken for regression gets its own code and a fix-it at the
   * model: 0/1/2 labels are the common case, and nothing else in the message would say why.
   */
  private taskFits(model: ModelInfo, want: Task, code: string, what: string, span: Span, tail = ""): void {
    if (model.task === want) return;
    const statement = this.modelStatements.get(model.name);
    if (want === "classification" && model.taskFrom === "integer-target") {
      this.quietIntegerTargets.delete(model.name);
      this.diagnostics.push({
        code: "inferred-regression",
        severity: "error",
        message: `${what}, and \`${model.name}\` does regression: no \`task:\` is given, so its integer target \`${model.target}\` was taken as a number to predict; if its values are class labels, add \`task: classification\` to \`${model.name}\``,
        span,
        hints: statement ? [this.taskHint(statement)] : undefined,
      });
      return;
    }
    const why = {
      option: `set by \`task: ${model.task}\``,
      algorithm: `\`${model.algorithm}\` only does ${model.task}`,
      target: model.task === "regression" ? `inferred from its number target \`${model.target}\`` : `inferred from its target \`${model.target}\`, which is not a number`,
      "integer-target": `inferred from its integer target \`${model.target}\``,
    }[model.taskFrom ?? "option"];
    this.report(code, `${what}, and \`${model.name}\` does ${model.task}${model.taskFrom ? ` (${why})` : ""}${tail}`, span);
  }

  /** A fix-it at a model statement: add `task: classification` to its options. */
  private taskHint(s: Extract<A.Statement, { kind: "model" }>): Hint {
    const first = s.options[0];
    const at: Span = first
      ? { start: first.span.start, end: first.span.start, line: first.span.line, column: first.span.column, endLine: first.span.line, endColumn: first.span.column }
      : { start: s.span.end, end: s.span.end, line: s.span.endLine, column: s.span.endColumn, endLine: s.span.endLine, endColumn: s.span.endColumn };
    return { message: `add \`task: classification\` to \`${s.name.text}\``, span: s.span, edit: { span: at, text: first ? "task: classification; " : " { task: classification }" } };
  }

  private define(n: A.Name, kind: string): boolean {
    const prior = this.names.get(n.text);
    if (prior && this.inherited.has(n.text)) {
      this.inherited.delete(n.text);
      delete this.datasets[n.text];
      delete this.models[n.text];
      delete this.params[n.text];
    } else if (prior) {
      this.report("duplicate-name", `\`${n.text}\` is already defined as a ${prior}`, n.span);
      return false;
    }
    this.names.set(n.text, kind);
    return true;
  }

  /** Adds a diagnostic; with candidates, suggests the ones close to `word` (default: the message's first `quoted` word). */
  /** Checks an engine source's engine name and URL (no credentials in it); returns how many errors it reported. */
  private sourceEngine(src: Extract<A.SourceSpec, { kind: "table" }>): number {
    const before = this.diagnostics.length;
    if (src.engine && !sourceEngines.includes(src.engine.text)) this.report("unknown-engine", `unknown engine \`${src.engine.text}\`; a table is read from a DuckDB file ("x.duckdb") or from ${sourceEngines.join(", ")}`, src.engine.span, "error", sourceEngines);
    const problem = engineUrlProblem(src.database.value);
    if (problem) this.report(problem.code, problem.message, src.database.span);
    const seen = new Set<string>();
    for (const o of src.options ?? []) {
      const key = o.key.text;
      if (seen.has(key)) this.report("duplicate-option", `\`${key}\` is given twice`, o.key.span);
      seen.add(key);
      if (!own(engineSourceOptions, key)) {
        this.report("unknown-option", `an engine source has no option \`${key}\`; it takes ${Object.keys(engineSourceOptions).join(", ")} (the names of the environment variables holding its credentials)`, o.key.span, "error", Object.keys(engineSourceOptions), key);
        continue;
      }
      const value = sourceOptionValue(o.values);
      if (typeof value !== "string" || !isEnvName(value)) this.report("type-mismatch", `\`${key}\` takes the name of an environment variable, like "ANALYTICS_${key === "user_env" ? "USER" : "PASSWORD"}" (never the credential itself), got ${JSON.stringify(value)}`, o.span);
    }
    return this.diagnostics.length - before;
  }

  /** Checks a file source's `format` and `with { ... }` options; returns how many errors it reported. */
  private sourceOptions(src: Extract<A.SourceSpec, { kind: "file" }>): number {
    const before = this.diagnostics.length;
    const format = sourceFormatOf(src.path.value, src.format?.text);
    if (src.format && !format) this.report("unknown-format", `unknown format \`${src.format.text}\`; sources are ${sourceFormats.join(", ")}`, src.format.span, "error", sourceFormats);
    if (!format) return this.diagnostics.length - before;
    const known = sourceOptions[format];
    const seen = new Set<string>();
    for (const o of src.options) {
      const key = o.key.text;
      if (seen.has(key)) this.report("duplicate-option", `\`${key}\` is given twice`, o.key.span);
      seen.add(key);
      const spec = own(known, key);
      if (!spec) {
        this.report("unknown-option", `${format} sources have no option \`${key}\``, o.key.span, "error", Object.keys(known), key);
        continue;
      }
      const value = sourceOptionValue(o.values);
      const list = Array.isArray(value) ? value : [value];
      const fits =
        spec.kind === "string" ? typeof value === "string" :
        spec.kind === "boolean" ? typeof value === "boolean" :
        spec.kind === "integer" ? typeof value === "number" && Number.isInteger(value) && value >= 0 :
        spec.kind === "strings" ? list.every((x) => typeof x === "string") :
        list.every((x) => typeof x === "string" && /^\s*\S.*\s\S+\s*$/.test(x));
      if (!fits) {
        const want = { string: "a string", boolean: "true or false", integer: "a whole number", strings: "a string or a list of strings", types: 'a list of "column type" strings' }[spec.kind];
        this.report("type-mismatch", `\`${key}\` takes ${want}, got ${JSON.stringify(value)}`, o.span);
      }
    }
    return this.diagnostics.filter((d, i) => i >= before && d.severity === "error").length;
  }

  private report(code: string, message: string, span: Span, severity: Severity = "error", candidates?: Iterable<string>, word = /`([^`]+)`/.exec(message)?.[1] ?? ""): void {
    let suggestions: string[] | undefined;
    if (candidates) {
      const s = suggest(word, candidates);
      if (s.length) suggestions = s;
    }
    this.diagnostics.push({ code, message, severity, span, suggestions });
  }
}

/** Scalar functions allowed in expressions (passed through to SQL) and their result types. */
export const functions: Record<string, ColumnType> = {
  abs: "number", ln: "number", log10: "number", log2: "number", exp: "number", sqrt: "number", round: "number", floor: "number", ceil: "number", pow: "number", least: "number", greatest: "number",
  length: "number", lower: "string", upper: "string", trim: "string", concat: "string", substr: "string", coalesce: "other",
  year: "number", month: "number", day: "number", dayofweek: "number", hour: "number",
};

const quoteName = nameText;
