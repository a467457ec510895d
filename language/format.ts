import { assertNever } from "./assert-never.js";
import type * as A from "./ast.js";
import type { Diagnostic } from "./diagnostic.js";
import { isIdentifier } from "./identifier.js";
import { parse } from "./parse.js";
import { quantityText } from "./quantity.js";

/**
 * The canonical layout of a Lathe program, printed from the AST plus the comments the parser
 * collected: one statement per line, blocks (`{ ... }`) one item per line indented by two spaces,
 * no semicolons, single spaces around operators, minimal parentheses, `of` in `plot`, explicit
 * `standard` in `scale`. Comments stay where they were relative to statements and block items
 * (a comment inside a one-line construct moves to the line after it); runs of blank lines between
 * statements or block items become one blank line. Printing is idempotent: formatting the output
 * again changes nothing (a property test holds it to that).
 */

export interface FormatResult {
  /** The formatted text; absent when the input has syntax errors. */
  text?: string;
  diagnostics: Diagnostic[];
}

/** Formats Lathe source text; refuses (no `text`) when it has syntax errors, since the AST would be missing parts. */
export function format(text: string): FormatResult {
  const { program, diagnostics } = parse(text);
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  return { text: new Printer(text, program.comments).program(program), diagnostics };
}

const INDENT = "  ";
const reserved = new Set(["and", "or", "not", "is", "missing", "between", "in", "true", "false", "null"]);

/** Whether a column name can be written bare. */
function bare(name: string): boolean {
  return isIdentifier(name) && !reserved.has(name);
}

function escape(s: string, quote: string): string {
  return s.replace(/[\\\n\r\t\0]/g, (c) => ({ "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0" })[c]!).split(quote).join("\\" + quote);
}

function dq(s: string): string {
  return `"${escape(s, '"')}"`;
}

function column(n: A.Name): string {
  return n.quoted || !bare(n.text) ? dq(n.text) : n.text;
}

function columns(ns: A.Name[]): string {
  return ns.map(column).join(", ");
}

function literal(l: A.Literal): string {
  if (typeof l.value === "number") return `${l.value}${l.percent ? "%" : ""}`;
  if (typeof l.value === "string") return dq(l.value);
  return String(l.value);
}

function optionValue(v: A.OptionValue): string {
  if (v.kind === "literal") return literal(v);
  if (v.kind === "name") return v.name.text;
  return `[${v.items.map(optionValue).join(", ")}]`;
}

function optionEntry(o: A.OptionEntry): string {
  return `${o.key.text}: ${o.values.map(optionValue).join(", ")}`;
}

/** `==` is how `=` is written where only comparison operators are allowed. */
function compareOp(op: A.AssertCondition["op"]): string {
  return op === "=" ? "==" : op;
}

function registryRef(r: A.RegistryRef): string {
  return `${dq(r.name.value)}${r.version !== undefined ? ` version ${r.version}` : ""}`;
}

function output(o: A.OutputTarget): string {
  if (o.kind === "file") return dq(o.path.value);
  if (o.kind === "table") return `table ${dq(o.table.value)} in ${dq(o.database.value)}`;
  return `table ${dq(o.table.value)}${o.engine && o.url ? ` in ${o.engine.text} ${dq(o.url.value)}` : ""}`;
}

function threshold(t: A.Threshold): string {
  return `${t.signal.text}${t.qualifier ? ` ${t.qualifier.text}` : ""} ${compareOp(t.op)} ${quantityText(t.bound)}`;
}

const precedence: Record<string, number> = { or: 1, and: 2, "=": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6 };

function exprPrecedence(e: A.Expr): number {
  switch (e.kind) {
    case "binary":
      return precedence[e.op];
    case "unary":
      return e.op === "not" ? 3 : 7;
    case "is-missing":
    case "between":
    case "in":
      return 4;
    case "literal":
    case "column":
    case "call":
      return 8;
    default:
      return assertNever(e, "expression");
  }
}

/** An expression with the parentheses its context needs: `min` is the loosest precedence allowed bare. */
export function expr(e: A.Expr, min = 1): string {
  const s = exprText(e);
  return exprPrecedence(e) < min ? `(${s})` : s;
}

function exprText(e: A.Expr): string {
  switch (e.kind) {
    case "literal":
      return typeof e.value === "string" ? `'${escape(e.value, "'")}'` : String(e.value);
    case "column":
      return column(e.name);
    case "call":
      return `${e.fn.text}(${e.args.map((a) => expr(a)).join(", ")})`;
    case "unary":
      return e.op === "not" ? `not ${expr(e.operand, 3)}` : `-${expr(e.operand, 7)}`;
    case "binary": {
      const p = precedence[e.op];
      // Comparisons take additive operands on both sides; the others associate to the left.
      const left = p === 4 ? expr(e.left, 5) : expr(e.left, p);
      const right = p === 4 ? expr(e.right, 5) : expr(e.right, p + 1);
      return `${left} ${e.op} ${right}`;
    }
    case "is-missing":
      return `${expr(e.operand, 5)} is ${e.negated ? "not " : ""}missing`;
    case "between":
      return `${expr(e.operand, 5)} ${e.negated ? "not " : ""}between ${expr(e.low, 5)} and ${expr(e.high, 5)}`;
    case "in":
      return `${expr(e.operand, 5)} ${e.negated ? "not " : ""}in (${e.items.map((i) => expr(i, 5)).join(", ")})`;
    default:
      return assertNever(e, "expression");
  }
}

/** One prepare step on one line. */
export function step(s: A.PrepareStep): string {
  switch (s.kind) {
    case "drop-rows":
      return `drop rows where ${expr(s.where)}`;
    case "keep-rows":
      return `keep rows where ${expr(s.where)}`;
    case "drop-duplicates":
      return `drop duplicates${s.on.length ? ` on ${columns(s.on)}` : ""}`;
    case "drop-columns":
      return `drop columns ${columns(s.columns)}`;
    case "keep-columns":
      return `keep columns ${columns(s.columns)}`;
    case "fill":
      return `fill ${columns(s.columns)} with ${s.strategy === "value" && s.value ? literal(s.value) : s.strategy}`;
    case "onehot":
      return `onehot ${columns(s.columns)}`;
    case "replace":
      return `replace ${column(s.column)} ${literal(s.from)} -> ${literal(s.to)}`;
    case "clip":
      return `clip ${columns(s.columns)} between ${literal(s.low)} and ${literal(s.high)}`;
    case "derive":
      return `derive ${column(s.name)} = ${expr(s.expr)}`;
    case "cast":
      return `cast ${columns(s.columns)} as ${s.type.text}`;
    case "text":
      return `${s.op} ${columns(s.columns)}`;
    case "scale":
      return `scale ${columns(s.columns)} ${s.method}`;
    case "bucket":
      return `bucket ${column(s.column)} into ${s.count}`;
    case "rename":
      return `rename ${column(s.from)} to ${column(s.to)}`;
    default:
      return assertNever(s, "prepare step");
  }
}

interface Item {
  text: string;
  span: A.Name["span"];
}

/** Writes lines, weaving in comments by source position. */
class Printer {
  private readonly lines: string[] = [];
  private next = 0;
  /** Source offset where the last printed thing ended; -1 at the start of a block (no blank line there). */
  private lastEnd = -1;

  constructor(
    private readonly source: string,
    private readonly comments: A.Comment[],
  ) {}

  program(p: A.Program): string {
    for (const s of p.statements) this.statement(s);
    this.leading(Infinity, "");
    return this.lines.length ? this.lines.join("\n") + "\n" : "";
  }

  /** A blank line when the source had one between the last printed thing and `start`. */
  private gap(start: number): void {
    if (this.lastEnd >= 0 && /\n[ \t]*\r?\n/.test(this.source.slice(this.lastEnd, start))) this.lines.push("");
  }

  /** Comments that start before `before`, each on its own line. */
  private leading(before: number, indent: string): void {
    while (this.next < this.comments.length && this.comments[this.next].span.start < before) {
      const c = this.comments[this.next++];
      this.gap(c.span.start);
      this.lines.push(indent + c.text);
      this.lastEnd = Math.max(this.lastEnd, c.span.end);
    }
  }

  /** A comment on the same line right after an item stays at the end of that line. */
  private trailing(end: number, endLine: number): void {
    const c = this.comments[this.next];
    // Only punctuation may sit between: `a: 1; b: 2 # note` belongs to `b`, not `a`.
    if (c && c.span.start >= end && c.span.line === endLine && this.lines.length && /^[\s;,})\]]*$/.test(this.source.slice(end, c.span.start))) {
      this.lines[this.lines.length - 1] += " " + c.text;
      this.lastEnd = c.span.end;
      this.next++;
    }
  }

  private line(indent: string, text: string, span: A.Name["span"]): void {
    this.leading(span.start, indent);
    this.gap(span.start);
    this.lines.push(indent + text);
    this.lastEnd = span.end;
    // Comments inside a construct printed on one line follow it on their own lines.
    if (this.next < this.comments.length && this.comments[this.next].span.start < span.end) this.leading(span.end, indent);
    else this.trailing(span.end, span.endLine);
  }

  /** `head {` items `}tail`, one item per line. */
  private block(head: string, items: Item[], tail: string, span: A.Name["span"], end = span.end): void {
    this.leading(span.start, "");
    this.gap(span.start);
    const hasInnerComments = this.next < this.comments.length && this.comments[this.next].span.start < end;
    if (!items.length && !hasInnerComments) {
      this.lines.push(`${head} {}${tail}`);
      this.lastEnd = span.end;
      this.trailing(span.end, span.endLine);
      return;
    }
    this.lines.push(`${head} {`);
    this.lastEnd = -1;
    for (const item of items) this.line(INDENT, item.text, item.span);
    this.leading(end, INDENT);
    this.lines.push(`}${tail}`);
    this.lastEnd = span.end;
    this.trailing(span.end, span.endLine);
  }

  private optionItems(options: A.OptionEntry[]): Item[] {
    return options.map((o) => ({ text: optionEntry(o), span: o.span }));
  }

  private statement(s: A.Statement): void {
    const one = (text: string) => this.line("", text, s.span);
    switch (s.kind) {
      case "param":
        return one(`param ${s.name.text} = ${literal(s.value)}`);
      case "source": {
        const src = s.source;
        const snapshot = s.snapshot ? " snapshot" : "";
        if (src.kind === "sql") return one(`source ${s.name.text} = sql ${dq(src.query.value)}${snapshot}`);
        if (src.kind === "table") {
          const head = `source ${s.name.text} = table ${dq(src.table.value)} from ${src.engine ? `${src.engine.text} ` : ""}${dq(src.database.value)}`;
          if (!src.options?.length) return one(head + snapshot);
          return this.block(`${head} with`, this.optionItems(src.options), snapshot, s.span);
        }
        const head = `source ${s.name.text} = read ${dq(src.path.value)}${src.format ? ` format ${src.format.text}` : ""}`;
        if (!src.options.length) return one(head + snapshot);
        return this.block(`${head} with`, this.optionItems(src.options), snapshot, s.span);
      }
      case "prepare":
        return this.block(
          `prepare ${s.name.text} = ${s.input.text}`,
          s.steps.map((x) => ({ text: step(x), span: x.span })),
          "",
          s.span,
        );
      case "split": {
        let text = `split ${s.input.text} into ${s.parts.map((p) => `${p.name.text}${p.percent !== undefined ? ` ${p.percent}%` : ""}`).join(", ")}`;
        if (s.column) text += ` by column ${column(s.column)}`;
        if (s.stratify) text += ` stratify by ${column(s.stratify)}`;
        if (s.time) text += ` by time on ${column(s.time)}`;
        if (s.seed) text += ` seed ${s.seed.kind === "name" ? s.seed.name.text : literal(s.seed)}`;
        if (s.hash) text += ` hash ${s.hash.text}`;
        return one(text);
      }
      case "model": {
        const head = `model ${s.name.text} = ${s.algorithm.text} predicting ${column(s.target)} from ${s.input.text}`;
        if (!s.options.length) return one(head);
        return this.block(head, this.optionItems(s.options), "", s.span);
      }
      case "evaluate":
        return one(`evaluate ${s.model.text} on ${s.data.text}${s.metrics.length ? ` metrics ${s.metrics.map((m) => m.text).join(", ")}` : ""}`);
      case "assert":
        return one(`assert ${s.model.text} on ${s.data.text}: ${s.conditions.map((c) => `${c.metric.text} ${compareOp(c.op)} ${literal(c.bound)}`).join(" and ")}`);
      case "plot": {
        let text = `plot ${s.chart.text} of ${s.target.text}`;
        if (s.data) text += ` on ${s.data.text}`;
        if (s.columns.length) text += ` columns ${columns(s.columns)}`;
        if (s.path) text += ` to ${dq(s.path.value)}`;
        return one(text);
      }
      case "show":
        return one(`show ${s.target.text}${s.limit !== undefined ? ` limit ${s.limit}` : ""}`);
      case "describe":
        return one(`describe ${s.target.text}`);
      case "tune": {
        let tail = ` by ${s.metric.text} on ${s.data.text}`;
        if (s.trials !== undefined) tail += ` trials ${s.trials}`;
        if (s.search) tail += ` search ${s.search}`;
        // The block ends before `by`: comments after the last option belong inside it.
        const end = s.space.length ? s.metric.span.start : s.span.end;
        return this.block(`tune ${s.model.text} over`, this.optionItems(s.space), tail, s.span, end);
      }
      case "register":
        return one(`register ${s.model.text} as ${dq(s.as.value)}`);
      case "promote":
        return one(`promote ${registryRef(s.target)}${s.alias ? ` to ${s.alias.text}` : ""}`);
      case "rollback":
        return one(`rollback ${dq(s.name.value)}${s.version !== undefined ? ` to version ${s.version}` : ""}`);
      case "deploy":
        return one(`deploy ${registryRef(s.target)} batch from ${s.data.text} to ${output(s.output)}`);
      case "save":
        return one(`save ${s.data.text} to ${output(s.output)}`);
      case "serve":
        return one(`serve ${registryRef(s.target)}${s.port !== undefined ? ` port ${s.port}` : ""}`);
      case "export":
        return one(`export ${registryRef(s.target)} to ${dq(s.path.value)}${s.form ? ` for ${s.form.text}` : ""}`);
      case "monitor":
        return this.block(
          `monitor ${registryRef(s.target)}`,
          s.rules.map((r) => ({ text: r.kind === "drift" ? `drift on ${columns(r.columns)}${r.method ? ` using ${r.method.text}` : ""}` : threshold(r.threshold), span: r.span })),
          "",
          s.span,
        );
      case "retrain":
        return one(`retrain ${registryRef(s.target)} ${s.triggers.map((t) => (t.kind === "schedule" ? `every ${t.count !== 1 ? `${t.count} ` : ""}${t.unit.text}` : `when ${threshold(t.threshold)}`)).join(" or ")}`);
      default:
        return assertNever(s, "statement");
    }
  }
}
