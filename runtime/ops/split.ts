import { chainSql, fitChain, formatChain } from "../data/chain.js";
import { carriesRowId, joinedRows, keyedRows, keyedSplit, partChunks, partColumn, partRowsSql, partSql, rankColumn, rankedKeysSql, rankedPartRows, rowidRange, rowsBelowSql, sortedPartRows, splitHash, splitKeysSql, splitSql, withRowId, type RowPiece, type SplitHash, type SplitSpec } from "../data/split.js";
import type { TypedColumn } from "../sql/dialect.js";
import type { Transform } from "../transform.js";
import { expansions, isFitted, learnsInAnyOrder, type AppliedStep } from "../data/steps.js";
import { DataError } from "../errors.js";
import type { PrepareStep } from "../../language/ast.js";
import type { StepResult } from "../results.js";
import { ident, literal } from "../sql/quote.js";
import { columnSteps, stepOutputs } from "../transform.js";
import { stripSpans } from "./strip-spans.js";
import { duckTypeOf } from "../data/clickhouse-connection.js";
import { engineSplit } from "../data/engine-split.js";
import { clickhouseDialect as ch } from "../sql/clickhouse-dialect.js";
import type { Draft, EngineRef, OpDefinition, Planner, Rendered, StepBase } from "./types.js";
import { own } from "../../language/lookup.js";

/**
 * `split INPUT into parts`. The split reads the nearest loaded or split dataset (`root`) and applies
 * the prepare steps between it and INPUT itself: those before the first step that learns from data
 * (`pre`) run on every row before the split; the rest (`post`) learn on the training part only and
 * are applied with those constants to every part.
 */
export type SplitStep = StepBase & { op: "split"; input: string; root: string; pre: PrepareStep[]; post: PrepareStep[]; parts: { name: string; fraction: number }[]; train: string; stratify?: string; time?: string; column?: string; seed: number; hash?: SplitHash; engine?: EngineRef; viewParts?: boolean };

/**
 * Whether a split's parts may be kept as views over its root and a table of each row's part and
 * rank (`viewParts`, marked by `planLifetimes` on a one-shot run), not tables: a plain split on
 * DuckDB by the portable hash whose fitted steps learn in any order (so they learn from the
 * training rows unsorted). The run decides in the end (the hash a column allows, the root's rowid).
 */
export function viewableSplit(step: SplitStep): boolean {
  return !step.engine && step.column === undefined && step.stratify === undefined && step.time === undefined && step.hash !== "native" && step.post.every(learnsInAnyOrder);
}

/** Fitted steps that keep every row and every column they do not name: a part's rank passes through them (`DatasetState.ranked`). */
const rankKeeping = new Set<PrepareStep["kind"]>(["fill", "replace", "clip", "derive", "cast", "text", "rename", "drop-columns", "onehot", "bucket", "scale"]);

export const planSplit: Planner<"split", Draft<SplitStep>> = (s, ctx) => {
  const chain: PrepareStep[] = [];
  let root = s.input.text;
  while (ctx.prepares.has(root)) {
    const p = ctx.prepares.get(root)!;
    chain.unshift(...p.steps);
    root = p.input;
  }
  const cut = chain.findIndex(isFitted);
  const pre = cut < 0 ? chain : chain.slice(0, cut);
  const post = cut < 0 ? [] : chain.slice(cut);
  const splitSeed = s.seed ? (s.seed.kind === "name" ? Number(own(ctx.checked.params, s.seed.name.text)) : Number(s.seed.value)) : ctx.seed;
  const parts = s.parts.map((p) => ({ name: p.name.text, fraction: (p.percent ?? 0) / 100 }));
  const train = parts.find((p) => p.name === "train")?.name ?? parts[0].name;
  // The parts come back to DuckDB: only the root may live on an engine.
  const engine = ctx.engines.get(root);
  // An engine source read back from a run's snapshot (`lathe reproduce`): DuckDB splits it as the
  // engine did (the portable hash, parts in the same order), so the parts are the run's.
  const fromEngine = !engine && ctx.snapshots?.has(root) === true && own(ctx.checked.datasets, root)?.engine !== undefined;
  for (const p of parts) {
    ctx.prepares.delete(p.name);
    ctx.engines.delete(p.name);
    const origin = ctx.origins.get(root);
    if (origin) ctx.origins.set(p.name, origin);
    else ctx.origins.delete(p.name);
    ctx.splits.set(p.name, { parts: parts.map((q) => q.name), train });
  }
  return {
    op: "split",
    input: s.input.text,
    root,
    pre: stripSpans(pre),
    post: stripSpans(post),
    parts,
    train,
    stratify: s.stratify?.text,
    time: s.time?.text,
    column: s.column?.text,
    seed: splitSeed,
    // Engines always split by the portable hash (and so does DuckDB reproducing an engine source's
    // snapshot); a DuckDB source by the hash the program asks for, else by `splitHash`'s default (portable).
    ...(engine || fromEngine || s.hash?.text === "portable" ? { hash: "portable" as const } : s.hash?.text === "native" ? { hash: "native" as const } : {}),
    ...(engine ? { engine } : {}),
    label: `split ${s.input.text} into ${parts.map((p) => p.name).join(", ")}`,
  };
};

export const split: OpDefinition<SplitStep> = {
  op: "split",
  duckdbAlone: true,
  // It reads the root's rows; the steps up to INPUT are part of the step itself.
  io: (step) => ({ reads: [step.root], defines: step.parts.map((p) => p.name) }),
  cacheable: () => true,
  // An engine split reads the engine table itself, whatever became of the root since.
  readsEngine: (step) => !!step.engine,
  async run(ctx, step) {
    if (step.engine) return engineSplitStep(ctx, step, step.engine);
    const root = ctx.dataset(step.root);
    const rootTransform = root.transform ?? (await ctx.concreteTransform(root));
    const preApplied = step.pre.map((s) => ({ step: s }));
    const pre = chainSql(root.relation, preApplied, root.columns);
    // The portable row hash needs each column's type (its canonical text depends on it), and so does
    // the choice of hash (a column with no portable text is split by DuckDB's own).
    const typed = step.column ? [] : await ctx.db.describe(pre.sql);
    const spec = { ...step, hash: step.column ? undefined : splitHash(step.hash, typed) };
    const assignSql = (rows: string) => (step.column ? byColumnSql(rows, step.column) : splitSql(rows, typed, spec));
    const assign = assignSql(`(${pre.sql})`);
    ctx.options.onSql?.({ id: step.id, label: step.label, title: `rows of ${step.root} before the split (steps that learn nothing)`, sql: formatChain(pre, preApplied) });
    ctx.options.onSql?.({ id: step.id, label: step.label, title: `part of each row (${ident(partColumn)})`, sql: assignSql("<rows before the split>") });
    // A plain split decides each row's part from the row alone. With DuckDB's cheap hash every part
    // streams straight from the rows before the split (from a lazy root's file too, read once a part:
    // parts are built one at a time, so the rows are never held twice). The portable hash builds each
    // row's text and its MD5 (far more than DuckDB's own hash), so its keys (hash, tie-break, part, and
    // the root's rowid where the steps before the split carry it) are computed once into a table, and
    // every part is read as the rows before the split joined to their keys (`joinedRows`, else by
    // position: `keyedRows`): the rows are not held twice either. Stratified and time splits rank
    // rows through a window, which does not keep their order: the rows with their part are computed
    // once into a table that the fitted steps and every part read.
    const keyed = step.column === undefined && keyedSplit(spec);
    const hashed = step.column === undefined && !keyed && (spec.hash === "portable" || step.stratify !== undefined || step.time !== undefined);
    const splitTable = ctx.tempName("split");
    const trainTable = ctx.tempName("split_train");
    const ids = keyed && carriesRowId(step.pre) && (await hasRowId(ctx, root.relation, root.columns)) ? chainSql(withRowId(root.relation), preApplied, root.columns) : undefined;
    if (ids && step.viewParts) {
      const rowsOf = (table: string) => `(${chainSql(table, preApplied, root.columns).sql})`;
      return viewSplit(ctx, step, { rows: `(${pre.sql})`, rowsOf, ids: `(${ids.sql})`, assign, spec, typed, columns: pre.columns, rootTransform, preApplied, keys: splitTable });
    }
    if (keyed) await ctx.db.exec(`CREATE OR REPLACE TABLE ${ident(splitTable)} AS ${splitKeysSql(`(${(ids ?? pre).sql})`, typed, spec, ids !== undefined)}`);
    if (hashed) await ctx.db.exec(`CREATE OR REPLACE TABLE ${ident(splitTable)} AS ${assign}`);
    const assigned = ids ? joinedRows(`(${ids.sql})`, ident(splitTable)) : keyed ? keyedRows(`(${pre.sql})`, ident(splitTable)) : hashed ? ident(splitTable) : `(${assign})`;
    // Statistics over the training rows read them by position: no hash table, and no order to keep.
    const fitFrom = keyed ? keyedRows(`(${pre.sql})`, ident(splitTable)) : assigned;
    const partRel = (name: string, chunk?: { index: number; of: number }) => partSql(assigned, name, spec, chunk);
    const sizes: { name: string; rows: number }[] = [];
    // The sorted training rows (below) become the part itself: a view over them with the fitted
    // steps' constants inlined, which owns them (`owns`), instead of a second table written from
    // them (flights-3m: 2.4M rows written again, ≈ 0.6 s of CPU, and the part held twice meanwhile).
    let trainOwned = false;
    try {
      // A keyed split whose fitted steps learn from the training rows in order writes those rows once,
      // sorted (in pieces: `partChunks`), learns from that table and applies the steps to it: one sort
      // of the training part, where each step's statistics sorted it again (flights-3m: a median and a
      // scale, two sorts more).
      const anyOrder = step.post.every(learnsInAnyOrder);
      if (keyed && !anyOrder) {
        const of = partChunks(step.parts.find((p) => p.name === step.train)!.fraction, spec);
        for (let index = 0; index < of; index++) {
          const rows = `SELECT * FROM ${partRel(step.train, of > 1 ? { index, of } : undefined)}`;
          await ctx.db.exec(index ? `INSERT INTO ${ident(trainTable)} ${rows}` : `CREATE OR REPLACE TABLE ${ident(trainTable)} AS ${rows}`);
        }
      }
      const sortedTrain = keyed && !anyOrder ? `(SELECT * FROM ${ident(trainTable)})` : undefined;
      // Steps that learn the same whatever the row order learn from the training rows unsorted.
      const trainRows = sortedTrain ?? (anyOrder ? partRowsSql(fitFrom, step.train, step) : partRel(step.train));
      const applied = await fitChain(ctx.db, trainRows, step.post, pre.columns);
      const transform = [...rootTransform, ...columnSteps(preApplied), ...columnSteps(applied)];
      const others = step.parts.map((p) => p.name).filter((n) => n !== step.train);
      // The training part from its sorted rows last, once the keys are gone.
      const order = sortedTrain ? [...others, step.train] : [step.train, ...others];
      // The raw rows of each part, for the monitor's reference profile: the assignment again (its
      // ranking is a function of the rows), without the steps fitted on the training part.
      const prepared = [...new Set([...rootTransform, ...columnSteps(preApplied)].flatMap((a) => stepOutputs(a.step)))];
      for (const name of order) {
        const chain = chainSql(partRel(name), applied, pre.columns);
        if (applied.length) ctx.options.onSql?.({ id: step.id, label: step.label, title: `table ${name}: steps fitted on ${step.train}, constants inlined`, sql: formatChain(chain, applied) });
        // A large part is written in pieces, each sorted on its own (`partChunks`): the same rows in the same order.
        const of = partChunks(step.parts.find((p) => p.name === name)!.fraction, spec);
        if (name === step.train && sortedTrain) await ctx.db.exec(`DROP TABLE IF EXISTS ${ident(splitTable)}`);
        const pieces = name === step.train && sortedTrain ? [chainSql(sortedTrain, applied, pre.columns).sql] : Array.from({ length: of }, (_, index) => chainSql(partRel(name, of > 1 ? { index, of } : undefined), applied, pre.columns).sql);
        const owns = name === step.train && sortedTrain ? { owns: [ident(trainTable)] } : {};
        const ds = await ctx.materialise(name, pieces[0], { expansions: { ...root.expansions, ...expansions(applied) }, transform, rawTypes: root.rawTypes, append: pieces.slice(1), ...owns });
        if (owns.owns) trainOwned = true;
        ds.raw = { sql: partSql(`(${assign})`, name, spec), prepared };
        if (name === step.train && ds.rows === 0) throw new DataError(`the training part \`${step.train}\` of the split is empty`, undefined, "empty-part");
        sizes.push({ name, rows: ds.rows });
      }
    } finally {
      if (keyed || hashed) await ctx.db.exec(`DROP TABLE IF EXISTS ${ident(splitTable)}`);
      if (keyed && !trainOwned) await ctx.db.exec(`DROP TABLE IF EXISTS ${ident(trainTable)}`);
    }
    // Rows whose column names no part belong to none: say how many, so a typo in a part name shows.
    let unassigned: number | undefined;
    if (step.column) {
      const [{ n }] = await ctx.db.rows(`SELECT count(*) AS n FROM (${pre.sql}) WHERE ${ident(step.column)} IS NULL OR CAST(${ident(step.column)} AS VARCHAR) NOT IN (${step.parts.map((p) => literal(p.name)).join(", ")})`);
      unassigned = Number(n);
    }
    return { kind: "split", input: step.input, parts: step.parts.map((p) => ({ name: p.name, rows: sizes.find((s) => s.name === p.name)!.rows })), unassigned };
  },
};

/**
 * A split whose parts are views (`viewParts`): the rows are held once, in the root. A table keeps
 * each row's part and rank in the input's order (`rankedKeysSql`: 5 bytes a row); each part is a
 * view of the rows before the split paired with their keys by position, sorted by rank, with the
 * fitted steps' constants inlined, and carries the same rows unsorted with their rank (`ranked`),
 * which training reads in the part's order by putting each row at its rank. Writing the parts as tables held every row a second time
 * beside the root (5M rows: ≈ 570 MB more at the split's peak). The keys table goes with the last
 * view; the root lives as long as a part is read (`planLifetimes`).
 */
async function viewSplit(ctx: Parameters<OpDefinition<SplitStep>["run"]>[0], step: SplitStep, how: { rows: string; rowsOf: (table: string) => string; ids: string; assign: string; spec: SplitSpec; typed: TypedColumn[]; columns: string[]; rootTransform: Transform; preApplied: AppliedStep[]; keys: string }): Promise<StepResult> {
  const root = ctx.dataset(step.root);
  const keys = ident(how.keys);
  let owned = false;
  try {
    await ctx.db.exec(`CREATE OR REPLACE TABLE ${keys} AS ${rankedKeysSql(how.ids, how.typed, how.spec)}`);
    const counts = new Map((await ctx.db.rows(`SELECT CAST(${ident(partColumn)} AS VARCHAR) AS part, count(*) AS n FROM ${keys} GROUP BY ALL`)).map((r) => [String(r.part), Number(r.n)]));
    const rows = (name: string) => counts.get(name) ?? 0;
    if (rows(step.train) === 0) throw new DataError(`the training part \`${step.train}\` of the split is empty`, undefined, "empty-part");
    const applied = await fitChain(ctx.db, `(SELECT * EXCLUDE (${rankColumn}) FROM ${rankedPartRows(how.rows, keys, step.train)})`, step.post, how.columns);
    const transform = [...how.rootTransform, ...columnSteps(how.preApplied), ...columnSteps(applied)];
    const prepared = [...new Set([...how.rootTransform, ...columnSteps(how.preApplied)].flatMap((a) => stepOutputs(a.step)))];
    const ranks = applied.every((a) => rankKeeping.has(a.step.kind));
    const pieces = ranks ? await rowPieces(ctx, root.relation, how, [...counts.values()].reduce((a, b) => a + b, 0)) : undefined;
    for (const p of step.parts) {
      const chain = chainSql(sortedPartRows(how.rows, keys, p.name), applied, how.columns);
      if (applied.length) ctx.options.onSql?.({ id: step.id, label: step.label, title: `view ${p.name}: steps fitted on ${step.train}, constants inlined`, sql: formatChain(chain, applied) });
      const rankedSql = (piece?: RowPiece) => chainSql(rankedPartRows(how.rows, keys, p.name, piece), applied, [...how.columns, rankColumn]).sql;
      const ranked = ranks ? { ranked: rankedSql(), ...(pieces ? { rankedPieces: pieces.map(rankedSql) } : {}) } : {};
      // Steps that keep every row keep the keys' count; after one that drops rows the view is counted.
      const ds = await ctx.materialise(p.name, chain.sql, { expansions: { ...root.expansions, ...expansions(applied) }, transform, rawTypes: root.rawTypes, viewOf: step.root, owns: [keys], ...(ranks ? { rows: rows(p.name), ...ranked } : {}) });
      owned = true;
      ds.raw = { sql: partSql(`(${how.assign})`, p.name, how.spec), prepared };
      if (p.name === step.train && ds.rows === 0) throw new DataError(`the training part \`${step.train}\` of the split is empty`, undefined, "empty-part");
    }
    return { kind: "split", input: step.input, parts: step.parts.map((p) => ({ name: p.name, rows: ctx.dataset(p.name).rows })) };
  } finally {
    if (!owned) await ctx.db.exec(`DROP TABLE IF EXISTS ${keys}`);
  }
}

/**
 * The fewest root rows a piece of a view part's read covers (`rowPieces`); LATHE_PIECE_ROWS sets it
 * (tests: pieces of a few rows).
 */
function pieceRows(): number {
  const set = Number(process.env.LATHE_PIECE_ROWS);
  return Number.isInteger(set) && set > 0 ? set : 1 << 18;
}

/**
 * The rows before a view split cut into one range of the root's rows per DuckDB thread (at least
 * `pieceRows` rows each), each with its run of keys, or undefined for a root too small to cut. A
 * part's rows pair each row with its keys by position (`rankedPartRows`), which DuckDB runs on one
 * thread whatever it has; a read of each piece on a connection of its own (`rankedPieces`) runs them
 * on all of them (5M rows, 3.5M × 12 read: bench/RESULTS.md). The cuts are the root's rowids at
 * equal steps; the keys of each range are counted once here, for every part and every read.
 */
async function rowPieces(ctx: Parameters<OpDefinition<SplitStep>["run"]>[0], root: string, how: { rowsOf: (table: string) => string; ids: string }, keyRows: number): Promise<RowPiece[] | undefined> {
  const [{ threads, end }] = await ctx.db.rows(`SELECT current_setting('threads')::INTEGER AS threads, coalesce(max(rowid) + 1, 0) AS "end" FROM ${root}`);
  const n = Math.min(Number(threads), Math.floor(Number(end) / pieceRows()));
  if (!(n >= 2)) return undefined;
  const cuts = Array.from({ length: n - 1 }, (_, i) => Math.round((Number(end) * (i + 1)) / n));
  const [below] = await ctx.db.rows(rowsBelowSql(how.ids, cuts));
  const starts = [0, ...cuts.map((_, i) => Number(below[`below${i}`])), keyRows];
  const bounds = [0, ...cuts, Number(end)];
  return Array.from({ length: n }, (_, i) => ({ rows: how.rowsOf(rowidRange(root, bounds[i], bounds[i + 1])), keys: [starts[i], starts[i + 1]] }));
}

/** Whether a relation is a table with a rowid (a dataset may be a view: a lazy source, a streamed prepare), which no column of its own named rowid hides. */
async function hasRowId(ctx: Parameters<OpDefinition<SplitStep>["run"]>[0], relation: string, columns: string[]): Promise<boolean> {
  if (columns.some((c) => c.toLowerCase() === "rowid")) return false;
  try {
    await ctx.db.describe(`SELECT rowid FROM ${relation}`);
    return true;
  } catch {
    return false;
  }
}

/** `split ... by column C`: each row's part is its value of C (rows naming no part go nowhere). */
export function byColumnSql(input: string, column: string): string {
  return `SELECT *, CAST(${ident(column)} AS VARCHAR) AS ${ident(partColumn)} FROM ${input}`;
}

/** A split result: the size of each part. */
export function renderSplit(r: Extract<StepResult, { kind: "split" }>): Rendered {
  const empty = r.parts.filter((p) => p.rows === 0).map((p) => p.name);
  const notes = [...(r.unassigned ? [`${r.unassigned} rows in no part`] : []), ...(empty.length ? [`empty: ${empty.join(", ")}`] : []), ...(r.note ? [r.note] : [])];
  return { summary: r.parts.map((p) => `${p.name} ${p.rows}`).join(", ") + (notes.length ? ` (${notes.join("; ")})` : ""), parts: [] };
}

/**
 * A split of rows that live on an engine: the steps before it, the portable split and the steps
 * that learn (on the training part) run there (`engineSplit`); only the parts come back, each
 * stored as a DuckDB dataset with the constants learned there, so training runs as for any split.
 */
async function engineSplitStep(ctx: Parameters<OpDefinition<SplitStep>["run"]>[0], step: SplitStep, engine: EngineRef): Promise<StepResult> {
  const conn = await ctx.engine(engine);
  const temp = new Map(step.parts.map((p) => [p.name, ctx.tempName(`engine_${p.name}`)]));
  try {
    const got = await engineSplit(conn, ctx.db, { table: engine.table, pre: step.pre, post: step.post, parts: step.parts, train: step.train, seed: step.seed, stratify: step.stratify, time: step.time, column: step.column }, (name) => temp.get(name)!);
    const preApplied = step.pre.map((s) => ({ step: s }));
    const transform = [...columnSteps(preApplied), ...columnSteps(got.applied)];
    const rawTypes = Object.fromEntries(got.source.map((c) => [c.name, duckTypeOf(c.type)]));
    const prepared = [...new Set(columnSteps(preApplied).flatMap((a) => stepOutputs(a.step)))];
    ctx.options.onSql?.({ id: step.id, label: step.label, title: `parts of ${step.root}, computed on ${engine.engine} (${engine.url})`, sql: got.sql });
    const sizes: { name: string; rows: number }[] = [];
    for (const p of got.parts) {
      if (p.name === step.train && p.rows === 0) throw new DataError(`the training part \`${step.train}\` of the split is empty`, undefined, "empty-part");
      const ds = await ctx.materialise(p.name, `SELECT * FROM ${ident(p.table)}`, { expansions: expansions(got.applied), transform, rawTypes });
      // Its raw rows stay on the engine: `register` brings back the columns its reference profiles.
      ds.raw = { sql: `SELECT ${got.preColumns.map((c) => ch.ident(c.name)).join(", ")} FROM ${got.sql} WHERE ${ch.ident(partColumn)} = ${ch.literal(p.name)}`, prepared, engine: { url: engine.url, userEnv: engine.userEnv, passwordEnv: engine.passwordEnv } };
      sizes.push({ name: p.name, rows: ds.rows });
    }
    return { kind: "split", input: step.input, parts: sizes, unassigned: got.unassigned, note: `ran on ${engine.engine} (${engine.url}); ${got.bytes} bytes of rows came back` };
  } finally {
    for (const t of temp.values()) await ctx.db.exec(`DROP TABLE IF EXISTS ${ident(t)}`);
  }
}
