import type { StepResult } from "../results.js";
import type { Draft, OpDefinition, Planner, Rendered, StepBase } from "./types.js";

/** `show DATASET [limit N]`: its first rows. */
export type ShowStep = StepBase & { op: "show"; dataset: string; limit: number };

export const planShow: Planner<"show", Draft<ShowStep>> = (s) => ({ op: "show", dataset: s.target.text, limit: s.limit ?? 10, label: `show ${s.target.text}` });

export const show: OpDefinition<ShowStep> = {
  op: "show",
  io: (step) => ({ reads: [step.dataset], defines: [] }),
  cacheable: () => false,
  async run(ctx, step) {
    const ds = ctx.dataset(step.dataset);
    const rows = await ctx.db.rows(`SELECT * FROM ${ds.relation} LIMIT ${Math.max(0, Math.floor(step.limit))}`);
    return { kind: "table", name: step.dataset, columns: ds.columns, rows };
  },
};

/** A table result: its rows. */
export function renderTable(r: Extract<StepResult, { kind: "table" }>): Rendered {
  return { summary: `${r.rows.length} rows`, parts: [{ kind: "table", columns: r.columns, rows: r.rows }], partsSuffice: true };
}
