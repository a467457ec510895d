import type { Statement, StatementKind } from "../language/ast.js";
import type { CheckedProgram } from "../language/checker.js";
import { hashText } from "./data/source.js";
import type { FileDigests } from "./file-digests.js";
import { opOf, planners, type PlanOp, type PlanStep } from "./ops/index.js";
import type { Draft, EngineRef, Planner, PlanningContext, PreparedLineage, SnapshotUse } from "./ops/types.js";

export type { PlanOp, PlanStep };

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

/** What planning remembers between notebook cells: the lineage of prepared datasets and splits, and the key of the step that last defined each name. */
export interface PlanContext {
  prepares: Map<string, PreparedLineage>;
  splits?: Map<string, { parts: string[]; train: string }>;
  keys?: Map<string, string>;
  /** Datasets that live on an engine (a `from clickhouse` source and what is prepared from it) → the engine (across cells). */
  engines?: Map<string, EngineRef>;
  /** Datasets whose rows came from an engine (those above and the parts of their splits) → the engine (across cells). */
  origins?: Map<string, EngineRef>;
  /** Where data files' digests are remembered (default: in this process only). */
  digests?: FileDigests;
}

/**
 * Plans a checked program: each statement's op drafts its step (`runtime/ops/`), then the planner
 * adds what every step has — an id, its dependencies from the names the op says it reads, and a
 * content key over the step and its dependencies' keys.
 *
 *     statements ─planners[kind]─▶ drafts ─io().reads─▶ deps ─hash─▶ keyed steps ─markViews─▶ Plan
 */
export async function planProgram(checked: CheckedProgram, baseDir: string, context: PlanContext = { prepares: new Map() }, snapshots?: Map<string, SnapshotUse>): Promise<Plan> {
  const seed = typeof checked.params.seed === "number" ? checked.params.seed : 42;
  const steps: PlanStep[] = [];
  const producer = new Map<string, PlanStep>();
  const keys = (context.keys ??= new Map());
  const ctx: PlanningContext = { checked, seed, baseDir, prepares: context.prepares, splits: (context.splits ??= new Map()), engines: (context.engines ??= new Map()), origins: (context.origins ??= new Map()), snapshots, digests: context.digests };
  // A name from an earlier cell stands for the key of the step that defined it, so a cell's keys
  // change when an earlier cell it reads from is re-run with other text or data.
  const depsOf = (names: string[]) => names.map((n) => producer.get(n)?.id ?? keys.get(n)).filter((x): x is string => !!x);

  for (const [index, statement] of checked.program.statements.entries()) {
    const draft = await planStatement(statement, ctx);
    if (!draft) continue;
    const step: PlanStep = { ...draft, id: `s${steps.length + 1}`, key: "", deps: [], statement: index, span: statement.span };
    const io = opOf(step).io(step);
    step.deps = depsOf(io.reads);
    // The key covers the step's content and what it reads, not where it sits in the text, nor
    // whether a source's rows are kept with the run (`snapshot`), which changes no output.
    const { id: _id, key: _key, label: _label, statement: _statement, span: _span, ...content } = step;
    if ("snapshot" in content) delete content.snapshot;
    const depKeys = step.deps.map((d) => steps.find((x) => x.id === d)?.key ?? d);
    step.key = hashText(JSON.stringify({ ...content, depKeys }));
    steps.push(step);
    for (const o of io.defines) {
      producer.set(o, step);
      keys.set(o, step.key);
    }
  }
  markViews(steps);
  return { version: 1, seed, params: checked.params, steps };
}

/** Drafts one statement's step through the planner its kind has in the ops registry. */
function planStatement(statement: Statement, ctx: PlanningContext): ReturnType<Planner<StatementKind, Draft<PlanStep>>> {
  // TypeScript cannot correlate `planners[statement.kind]` with `statement` (a union on both sides);
  // the registry's mapped type already guarantees each planner takes its own statement kind.
  const planner = planners[statement.kind] as Planner<StatementKind, Draft<PlanStep>>;
  return planner(statement, ctx);
}

/**
 * A prepared dataset that no later step reads is kept as a view, not a table: a split re-derives
 * its parts from the root and never reads it, so writing its rows would be wasted work.
 */
function markViews(steps: PlanStep[]): void {
  for (const [i, p] of steps.entries()) {
    if (p.op !== "prepare") continue;
    const used = steps.slice(i + 1).some((s) => opOf(s).io(s).reads.includes(p.dataset));
    if (!used) p.view = true;
  }
}
