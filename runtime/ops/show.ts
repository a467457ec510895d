import type { StepResult } from "../results.js";
import { countText, maxShownRows } from "../output-bounds.js";
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
    const limit = Math.max(0, Math.floor(step.limit));
    // No more rows than a table shows, and one more to tell whether the limit cut anything.
    const rows = await ctx.db.rows(`SELECT * FROM ${ds.relation} LIMIT ${Math.min(limit, maxShownRows + 1)}`);
    if (rows.length <= maxShownRows) return { kind: "table", name: step.dataset, columns: ds.columns, rows };
    return { kind: "table", name: step.dataset, columns: ds.columns, rows: rows.slice(0, maxShownRows), asked: limit };
  },
};

/** A table result: its rows, and a note when `show` was asked for more than a table shows. */
export function renderTable(r: Extract<StepResult, { kind: "table" }>): Rendered {
  const note = r.asked !== undefined ? `showing the first ${r.rows.length} of the ${countText(r.asked)} rows asked for: a table shows at most ${maxShownRows} rows` : undefined;
  return { summary: `${r.rows.length} rows`, parts: [{ kind: "table", columns: r.columns, rows: r.rows, ...(note ? { note } : {}) }], partsSuffice: true };
}
