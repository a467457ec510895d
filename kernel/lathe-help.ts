import { existsSync, readFileSync } from "node:fs";
import type { Session } from "../api/session.js";
import { algorithms, castTypeNames, charts, metricSpec } from "../language/catalog.js";
import { own } from "../language/lookup.js";
import { complete } from "../language/complete.js";
import { keywordWords } from "../language/lexer.js";
import type { CompletionResult, MimeBundle } from "./jupyter/backend.js";

/**
 * Completions for a cell from the language's completion (keywords the grammar allows at the cursor,
 * then the datasets, models, columns, options and metrics that fit there), with what earlier cells
 * defined in scope. Each match's kind goes in Jupyter's `_jupyter_types_experimental`, which
 * JupyterLab shows beside it.
 */
export function completeCell(session: Session, code: string, cursorPos: number): CompletionResult {
  const { items, from, to } = complete(code, cursorPos, {}, { prior: session.known });
  return {
    matches: items.map((i) => i.label),
    cursorStart: from,
    cursorEnd: to,
    metadata: { _jupyter_types_experimental: items.map((i) => ({ start: from, end: to, text: i.label, type: i.kind })) },
  };
}

let grammarSections: Map<string, string> | undefined;
const keywords = new Set(keywordWords);

/** Sections of grammar.md by the keyword in their heading, for `inspect` (shift-tab in notebooks). */
function sections(): Map<string, string> {
  if (grammarSections) return grammarSections;
  grammarSections = new Map();
  // grammar.md sits at the repository root: one folder up from kernel/*.ts, two from dist/kernel/*.js.
  const file = ["../grammar.md", "../../grammar.md"].map((p) => new URL(p, import.meta.url)).find((u) => existsSync(u));
  if (!file) return grammarSections;
  const text = readFileSync(file, "utf8");
  const parts = text.split(/^(?=#{2,3} )/m);
  for (const part of parts) {
    // Headings name their statements: "## Split", "## Validate: evaluate, assert", "### drop, keep".
    const heading = (/^#{2,3} (.*)$/m.exec(part)?.[1] ?? "").toLowerCase();
    const named = heading.includes(":") ? heading.slice(heading.indexOf(":") + 1) : heading;
    for (const word of named.split(/[^a-z_]+/)) {
      if (keywords.has(word) && !grammarSections.has(word)) grammarSections.set(word, part.trim());
    }
  }
  return grammarSections;
}

/**
 * One-paragraph help per statement and preparation step, shown when grammar.md has no section for
 * the word: the syntax first (what a user copies), then what it does.
 */
const statementDocs: Record<string, string> = {
  param: "param NAME = VALUE\nA value the program reads by name (a seed, a threshold); `lathe run --param NAME=VALUE` overrides it.",
  source: 'source NAME = read "PATH" | sql "SELECT ..." | table "T" from "FILE.duckdb"\nCollects a dataset: csv, tsv, json, ndjson or parquet files (globs too), a SQL query or a DuckDB table. Relative paths resolve from the notebook\'s folder, then from node_modules (e.g. "vega-datasets/data/cars.json").',
  read: 'source NAME = read "PATH"\nReads a csv, tsv, json, ndjson or parquet file (the format comes from the extension).',
  sql: 'source NAME = sql "SELECT ..."\nA dataset from a DuckDB query.',
  prepare: "prepare NAME = INPUT { STEP ... }\nCleans and reshapes a dataset, one step per line: drop rows where ..., keep rows where ..., drop duplicates, drop/keep columns, fill COLS with median|mean|mode|VALUE, replace COL A -> B, clip COLS between LO and HI, derive NAME = EXPR, cast COLS as TYPE, trim|lower|upper COLS, scale COLS standard|minmax, bucket COL into N, onehot COLS, rename A to B. Fitted steps (fill with a statistic, scale, bucket, onehot) learn from the training split and travel with the model.",
  drop: "drop rows where CONDITION | drop duplicates [on COLS] | drop columns COLS\nRemoves rows matching a condition, repeated rows, or columns.",
  keep: "keep rows where CONDITION | keep columns COLS\nKeeps only the rows matching a condition, or only the named columns.",
  fill: "fill COLS with median|mean|mode|VALUE\nReplaces missing values; a statistic is learned on the training split.",
  onehot: "onehot COLS\nOne indicator column per category (vocabulary learned on the training split).",
  replace: 'replace COL "OLD" -> "NEW"\nReplaces one value of a column by another.',
  clip: "clip COLS between LOW and HIGH\nLimits values to a range.",
  derive: "derive NAME = EXPRESSION\nAdds a computed column (arithmetic, comparisons, functions).",
  cast: `cast COLS as TYPE\nConverts columns to ${castTypeNames.join(", ")}.`,
  trim: "trim COLS\nRemoves leading and trailing spaces.",
  lower: "lower COLS\nLower-cases text.",
  upper: "upper COLS\nUpper-cases text.",
  scale: "scale COLS standard|minmax\nStandardises (mean 0, std 1) or rescales to [0, 1], with statistics from the training split.",
  bucket: "bucket COL into N\nReplaces a numeric column by its quantile bucket (0..N-1), edges learned on the training split.",
  rename: "rename OLD to NEW\nRenames a column.",
  split: "split INPUT into NAME P%, NAME P%, ... [stratify by COL] [by time on COL] [seed N] | split INPUT into NAME, NAME, ... by column COL\nDivides a dataset into named parts, e.g. train 70%, validation 15%, test 15%. Stratified keeps class shares equal; by time puts the latest rows last; by column takes the parts from the values of a column the data already has.",
  model: "model NAME = ALGORITHM predicting TARGET from DATA { OPTION: VALUE ... }\nTrains a model. Algorithms: logistic_regression, linear_regression, decision_tree, random_forest, gradient_boosting, svm, neural_network; shift-tab on one lists its options.",
  evaluate: "evaluate MODEL on DATA metrics M1, M2, ...\nScores a model on a dataset: accuracy, precision, recall, f1, roc_auc, log_loss for classifiers; mse, rmse, mae, r2 for regressions.",
  assert: "assert MODEL on DATA: METRIC >= BOUND and ...\nA quality gate: the cell (or `lathe run`) fails when a condition does not hold.",
  plot: `plot CHART of MODEL on DATA | plot histogram of DATA columns X | plot scatter of DATA columns X, Y[, COLOR]\nCharts: ${Object.keys(charts).join(", ")}. Shown inline as Vega-Lite, SVG and PNG.`,
  show: "show DATA [limit N]\nThe first rows of a dataset as a table.",
  describe: "describe DATA\nOne row per column: type, count, missing values, distinct values, min, max, mean, std, quartiles, most common value.",
  tune: "tune MODEL over { OPTION: V1, V2, ... } by METRIC on DATA\nSearches model options for the best score.",
  register: 'register MODEL as "NAME"\nAdds the model to the registry under a name, as a new version.',
};

/** Documentation of the word under the cursor: a statement (from grammar.md), an algorithm, an option or a metric. */
export function inspectCell(code: string, cursorPos: number): MimeBundle | undefined {
  let start = cursorPos;
  while (start > 0 && /[A-Za-z0-9_]/.test(code[start - 1])) start--;
  let end = cursorPos;
  while (end < code.length && /[A-Za-z0-9_]/.test(code[end])) end++;
  const word = code.slice(start, end);
  if (!word) return undefined;
  const algo = own(algorithms, word);
  if (algo) {
    const opts = Object.entries(algo.options).map(([k, o]) => `  ${k}: ${o.doc}`);
    const text = `${word} (${algo.tasks.join(", ")})\n${algo.doc}\n\noptions:\n${opts.join("\n")}`;
    return { "text/plain": text, "text/markdown": `**${word}** (${algo.tasks.join(", ")})\n\n${algo.doc}\n\n${Object.entries(algo.options).map(([k, o]) => `- \`${k}\`: ${o.doc}`).join("\n")}` };
  }
  const metric = metricSpec(word);
  if (metric) return { "text/plain": `${word} (${metric.task} metric)\n${metric.doc}`, "text/markdown": `**${word}** (${metric.task} metric)\n\n${metric.doc}` };
  for (const a of Object.values(algorithms)) {
    const o = own(a.options, word);
    if (o) return { "text/plain": `${word} (model option, ${o.type})\n${o.doc}`, "text/markdown": `**${word}** (model option, ${o.type})\n\n${o.doc}` };
  }
  const chart = charts[word];
  if (chart) return { "text/plain": `plot ${word}\n${chart.doc}`, "text/markdown": `**plot ${word}**\n\n${chart.doc}` };
  const section = sections().get(word);
  if (section) return { "text/plain": section, "text/markdown": section };
  const doc = statementDocs[word];
  if (doc) {
    const [syntax, ...rest] = doc.split("\n");
    return { "text/plain": doc, "text/markdown": `\`${syntax}\`\n\n${rest.join("\n")}` };
  }
  return undefined;
}
