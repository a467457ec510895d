import type { IRecognitionException, IToken } from "chevrotain";
import type { Program } from "./ast.js";
import { LineIndex, suggest, type Diagnostic } from "./diagnostic.js";
import { K, keywordWords, latheLexer, UnterminatedString } from "./lexer.js";
import { parser } from "./parser.js";
import { statementKeywords, stepKeywords } from "./statements.js";

export { statementKeywords, stepKeywords } from "./statements.js";

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** Lexes and parses Lathe text into an AST. Never throws on bad input: problems come back as diagnostics. */
export function parse(text: string): ParseResult {
  const lines = new LineIndex(text);
  const lexed = latheLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];
  for (const e of lexed.errors) {
    diagnostics.push({ code: "syntax-error", severity: "error", message: `unexpected character ${JSON.stringify(String.fromCodePoint(text.codePointAt(e.offset)!))}`, span: lines.span(e.offset, e.offset + Math.max(1, e.length)) });
  }
  let unterminated = false;
  for (const t of lexed.tokens) {
    if (t.tokenType !== UnterminatedString) continue;
    unterminated = true;
    diagnostics.push({ code: "unterminated-string", severity: "error", message: "unterminated string: close it with a matching quote on the same line", span: lines.span(t.startOffset, t.startOffset + t.image.length) });
  }
  // The parser never sees unterminated strings; the token vector is copied only when there are some.
  const tokens = unterminated ? lexed.tokens.filter((t) => t.tokenType !== UnterminatedString) : lexed.tokens;
  parser.lines = lines;
  parser.input = tokens;
  const statements = parser.program();
  for (const e of parser.errors) diagnostics.push(syntaxDiagnostic(e, lines, text));
  const comments = (lexed.groups.comments ?? []).map((t: IToken) => ({ text: t.image, span: lines.span(t.startOffset, t.startOffset + t.image.length) }));
  return { program: { statements, comments, span: lines.span(0, text.length) }, diagnostics: dedupe(diagnostics) };
}

/** Chevrotain's messages list token type names; rewrite them in the user's words, with "did you mean" for misspelled keywords. */
function syntaxDiagnostic(e: IRecognitionException, lines: LineIndex, text: string): Diagnostic {
  const t = e.token;
  const atEnd = t.tokenType.name === "EOF" || Number.isNaN(t.startOffset);
  const offset = atEnd ? text.length : t.startOffset;
  const span = lines.span(offset, atEnd ? offset : offset + t.image.length);
  const found = atEnd ? "end of file" : `\`${t.image}\``;
  const rule = e.context?.ruleStack?.[e.context.ruleStack.length - 1] ?? "";
  const names = expectedTokens(e.message);
  let expected = describeExpected(names);
  // Keywords the parser would have accepted here are the best candidates for a misspelling.
  let candidates = names.map((n) => keywordOf.get(n)).filter((w): w is string => !!w);
  if (rule === "statement" || rule === "program") {
    expected = "a statement (" + statementKeywords.join(", ") + ")";
    candidates = [...statementKeywords];
  } else if (rule === "prepareStatement" && names.includes("RBrace")) {
    expected = "a step (" + stepKeywords.join(", ") + ") or `}`";
    candidates = [...stepKeywords];
  }
  if (!candidates.length) candidates = [...keywordWords];
  const suggestions = !atEnd && /^[A-Za-z_]/.test(t.image) ? suggest(t.image, candidates) : [];
  const message = atEnd ? `unexpected end of file, expected ${expected}` : `unexpected ${found}, expected ${expected}`;
  return { code: "syntax-error", severity: "error", message, span, suggestions: suggestions.length ? suggestions : undefined };
}

const tokenWords: Record<string, string> = {
  Name: "a name",
  QuotedString: "a quoted name or string",
  SingleString: "a string",
  NumberLiteral: "a number",
  Percent: "`%`",
  Equals: "`=`",
  LBrace: "`{`",
  RBrace: "`}`",
  LParen: "`(`",
  RParen: "`)`",
  LBracket: "`[`",
  RBracket: "`]`",
  Comma: "`,`",
  Colon: "`:`",
  Semicolon: "`;`",
  Arrow: "`->`",
  CompareOp: "a comparison (`>=`, `<`, ...)",
  Minus: "`-`",
};

/** Token type names a Chevrotain message lists as expected, first tokens of each alternative only. */
function expectedTokens(message: string): string[] {
  const names = new Set<string>();
  // MismatchedToken: "Expecting token of type --> Name <-- but found ..."; NoViableAlt: "1. [Median]\n 2. [Name, Colon]";
  // EarlyExit (AT_LEAST_ONE): "<[Every] ,[When]>".
  const single = /Expecting token of type --> (\w+) <--/.exec(message);
  if (single) names.add(single[1]);
  for (const m of message.matchAll(/^\s*\d+\. \[(\w+)/gm)) names.add(m[1]);
  for (const m of message.matchAll(/[<,]\s*\[(\w+)/g)) names.add(m[1]);
  return [...names];
}

const keywordOf = new Map(Object.entries(K).map(([word, t]) => [t.name, word]));

function describeExpected(names: string[]): string {
  const words = names.map((n) => tokenWords[n] ?? (keywordOf.has(n) ? `\`${keywordOf.get(n)}\`` : `\`${n}\``));
  if (!words.length) return "something else";
  return words.length > 6 ? words.slice(0, 6).join(", ") + ", ..." : words.join(" or ");
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds
    .filter((d) => {
      const key = `${d.span.start}:${d.code}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.span.start - b.span.start);
}
