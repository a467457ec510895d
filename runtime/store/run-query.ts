import { literal } from "../sql/quote.js";
import type { RunStatus } from "./run-journal.js";

/** A bound on a metric: `accuracy > 0.9`. The name is a metric's key (`model.data.metric`) or a suffix of it: `f1`, `test.f1`, `species.test.f1`. */
export interface MetricBound {
  name: string;
  op: ">" | ">=" | "<" | "<=" | "=" | "!=";
  value: number;
}

/** Which runs `lathe runs list` shows: every filter given must hold. */
export interface RunQuery {
  /** A program file: its absolute path, or a path ending like this (`penguins.lathe`, `examples/penguins.lathe`). */
  program?: { path: string; resolved: string };
  status?: RunStatus[];
  /** Started at or after. */
  since?: Date;
  name?: string;
  /** Tags the run has (any value when `value` is absent). */
  tags?: { key: string; value?: string }[];
  where?: MetricBound[];
  /** Include child runs (`tune` trials), each after its parent. */
  children?: boolean;
  limit?: number;
}

const ops = [">=", "<=", "!=", "==", ">", "<", "="] as const;

/** `accuracy>0.9`, `species.test.f1 >= 0.8`: a metric bound, or undefined when the text is not one. */
export function parseMetricBound(text: string): MetricBound | undefined {
  for (const op of ops) {
    const i = text.indexOf(op);
    if (i < 0) continue;
    const name = text.slice(0, i).trim();
    const raw = text.slice(i + op.length).trim();
    const value = Number(raw);
    if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*){0,2}$/.test(name) || !raw || !Number.isFinite(value)) return undefined;
    return { name, op: op === "==" ? "=" : op, value };
  }
  return undefined;
}

/** The parts of a metric name matched from the right: metric, data, model. */
export function metricNameParts(name: string): { metric: string; data?: string; model?: string } {
  const parts = name.split(".");
  const metric = parts.pop()!;
  const data = parts.pop();
  const model = parts.pop();
  return { metric, ...(data !== undefined ? { data } : {}), ...(model !== undefined ? { model } : {}) };
}

/** The SQL over the index (`store-index.ts`) that lists the runs a query asks for, newest first, child runs after their parent. */
export function runListSql(q: RunQuery): string {
  const where: string[] = [];
  if (!q.children) where.push("r.parent IS NULL");
  if (q.program) where.push(`(r.program_path = ${literal(q.program.resolved)} OR r.program_path = ${literal(q.program.path)} OR ends_with(r.program_path, ${literal("/" + q.program.path.replace(/^\.\//, ""))}))`);
  if (q.status?.length) where.push(`r.status IN (${q.status.map((s) => literal(s)).join(", ")})`);
  // Times are ISO 8601 in UTC, so text order is time order.
  if (q.since) where.push(`r.started_at >= ${literal(q.since.toISOString())}`);
  // A child run goes by its parent's name.
  if (q.name !== undefined) where.push(`(CASE WHEN r.parent IS NULL THEN r.name ELSE p.name END) = ${literal(q.name)}`);
  for (const t of q.tags ?? []) where.push(`EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = coalesce(r.parent, r.id) AND t.key = ${literal(t.key)}${t.value !== undefined ? ` AND t.value = ${literal(t.value)}` : ""})`);
  for (const b of q.where ?? []) {
    const p = metricNameParts(b.name);
    const match = [`m.metric = ${literal(p.metric)}`, ...(p.data !== undefined ? [`m.data = ${literal(p.data)}`] : []), ...(p.model !== undefined ? [`m.model = ${literal(p.model)}`] : [])];
    where.push(`EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = r.id AND ${match.join(" AND ")} AND m.value ${b.op} ${literal(b.value)})`);
  }
  const limit = Math.max(1, Math.floor(q.limit ?? 20));
  return `SELECT r.id, r.name, r.started_at, r.status, r.program_path, r.seed, r.backend, r.tags, r.parent, r.git_commit, r.git_dirty FROM runs r LEFT JOIN runs p ON r.parent = p.id
${where.length ? `WHERE ${where.join("\n  AND ")}` : ""}
ORDER BY coalesce(p.started_at, r.started_at) DESC, coalesce(r.parent, r.id) DESC, r.seq
LIMIT ${limit}`;
}
