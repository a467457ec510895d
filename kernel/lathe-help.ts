import { existsSync, readFileSync } from "node:fs";
import type { Session } from "../api/session.js";
import { algorithms, charts, metrics } from "../language/catalog.js";
import { keywordWords } from "../language/lexer.js";
import type { CompletionResult, MimeBundle } from "./jupyter/backend.js";

/** The word (or open quoted name) that ends at `pos`: where a completion would go. */
function wordAt(code: string, pos: number): { start: number; end: number; text: string; quoted: boolean } {
  let start = pos;
  while (start > 0 && /[A-Za-z0-9_]/.test(code[start - 1])) start--;
  const lineStart = code.lastIndexOf("\n", pos - 1) + 1;
  const before = code.slice(lineStart, pos);
  const quotes = (before.match(/"/g) ?? []).length;
  if (quotes % 2 === 1) {
    const q = code.lastIndexOf('"', pos - 1);
    return { start: q, end: pos, text: code.slice(q + 1, pos), quoted: true };
  }
  let end = pos;
  while (end < code.length && /[A-Za-z0-9_]/.test(code[end])) end++;
  return { start, end, text: code.slice(start, pos), quoted: false };
}

function quoteName(n: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(n) ? n : JSON.stringify(n);
}

/** Completions for a cell: keywords, dataset and model names, columns, algorithms, options and metrics. */
export function completeCell(session: Session, code: string, cursorPos: number): CompletionResult {
  const w = wordAt(code, cursorPos);
  const known = session.known;
  const columns = new Set(Object.values(known.datasets).flatMap((d) => d.schema.map((c) => c.name)));
  const pool = w.quoted
    ? [...columns].map((c) => JSON.stringify(c))
    : [
        ...[...columns].map(quoteName),
        ...Object.keys(known.datasets),
        ...Object.keys(known.models),
        ...Object.keys(known.params),
        ...Object.keys(algorithms),
        ...Object.keys(metrics),
        ...Object.keys(charts),
        ...new Set(Object.values(algorithms).flatMap((a) => Object.keys(a.options))),
        ...keywordWords,
      ];
  const prefix = w.quoted ? `"${w.text}`.toLowerCase() : w.text.toLowerCase();
  const matches = [...new Set(pool)].filter((m) => m.toLowerCase().startsWith(prefix)).sort((a, b) => a.localeCompare(b));
  return { matches, cursorStart: w.start, cursorEnd: w.quoted ? cursorPos : w.end, metadata: {} };
}

let grammarSections: Map<string, string> | undefined;

/** Sections of grammar.md by the keyword in their heading, for `inspect` (shift-tab in notebooks). */
function sections(): Map<string, string> {
  if (grammarSections) return grammarSections;
  grammarSections = new Map();
  const file = new URL("../../grammar.md", import.meta.url);
  if (!existsSync(file)) return grammarSections;
  const text = readFileSync(file, "utf8");
  const parts = text.split(/^(?=#{2,3} )/m);
  for (const part of parts) {
    const heading = /^#{2,3} (.*)$/m.exec(part)?.[1] ?? "";
    for (const m of heading.matchAll(/`([a-z_]+)/g)) if (!grammarSections.has(m[1])) grammarSections.set(m[1], part.trim());
  }
  return grammarSections;
}

/** Documentation of the word under the cursor: a statement (from grammar.md), an algorithm, an option or a metric. */
export function inspectCell(code: string, cursorPos: number): MimeBundle | undefined {
  let start = cursorPos;
  while (start > 0 && /[A-Za-z0-9_]/.test(code[start - 1])) start--;
  let end = cursorPos;
  while (end < code.length && /[A-Za-z0-9_]/.test(code[end])) end++;
  const word = code.slice(start, end);
  if (!word) return undefined;
  const algo = algorithms[word];
  if (algo) {
    const opts = Object.entries(algo.options).map(([k, o]) => `  ${k}: ${o.doc}`);
    const text = `${word} (${algo.tasks.join(", ")})\n${algo.doc}\n\noptions:\n${opts.join("\n")}`;
    return { "text/plain": text, "text/markdown": `**${word}** (${algo.tasks.join(", ")})\n\n${algo.doc}\n\n${Object.entries(algo.options).map(([k, o]) => `- \`${k}\`: ${o.doc}`).join("\n")}` };
  }
  const metric = metrics[word];
  if (metric) return { "text/plain": `${word} (${metric.task} metric)\n${metric.doc}`, "text/markdown": `**${word}** (${metric.task} metric)\n\n${metric.doc}` };
  for (const a of Object.values(algorithms)) {
    const o = a.options[word];
    if (o) return { "text/plain": `${word} (model option, ${o.type})\n${o.doc}`, "text/markdown": `**${word}** (model option, ${o.type})\n\n${o.doc}` };
  }
  const chart = charts[word];
  if (chart) return { "text/plain": `plot ${word}\n${chart.doc}`, "text/markdown": `**plot ${word}**\n\n${chart.doc}` };
  const section = sections().get(word);
  if (section) return { "text/plain": section, "text/markdown": section };
  return undefined;
}
