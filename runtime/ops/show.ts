import type { StepResult } from "../results.js";
import { countText, maxShownRows } from "../output-bounds.js";
import { engineSample, type EngineRows } from "../data/engine-dataset.js";
import type { Draft, OpDefinition, Planner, Rendered, StepBase, StepContext } from "./types.js";

/** `show DATASET [limit N]`: its first rows. */
export type ShowStep = StepBase & { op: "show"; dataset: string; limit: number };

export const planShow: Planner<"show", Draft<ShowStep>> = (s) => ({ op: "show", dataset: s.target.text, limit: s.limit ?? 10, label: `show ${s.target.text}` });

export const show: OpDefinition<ShowStep> = {
  op: "show",
  duckdbAlone: true,
  io: (step) => ({ reads: [step.dataset], defines: [] }),
  cacheable: () => false,
  // Rows on an engine: the LIMIT runs there, over the engine's stable order of the rows.
  readsEngine: () => true,
  async run(ctx, step) {
    const limit = Math.max(0, Math.floor(step.limit));
    // No more rows than a table shows, and one more to tell whether the limit cut anything.
    const fetch = Math.min(limit, maxShownRows + 1);
    const remote = ctx.engineDataset(step.dataset);
    const { rows, columns } = remote ? await engineRows(ctx, step.dataset, remote, fetch) : { rows: await ctx.db.rows(`SELECT * FROM ${ctx.dataset(step.dataset).relation} LIMIT ${fetch}`), columns: ctx.dataset(step.dataset).columns };
    if (rows.length <= maxShownRows) return { kind: "table", name: step.dataset, columns, rows };
    return { kind: "table", name: step.dataset, columns, rows: rows.slice(0, maxShownRows), asked: limit };
  },
};

/** The first `n` rows of an engine dataset in its stable order, typed as DuckDB holds them when they come back. */
async function engineRows(ctx: StepContext, name: string, remote: EngineRows, n: number): Promise<{ rows: Record<string, unknown>[]; columns: string[] }> {
  const { state } = await engineSample(ctx, name, remote, n);
  try {
    return { rows: await ctx.db.rows(`SELECT * FROM ${state.relation}`), columns: state.columns };
  } finally {
    await ctx.db.exec(`DROP TABLE IF EXISTS ${state.relation}`);
  }
}

/** A table result: its rows, and a note when `show` was asked for more than a table shows. */
export function renderTable(r: Extract<StepResult, { kind: "table" }>): Rendered {
  const note = r.asked !== undefined ? `showing the first ${r.rows.length} of the ${countText(r.asked)} rows asked for: a table shows at most ${maxShownRows} rows` : undefined;
  return { summary: `${r.rows.length} rows`, parts: [{ kind: "table", columns: r.columns, rows: r.rows, ...(note ? { note } : {}) }], partsSuffice: true };
}
