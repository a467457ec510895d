import { chainSql, dropStaged, fitAndCompile, formatChain } from "../data/chain.js";
import { expansions } from "../data/steps.js";
import { enginePrepared, engineView } from "../data/engine-dataset.js";
import type { PrepareStep } from "../../language/ast.js";
import { columnSteps } from "../transform.js";
import { stripSpans } from "./strip-spans.js";
import { datasetResult } from "./load.js";
import { ident } from "../sql/quote.js";
import type { StepResult } from "../results.js";
import type { Draft, EngineRef, OpDefinition, Planner, StepBase } from "./types.js";

/**
 * `prepare NAME = INPUT { steps }`. `view`: nothing later reads it but a split (which re-derives its
 * parts from the root), so it is kept as a view rather than written out. In a one-shot run
 * (`planLifetimes`): `stream`, only `save` reads it, so it is a view over its staged rows with its
 * constants inlined; `fitOnce`, a view whose steps learn in their own queries, not in the view's.
 */
export type PrepareOpStep = StepBase & { op: "prepare"; dataset: string; input: string; steps: PrepareStep[]; view?: boolean; engine?: EngineRef; engineChain?: PrepareStep[]; stream?: boolean; fitOnce?: boolean };

export const planPrepare: Planner<"prepare", Draft<PrepareOpStep>> = (s, ctx) => {
  ctx.splits.delete(s.name.text);
  const engine = ctx.engines.get(s.input.text);
  if (engine) ctx.engines.set(s.name.text, engine);
  else ctx.engines.delete(s.name.text);
  const origin = ctx.origins.get(s.input.text);
  if (origin) ctx.origins.set(s.name.text, origin);
  else ctx.origins.delete(s.name.text);
  // On an engine, the steps of the prepares in between run from the source's table itself.
  const chain: PrepareStep[] = [];
  for (let at = s.input.text; engine && ctx.prepares.has(at); at = ctx.prepares.get(at)!.input) chain.unshift(...ctx.prepares.get(at)!.steps);
  ctx.prepares.set(s.name.text, { input: s.input.text, steps: stripSpans(s.steps) });
  return { op: "prepare", dataset: s.name.text, input: s.input.text, steps: stripSpans(s.steps), ...(engine ? { engine, engineChain: [...chain, ...stripSpans(s.steps)] } : {}), label: `prepare ${s.name.text}` };
};

const rowSteps = new Set(["drop-rows", "keep-rows", "drop-duplicates"]);

export const prepare: OpDefinition<PrepareOpStep> = {
  op: "prepare",
  duckdbAlone: true,
  io: (step) => ({ reads: [step.input], defines: [step.dataset] }),
  cacheable: () => true,
  readsEngine: (step) => !!step.engine,
  async run(ctx, step) {
    // An input brought back into DuckDB (a model trained on it) is prepared there like any other.
    if (step.engine && ctx.engineDataset(step.input)) return enginePrepare(ctx, step, step.engine);
    const input = ctx.dataset(step.input);
    // Fitted on its own rows: fine for exploring; the checker warns when a model trains on it.
    // A lazy input is a file: its rows are parsed once, into the first staged table.
    const fitted = await fitAndCompile(ctx.db, input.relation, step.steps, input.columns, { inline: step.view && !step.fitOnce, stageBase: input.lazy !== undefined });
    const { applied } = fitted;
    ctx.options.onSql?.({ id: step.id, label: step.label, title: `table ${step.dataset}`, sql: formatChain(chainSql(input.relation, applied, input.columns), applied) });
    const exp = { ...input.expansions, ...expansions(applied) };
    if (step.view) {
      // A view reads its input's table, so it must not read staged tables that are about to go.
      await dropStaged(ctx.db, fitted);
      // Counting the view would compute what its steps learn; steps that learn keep every row, so
      // unless rows are dropped after one, the count without them is the same and far cheaper.
      const first = applied.findIndex((a) => a.inline);
      const cheap = first >= 0 && !applied.slice(first).some((a) => rowSteps.has(a.step.kind));
      const countSql = cheap ? chainSql(input.relation, applied.slice(0, first), input.columns).sql : undefined;
      const ds = await ctx.materialise(step.dataset, chainSql(input.relation, applied, input.columns).sql, { expansions: exp, transform: undefined, rawTypes: input.rawTypes, viewOf: step.input, countSql, lineage: { input: step.input, steps: step.steps } });
      return datasetResult(ds);
    }
    let kept = false;
    try {
      const base = input.transform ?? (await ctx.concreteTransform(input));
      const how = { expansions: exp, transform: [...base, ...columnSteps(applied)], rawTypes: input.rawTypes };
      // Only saves read it: a view over the staged rows, which go with it, so each save is one COPY.
      const ds = await ctx.materialise(step.dataset, fitted.chain.sql, step.stream ? { ...how, owns: fitted.staged.map(ident) } : how);
      kept = step.stream === true;
      return datasetResult(ds);
    } finally {
      if (!kept) await dropStaged(ctx.db, fitted);
    }
  },
};

/**
 * A prepare over an engine's rows runs there. Read only by a split (a view), it counts the rows and
 * names the columns before its first step that learns: those learn on the split's training part,
 * there. Read by anything else, its steps that learn learn on its input's rows on the engine (as a
 * DuckDB prepare learns on its own rows) and the dataset stays there as a query with their
 * constants inlined, which readers push down or bring back.
 */
async function enginePrepare(ctx: Parameters<OpDefinition<PrepareOpStep>["run"]>[0], step: PrepareOpStep, engine: EngineRef): Promise<StepResult> {
  const conn = await ctx.engine(engine);
  const input = ctx.engineDataset(step.input)!;
  const rows = step.view ? await engineView(conn, engine, step.engineChain ?? step.steps) : await enginePrepared(conn, input, step.steps);
  ctx.setEngineDataset(step.dataset, rows);
  if (rows.sql) ctx.options.onSql?.({ id: step.id, label: step.label, title: `table ${step.dataset} (on ${engine.engine}, ${engine.url}), constants learned there inlined`, sql: rows.sql });
  const learns = "learns" in rows && rows.learns;
  const note = `stays on ${engine.engine}${learns ? "; rows and columns before its steps that learn, which learn on the training part of its split, there" : ""}`;
  return { kind: "dataset", name: step.dataset, rows: rows.rows, columns: rows.columns.map((c) => c.name), note };
}
