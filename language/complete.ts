import type { IToken, TokenType } from "chevrotain";
import { algorithms, castTypeNames, charts, chartSpec, commonOptions, driftMethods, metricNames, metrics, scheduleUnitNames, signals, sourceEngines, sourceFormatOf, sourceFormats, sourceOptions, type OptionSpec, type SourceOptionSpec, type Task } from "./catalog.js";
import { check, type CheckedProgram, type SourceSchema } from "./checker.js";
import { nameText } from "./identifier.js";
import { K, latheLexer, unquote } from "./lexer.js";
import { has, own } from "./lookup.js";
import { defaultAlias, modelAliases } from "./model-ref.js";
import { parse } from "./parse.js";
import { parser } from "./parser.js";
import type { Schema } from "./schema.js";
import { statementKeywords } from "./statements.js";

export type CompletionKind = "keyword" | "dataset" | "model" | "column" | "option" | "metric" | "algorithm" | "chart" | "param";

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  detail?: string;
}

/** What may be written at the cursor, and the range of text (`from`..`to`) a chosen item replaces. */
export interface Completions {
  items: CompletionItem[];
  from: number;
  to: number;
}

export interface CompleteOptions {
  /** What earlier notebook cells defined (`Session.known`): their datasets, models and params are in scope. */
  prior?: Omit<CheckedProgram, "program">;
}

const keywordOf = new Map<TokenType, string>(Object.entries(K).map(([word, t]) => [t, word]));
const statementStarts = new Set(statementKeywords.map((w) => K[w]));

/**
 * Completion at `offset`: the keywords the grammar allows there (Chevrotain's content assist over
 * the tokens of the current statement, see CONTEXT.md), and the names that fit the position —
 * datasets, models, columns of the dataset in scope, option names of the algorithm, metrics for
 * the model's task, charts. Only items starting with the word being typed are returned.
 */
export function complete(text: string, offset: number, schemas: Record<string, SourceSchema> = {}, options: CompleteOptions = {}): Completions {
  offset = Math.max(0, Math.min(offset, text.length));
  const word = wordAt(text, offset);
  const empty = { items: [], from: word.from, to: word.to };
  const lexed = latheLexer.tokenize(text.slice(0, word.from));
  if (inComment(text, offset)) return empty;
  const tokens = lexed.tokens.filter((t) => t.tokenType.name !== "UnterminatedString");

  // What the program defines before the cursor, for names and columns.
  const parsed = parse(text);
  const before = { ...parsed.program, statements: parsed.program.statements.filter((s) => s.span.end <= word.from) };
  const known = check(before, schemas, {}, options.prior).checked;
  const registered = new Map(before.statements.flatMap((s) => (s.kind === "register" ? [[s.as.value, s.model.text] as const] : [])));

  // Content assist needs a valid prefix, so it starts at the last whole statement before the cursor
  // (which may go on: `evaluate m on test |` takes `metrics`), not at the file's start.
  const lastStart = before.statements.at(-1)?.span.start ?? 0;
  let start = tokens.findIndex((t) => t.startOffset >= lastStart);
  if (start < 0) start = tokens.length;
  let paths = parser.computeContentAssist("program", tokens.slice(start));
  if (!paths.length) {
    for (let i = tokens.length - 1; i >= start && !paths.length; i--) {
      if (statementStarts.has(tokens[i].tokenType)) {
        start = i;
        paths = parser.computeContentAssist("program", tokens.slice(start));
      }
    }
  }
  // The statement the cursor is in: after the last whole statement, unless nothing follows it yet.
  const lastEnd = before.statements.at(-1)?.span.end ?? 0;
  const rest = tokens.slice(start).filter((t) => t.startOffset >= lastEnd);
  const statement = rest.length ? rest : tokens.slice(start);
  const ctx = new Context(statement, known, registered);

  const names: CompletionItem[] = [];
  const keywords: CompletionItem[] = [];
  for (const p of paths) {
    const kw = keywordOf.get(p.nextTokenType);
    if (kw) {
      keywords.push({ label: kw, kind: "keyword" });
      continue;
    }
    if (p.nextTokenType.name !== "Name" && p.nextTokenType.name !== "QuotedString") continue;
    names.push(...ctx.namesFor(p.ruleStack[p.ruleStack.length - 1], p.nextTokenOccurrence, p.ruleStack));
  }

  if (ctx.namesOnly) keywords.length = 0;
  const prefix = word.prefix.toLowerCase();
  const seen = new Set<string>();
  const items = [...names, ...keywords]
    .map((i) => (word.quoted && i.kind === "column" && !i.label.startsWith('"') ? { ...i, label: JSON.stringify(i.label) } : i))
    // A bare word also finds a name that needs quotes by its text: `fill vib` offers `"vibration mm/s"`.
    .filter((i) => (i.label.toLowerCase().startsWith(prefix) || (!word.quoted && i.label.startsWith('"') && i.label.slice(1).toLowerCase().startsWith(prefix))) && (!word.quoted || i.label.startsWith('"')))
    .filter((i) => {
      const key = `${i.kind}:${i.label}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  return { items, from: word.from, to: word.to };
}

/** A character of a bare name (language/identifier.ts): `caf|é` completes as one word. */
const nameChar = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]/u;

/** The word being typed: a bare word, or an open `"quoted name` (the quote included in the prefix). */
function wordAt(text: string, offset: number): { from: number; to: number; prefix: string; quoted: boolean } {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const line = text.slice(lineStart, offset);
  let open = -1;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "\\") i++;
    else if (ch === '"' ) open = open < 0 ? i : -1;
    else if (ch === "#" && open < 0) break;
  }
  if (open >= 0) {
    const from = lineStart + open;
    return { from, to: offset, prefix: text.slice(from, offset), quoted: true };
  }
  let from = offset;
  while (from > 0 && nameChar.test(text[from - 1])) from--;
  let to = offset;
  while (to < text.length && nameChar.test(text[to])) to++;
  return { from, to, prefix: text.slice(from, offset), quoted: false };
}

function inComment(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  let quote = "";
  for (let i = lineStart; i < offset; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "#") return true;
  }
  return false;
}

const quoteName = nameText;

/** Reads the current statement's tokens to tell what a name position refers to. */
class Context {
  private readonly words: string[];
  /** Set when only names fit (a `features:` list), so literal keywords like `true` are not offered. */
  namesOnly = false;

  constructor(
    private readonly tokens: IToken[],
    private readonly known: Omit<CheckedProgram, "program">,
    private readonly registered: Map<string, string>,
  ) {
    this.words = tokens.map((t) => t.image);
  }

  /** The token after the first `word` in the statement. */
  private after(word: string): string | undefined {
    const i = this.words.indexOf(word);
    return i >= 0 ? this.words[i + 1] : undefined;
  }

  private datasets(): CompletionItem[] {
    return Object.values(this.known.datasets).map((d) => ({ label: d.name, kind: "dataset" as const, detail: `${d.kind}, ${d.schema.length} columns` }));
  }

  private models(task?: Task): CompletionItem[] {
    return Object.values(this.known.models)
      .filter((m) => !task || m.task === task)
      .map((m) => ({ label: m.name, kind: "model" as const, detail: `${m.algorithm} predicting ${m.target}` }));
  }

  private metricItems(task?: Task): CompletionItem[] {
    return metricNames(task).map((name) => ({ label: name, kind: "metric" as const, detail: metrics[name].doc }));
  }

  private modelOfStatement(): CheckedProgram["models"][string] | undefined {
    const first = this.words[0];
    const name = first === "tune" || first === "evaluate" || first === "assert" || first === "register" ? this.words[1] : first === "plot" ? this.after("of") : undefined;
    if (first === "monitor" || first === "retrain" || first === "deploy" || first === "serve" || first === "export" || first === "promote") {
      const reg = this.tokens[1]?.tokenType.name.endsWith("String") ? this.registered.get(unquote(this.words[1])) : undefined;
      return reg ? own(this.known.models, reg) : undefined;
    }
    return name ? own(this.known.models, name) : undefined;
  }

  /** The dataset whose columns are in scope at the cursor. */
  private scope(): Schema | undefined {
    const first = this.words[0];
    const ds = (n: string | undefined) => (n ? own(this.known.datasets, n)?.schema : undefined);
    if (first === "prepare") return ds(this.words[3]);
    if (first === "split") return ds(this.words[1]);
    if (first === "model") return ds(this.after("from"));
    if (first === "plot") return ds(this.after("of") ?? this.words[2]);
    const model = this.modelOfStatement();
    if (model) {
      const schema = ds(model.input) ?? [];
      return [...schema, ...model.features.filter((f) => !schema.some((c) => c.name === f)).map((f) => ({ name: f, type: "other" as const }))];
    }
    return undefined;
  }

  private columns(): CompletionItem[] {
    const scope = this.scope();
    const cols = scope ?? Object.values(this.known.datasets).flatMap((d) => d.schema);
    return cols.map((c) => ({ label: quoteName(c.name), kind: "column" as const, detail: c.type }));
  }

  /** The option key whose value is being written: the last `key:` in the current block. */
  private currentKey(): string | undefined {
    for (let i = this.tokens.length - 1; i > 0; i--) {
      if (this.tokens[i].tokenType.name === "Colon") return this.words[i - 1];
      if (this.tokens[i].tokenType.name === "LBrace" || this.tokens[i].tokenType.name === "Semicolon") return undefined;
    }
    return undefined;
  }

  /** The options of the statement's option block: the algorithm's, or the source format's. */
  private optionsOfStatement(): Record<string, OptionSpec | SourceOptionSpec> | undefined {
    if (this.words[0] === "source" && this.words[3] === "read" && this.tokens[4]?.tokenType.name.endsWith("String")) {
      const f = this.words.indexOf("format");
      const format = sourceFormatOf(unquote(this.words[4]), f > 0 ? this.words[f + 1] : undefined);
      return format ? sourceOptions[format] : undefined;
    }
    return own(algorithms, this.algorithmOfStatement() ?? "")?.options;
  }

  private algorithmOfStatement(): string | undefined {
    if (this.words[0] === "model") return this.words[3];
    if (this.words[0] === "tune") return own(this.known.models, this.words[1])?.algorithm;
    return undefined;
  }

  /** Name items for a name position: `rule` is the innermost grammar rule, `occurrence` which of its names (0 = first). */
  namesFor(rule: string, occurrence: number, stack: string[]): CompletionItem[] {
    const key = `${rule}:${occurrence}`;
    const model = this.modelOfStatement();
    const keywords = (words: string[], detail?: (w: string) => string) => words.map((w) => ({ label: w, kind: "keyword" as const, detail: detail?.(w) }));
    switch (key) {
      case "prepareStatement:2":
      case "splitStatement:0":
      case "modelStatement:3":
      case "evaluateStatement:2":
      case "assertStatement:2":
      case "plotStatement:3":
      case "showStatement:0":
      case "tuneStatement:3":
      case "deployStatement:0":
      case "saveStatement:0":
        return this.datasets();
      case "describeStatement:0":
        return [...this.datasets(), ...this.models()];
      case "evaluateStatement:0":
      case "assertStatement:0":
      case "tuneStatement:0":
      case "registerStatement:0":
        return this.models();
      case "modelStatement:2":
        return Object.entries(algorithms).map(([name, a]) => ({ label: name, kind: "algorithm" as const, detail: a.doc }));
      case "evaluateStatement:3":
      case "assertCondition:0":
      case "tuneStatement:2":
        return this.metricItems(model?.task);
      case "plotStatement:0":
        return Object.entries(charts).map(([name, c]) => ({ label: name, kind: "chart" as const, detail: c.doc }));
      case "plotStatement:2": {
        const chart = chartSpec(this.words[1]);
        return chart?.needs === "dataset" ? this.datasets() : chart?.needs === "model" ? this.models() : [...this.models(), ...this.datasets()];
      }
      case "splitPart:0":
        return keywords(["train", "validation", "test"]);
      case "sourceStatement:2":
        return keywords([...sourceFormats]);
      case "sourceStatement:3":
        return keywords([...sourceEngines]);
      case "castStep:0":
        return keywords(castTypeNames);
      case "literalOrName:0":
        return Object.keys(this.known.params).map((p) => ({ label: p, kind: "param" as const, detail: String(this.known.params[p]) }));
      case "threshold:0":
        return [
          ...Object.entries(signals).map(([name, s]) => ({ label: name, kind: "metric" as const, detail: s.doc })),
          ...this.metricItems(model?.task),
        ];
      case "threshold:2":
        return keywords(own(signals, this.words[this.words.length - 1])?.qualifiers ?? signals.latency.qualifiers!);
      case "monitorRule:0":
        return keywords(Object.keys(driftMethods), (m) => driftMethods[m]);
      case "retrainTrigger:0":
        return keywords(scheduleUnitNames);
      case "promoteStatement:0":
        // `promote "name" to |`: any word is an alias; these are the usual ones.
        return keywords(["production", "staging", defaultAlias], (a) => (a === defaultAlias ? modelAliases[a] : `the version \`${a}\` names (\`NAME@${a}\`)`));
      case "column:0":
      case "primary:0":
        return this.columns();
      case "optionEntry:0": {
        const options = this.optionsOfStatement();
        if (!options) return [];
        const tuning = this.words[0] === "tune";
        return Object.entries(options)
          .filter(([name]) => !tuning || !has(commonOptions, name))
          .map(([name, o]) => ({ label: name, kind: "option" as const, detail: o.doc }));
      }
      case "optionValue:0": {
        const k = this.currentKey();
        if (k === "features") {
          this.namesOnly = true;
          return this.columns();
        }
        const options = this.optionsOfStatement();
        const spec = options && own<OptionSpec | SourceOptionSpec>(options, k ?? "");
        if (spec && "type" in spec && spec.type === "dataset") {
          this.namesOnly = true;
          return this.datasets();
        }
        if (spec && "choices" in spec && spec.choices) return keywords(spec.choices);
        if (spec && "kind" in spec && k === "delimiter") return keywords(["tab", "comma", "semicolon", "pipe", "space"]);
        return Object.keys(this.known.params).map((p) => ({ label: p, kind: "param" as const }));
      }
      case "text:0":
        // A registry name: offer the ones this program registers.
        if (stack.includes("registryRef")) return [...this.registered.keys()].map((n) => ({ label: JSON.stringify(n), kind: "model" as const, detail: `registered from ${this.registered.get(n)}` }));
        return [];
      default:
        return [];
    }
  }
}
