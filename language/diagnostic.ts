/** A half-open range of source offsets with 1-based line/column of its start and end. */
export interface Span {
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type Severity = "error" | "warning" | "info";

/** The one diagnostic shape used by the parser, the checker, the runtime and every surface. */
export interface Diagnostic {
  /** Kebab-case, stable: `unknown-column`, `syntax-error`. */
  code: string;
  message: string;
  severity: Severity;
  span: Span;
  /** "did you mean" candidates, best first. */
  suggestions?: string[];
  /** Fix-its: what would resolve it, at a place that may be elsewhere in the program. */
  hints?: Hint[];
}

/** A fix-it: what to change, where, and the change as an edit an editor can apply. */
export interface Hint {
  /** In words: "add `task: classification` to `m`". */
  message: string;
  /** The statement to change. */
  span: Span;
  /** Replace the text of `edit.span` with `edit.text` (an empty span inserts). */
  edit?: { span: Span; text: string };
}

/** Computes line starts once so spans can be built from offsets cheaply. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  /** Line (0-based) of the last lookup: spans are mostly asked for in source order, so it is usually still right. */
  private hint = 0;

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const h = this.hint;
    if (this.starts[h] <= offset && (h + 1 >= this.starts.length || offset < this.starts[h + 1])) return { line: h + 1, column: offset - this.starts[h] + 1 };
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.hint = lo;
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }

  /** A span from half-open offsets. */
  span(start: number, end: number): Span {
    const a = this.position(start);
    const b = this.position(Math.max(start, end));
    return { start, end: Math.max(start, end), line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }

  /** The text of a 1-based line without its newline. */
  lineText(line: number): string {
    const s = this.starts[line - 1] ?? this.text.length;
    const e = line < this.starts.length ? this.starts[line] - 1 : this.text.length;
    return this.text.slice(s, e).replace(/\r$/, "");
  }
}

/** Joins two spans into the smallest span covering both. */
export function joinSpans(a: Span, b: Span): Span {
  const first = a.start <= b.start ? a : b;
  const last = a.end >= b.end ? a : b;
  return { start: first.start, end: last.end, line: first.line, column: first.column, endLine: last.endLine, endColumn: last.endColumn };
}

/**
 * Renders a diagnostic as `file:line:col: error[code]: message`, the source line and a caret
 * under the span — the form compilers use, so editors and terminals can jump to it.
 */
export function formatDiagnostic(d: Diagnostic, file: string, text: string): string {
  const index = new LineIndex(text);
  const line = index.lineText(d.span.line);
  const width = d.span.endLine === d.span.line ? Math.max(1, d.span.endColumn - d.span.column) : Math.max(1, line.length - d.span.column + 1);
  const gutter = String(d.span.line).length;
  const pad = " ".repeat(gutter);
  const lines = [
    `${file}:${d.span.line}:${d.span.column}: ${d.severity}[${d.code}]: ${d.message}`,
    `${pad} |`,
    `${d.span.line} | ${line}`,
    `${pad} | ${" ".repeat(Math.max(0, d.span.column - 1))}${"^".repeat(width)}`,
  ];
  if (d.suggestions?.length) lines.push(`${pad} = help: did you mean ${d.suggestions.map((s) => `\`${s}\``).join(" or ")}?`);
  for (const h of d.hints ?? []) {
    const at = index.lineText(h.span.line);
    const hintGutter = String(h.span.line);
    const hintWidth = h.span.endLine === h.span.line ? Math.max(1, h.span.endColumn - h.span.column) : Math.max(1, at.length - h.span.column + 1);
    lines.push(`${pad} = help: ${file}:${h.span.line}:${h.span.column}: ${h.message}`, `${hintGutter} | ${at}`, `${" ".repeat(hintGutter.length)} | ${" ".repeat(Math.max(0, h.span.column - 1))}${"^".repeat(hintWidth)}`);
  }
  return lines.join("\n");
}

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The candidates close enough to `word` to suggest, closest first. */
export function suggest(word: string, candidates: Iterable<string>, max = 2): string[] {
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.floor(w.length / 3));
  return [...new Set(candidates)]
    .map((c) => ({ c, d: editDistance(w, c.toLowerCase()) }))
    .filter((x) => x.d <= limit || (x.c.toLowerCase().startsWith(w) && w.length >= 3))
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map((x) => x.c);
}
