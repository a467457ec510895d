import type { AssertCondition, PrepareStep, SourceSpec } from "../language/ast.js";
import { defaultMetrics, type Task } from "../language/catalog.js";
import type { CheckedProgram } from "../language/checker.js";
import type { ParamValue } from "./models/types.js";
import { fingerprint, hashText, sourceSql } from "./data/source.js";
import { isFitted } from "./data/steps.js";

/**
 * The plan: a DAG of steps in execution order, plain serialisable JSON. Each step has a
 * content-hash `key` over its own definition and its inputs' keys (and data fingerprints for
 * loads), so an unchanged step can be recognised and a run can be reproduced from its record.
 */
export interface Plan {
  version: 1;
  seed: number;
  params: Record<string, unknown>;
  steps: PlanStep[];
}

interface StepBase {
  id: string;
  key: string;
  /** Ids of the steps of this plan it reads from; for a name an earlier cell defined, that step's key. */
  deps: string[];
  /** Index of the statement this step comes from, for progress and errors. */
  statement: number;
  label: string;
}

export type PlanStep = StepBase &
  (
    | { op: "load"; dataset: string; spec: SourceSpec; sql: string; files: string[]; fingerprint: string; attach?: { alias: string; file: string } }
    | { op: "prepare"; dataset: string; input: string; steps: PrepareStep[]; view?: boolean }
    | { op: "split"; input: string; root: string; pre: PrepareStep[]; post: PrepareStep[]; parts: { name: string; fraction: number }[]; train: string; stratify?: string; time?: string; seed: number }
    | { op: "train"; model: string; algorithm: string; task: Task; target: string; features: string[]; input: string; params: Record<string, ParamValue>; seed: number }
    | { op: "evaluate"; model: string; data: string; metrics: string[] }
    | { op: "assert"; model: string; data: string; conditions: { metric: string; op: AssertCondition["op"]; bound: number }[] }
    | { op: "plot"; chart: string; target: string; data?: string; columns: string[]; path?: string }
    | { op: "show"; dataset: string; limit: number }
    | { op: "describe"; dataset: string }
    | { op: "tune"; model: string; space: Record<string, ParamValue[]>; metric: string; data: string; trials?: number; search: "grid" | "random"; seed: number }
    | { op: "register"; model: string; name: string }
    | { op: "promote"; name: string; version?: number }
    | { op: "rollback"; name: string; version?: number }
    | { op: "pending"; statement_kind: string; text: string }
  );

export type PlanOp = PlanStep["op"];

/** What planning remembers between notebook cells: the lineage of prepared datasets, and the key of the step that last defined each name. */
export interface PlanContext {
  prepares: Map<string, { input: string; steps: PrepareStep[] }>;
  keys?: Map<string, string>;
}

/** Plans a checked program: resolves sources, lineage of splits, seeds and defaults. */
export async function planProgram(checked: CheckedProgram, baseDir: string, context: PlanContext = { prepares: new Map() }): Promise<Plan> {
  const seed = typeof checked.params.seed === "number" ? checked.params.seed : 42;
  const steps: PlanStep[] = [];
  const producer = new Map<string, PlanStep>();
  const prepares = context.prepares;
  const keys = (context.keys ??= new Map());
  // A name from an earlier cell stands for the key of the step that defined it, so a cell's keys
  // change when an earlier cell it reads from is re-run with other text or data.
  const keyOf = (names: string[]) => names.map((n) => producer.get(n)?.id ?? keys.get(n)).filter((x): x is string => !!x);
  const add = (s: Omit<StepBase, "key" | "id"> & Record<string, unknown>, outputs: string[]) => {
    const depKeys = s.deps.map((d) => steps.find((x) => x.id === d)?.key ?? d);
    const { label: _label, statement: _statement, ...content } = s;
    const id = `s${steps.length + 1}`;
    const step = { ...s, id, key: hashText(JSON.stringify({ ...content, depKeys })) } as unknown as PlanStep;
    steps.push(step);
    for (const o of outputs) {
      producer.set(o, step);
      keys.set(o, step.key);
    }
    return step;
  };

  for (const [index, s] of checked.program.statements.entries()) {
    switch (s.kind) {
      case "param":
        break;
      case "source": {
        prepares.delete(s.name.text);
        const { sql, files, attach } = sourceSql(s.source, baseDir);
        const fp = files.length ? await fingerprint(files) : hashText(sql);
        add({ op: "load", dataset: s.name.text, spec: s.source, sql, files, fingerprint: fp, attach, deps: [], statement: index, label: `collect ${s.name.text}` }, [s.name.text]);
        break;
      }
      case "prepare":
        prepares.set(s.name.text, { input: s.input.text, steps: s.steps });
        add({ op: "prepare", dataset: s.name.text, input: s.input.text, steps: stripSpans(s.steps), deps: keyOf([s.input.text]), statement: index, label: `prepare ${s.name.text}` }, [s.name.text]);
        break;
      case "split": {
        // Walk back through prepares to the nearest loaded or split table; the steps up to the
        // first fitted one run before the split, the rest are learned on the training part.
        const chain: PrepareStep[] = [];
        let root = s.input.text;
        while (prepares.has(root)) {
          const p = prepares.get(root)!;
          chain.unshift(...p.steps);
          root = p.input;
        }
        const cut = chain.findIndex(isFitted);
        const pre = cut < 0 ? chain : chain.slice(0, cut);
        const post = cut < 0 ? [] : chain.slice(cut);
        const splitSeed = s.seed ? (s.seed.kind === "name" ? Number(checked.params[s.seed.name.text]) : Number(s.seed.value)) : seed;
        const parts = s.parts.map((p) => ({ name: p.name.text, fraction: p.percent / 100 }));
        for (const p of parts) prepares.delete(p.name);
        const train = parts.find((p) => p.name === "train")?.name ?? parts[0].name;
        add(
          { op: "split", input: s.input.text, root, pre: stripSpans(pre), post: stripSpans(post), parts, train, stratify: s.stratify?.text, time: s.time?.text, seed: splitSeed, deps: keyOf([root, s.input.text]), statement: index, label: `split ${s.input.text} into ${parts.map((p) => p.name).join(", ")}` },
          parts.map((p) => p.name),
        );
        break;
      }
      case "model": {
        const info = checked.models[s.name.text];
        const params: Record<string, ParamValue> = {};
        let modelSeed = seed;
        for (const o of s.options) {
          if (o.key.text === "features" || o.key.text === "task") continue;
          const v = optionValue(o.values, checked.params);
          if (o.key.text === "seed") modelSeed = Number(v);
          else params[o.key.text] = v;
        }
        add(
          { op: "train", model: s.name.text, algorithm: s.algorithm.text, task: info?.task ?? "classification", target: info?.target ?? s.target.text, features: info?.features ?? [], input: s.input.text, params, seed: modelSeed, deps: keyOf([s.input.text]), statement: index, label: `train ${s.name.text} (${s.algorithm.text})` },
          [s.name.text],
        );
        break;
      }
      case "evaluate": {
        const task = checked.models[s.model.text]?.task ?? "classification";
        const metrics = s.metrics.length ? s.metrics.map((m) => m.text) : defaultMetrics[task];
        add({ op: "evaluate", model: s.model.text, data: s.data.text, metrics, deps: keyOf([s.model.text, s.data.text]), statement: index, label: `evaluate ${s.model.text} on ${s.data.text}` }, []);
        break;
      }
      case "assert":
        add(
          { op: "assert", model: s.model.text, data: s.data.text, conditions: s.conditions.map((c) => ({ metric: c.metric.text, op: c.op, bound: Number(c.bound.value) })), deps: keyOf([s.model.text, s.data.text]), statement: index, label: `assert ${s.model.text} on ${s.data.text}` },
          [],
        );
        break;
      case "plot":
        add(
          { op: "plot", chart: s.chart.text, target: s.target.text, data: s.data?.text, columns: s.columns.map((c) => c.text), path: s.path?.value, deps: keyOf([s.target.text, ...(s.data ? [s.data.text] : [])]), statement: index, label: `plot ${s.chart.text} of ${s.target.text}${s.data ? ` on ${s.data.text}` : ""}` },
          [],
        );
        break;
      case "show":
        add({ op: "show", dataset: s.target.text, limit: s.limit ?? 10, deps: keyOf([s.target.text]), statement: index, label: `show ${s.target.text}` }, []);
        break;
      case "describe":
        add({ op: "describe", dataset: s.target.text, deps: keyOf([s.target.text]), statement: index, label: `describe ${s.target.text}` }, []);
        break;
      case "tune": {
        const space: Record<string, ParamValue[]> = {};
        for (const o of s.space) {
          const v = optionValue(o.values, checked.params);
          // Each option lists its candidate values (`trees: [50, 100]`; the checker insists on the list).
          space[o.key.text] = (Array.isArray(v) ? v : [v]) as ParamValue[];
        }
        add(
          { op: "tune", model: s.model.text, space, metric: s.metric.text, data: s.data.text, trials: s.trials, search: s.search ?? (s.trials !== undefined ? "random" : "grid"), seed, deps: keyOf([s.model.text, s.data.text]), statement: index, label: `tune ${s.model.text} by ${s.metric.text} on ${s.data.text}` },
          [s.model.text],
        );
        break;
      }
      case "register":
        add({ op: "register", model: s.model.text, name: s.as.value, deps: keyOf([s.model.text]), statement: index, label: `register ${s.model.text} as ${JSON.stringify(s.as.value)}` }, []);
        break;
      case "promote":
        add({ op: "promote", name: s.target.name.value, version: s.target.version, deps: [], statement: index, label: `promote ${JSON.stringify(s.target.name.value)}${s.target.version !== undefined ? ` version ${s.target.version}` : ""}` }, []);
        break;
      case "rollback":
        add({ op: "rollback", name: s.name.value, version: s.version, deps: [], statement: index, label: `rollback ${JSON.stringify(s.name.value)}${s.version !== undefined ? ` to version ${s.version}` : ""}` }, []);
        break;
      case "deploy":
      case "serve":
      case "export":
      case "monitor":
      case "retrain":
        // Checked by language/; deployment and monitoring will execute them.
        // Until then the run says so plainly instead of skipping them in silence.
        add({ op: "pending", statement_kind: s.kind, text: s.kind, deps: [], statement: index, label: `${s.kind}` }, []);
        break;
    }
  }
  markViews(steps);
  return { version: 1, seed, params: checked.params, steps };
}

/**
 * A prepared dataset that later statements only split is kept as a view, not a table: the split
 * re-derives its parts from the root and never reads it, so writing its rows would be wasted work.
 */
function markViews(steps: PlanStep[]): void {
  for (const [i, p] of steps.entries()) {
    if (p.op !== "prepare") continue;
    const used = steps.slice(i + 1).some((s) => s.op !== "split" && Object.values(s).includes(p.dataset));
    if (!used) p.view = true;
  }
}

function optionValue(values: import("../language/ast.js").OptionValue[], params: Record<string, unknown>): ParamValue {
  const one = (v: import("../language/ast.js").OptionValue): ParamValue => {
    if (v.kind === "literal") return (v.percent && typeof v.value === "number" ? v.value / 100 : v.value) as ParamValue;
    if (v.kind === "name") return (v.name.text in params ? params[v.name.text] : v.name.text) as ParamValue;
    return v.items.map(one) as ParamValue;
  };
  if (values.length === 1) return one(values[0]);
  return values.map(one) as ParamValue;
}

/** Spans change when unrelated text moves; cache keys must not, so plans keep steps without them. */
function stripSpans<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === "span" ? undefined : v))) as T;
}
