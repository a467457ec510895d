import { chainSql, dropStaged, fitAndCompile, formatChain } from "../data/chain.js";
import { expansions } from "../data/steps.js";
import type { PrepareStep } from "../../language/ast.js";
import { columnSteps } from "../transform.js";
import { stripSpans } from "./strip-spans.js";
import { datasetResult } from "./load.js";
import type { Draft, OpDefinition, Planner, StepBase } from "./types.js";

/**
 * `prepare NAME = INPUT { steps }`. `view`: nothing later reads it but a split (which re-derives its
 * parts from the root), so it is kept as a view rather than written out.
 */
export type PrepareOpStep = StepBase & { op: "prepare"; dataset: string; input: string; steps: PrepareStep[]; view?: boolean };

export const planPrepare: Planner<"prepare", Draft<PrepareOpStep>> = (s, ctx) => {
  ctx.prepares.set(s.name.text, { input: s.input.text, steps: stripSpans(s.steps) });
  ctx.splits.delete(s.name.text);
  return { op: "prepare", dataset: s.name.text, input: s.input.text, steps: stripSpans(s.steps), label: `prepare ${s.name.text}` };
};

const rowSteps = new Set(["drop-rows", "keep-rows", "drop-duplicates"]);

export const prepare: OpDefinition<PrepareOpStep> = {
  op: "prepare",
  io: (step) => ({ reads: [step.input], defines: [step.dataset] }),
  cacheable: () => true,
  async run(ctx, step) {
    const input = ctx.dataset(step.input);
    // Fitted on its own rows: fine for exploring; the checker warns when a model trains on it.
    const fitted = await fitAndCompile(ctx.db, input.relation, step.steps, input.columns, { inline: step.view });
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
    try {
      const base = input.transform ?? (await ctx.concreteTransform(input));
      const ds = await ctx.materialise(step.dataset, fitted.chain.sql, { expansions: exp, transform: [...base, ...columnSteps(applied)], rawTypes: input.rawTypes });
      return datasetResult(ds);
    } finally {
      await dropStaged(ctx.db, fitted);
    }
  },
};
