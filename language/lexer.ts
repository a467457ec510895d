import type { TokenType } from "chevrotain";
import { createToken, Lexer } from "./chevrotain.js";
import { identifierAt } from "./identifier.js";
import { statementKeywords, stepKeywords } from "./statements.js";

/**
 * Tokens of the Lathe language.
 *
 * Most keywords are *soft*: they belong to the `Name` category, so a column or dataset may be
 * called `time`, `mode` or `model` without quoting. Only the words that can start or continue
 * an expression (`and`, `or`, `not`, `is`, `missing`, `between`, `in`, `true`, `false`, `null`)
 * are reserved, because there a name and a keyword would be ambiguous.
 */

export const Name = createToken({ name: "Name", pattern: Lexer.NA });
const asciiName = /[A-Za-z_][A-Za-z0-9_]*/y;

/** The name at `offset`: the ASCII regexp first (most names, and faster), the Unicode one when a non-ASCII character is next. */
function matchName(text: string, offset: number): RegExpExecArray | null {
  asciiName.lastIndex = offset;
  const ascii = asciiName.exec(text);
  const next = ascii ? asciiName.lastIndex : offset;
  if (next >= text.length || text.charCodeAt(next) < 0x80) return ascii;
  identifierAt.lastIndex = offset;
  return identifierAt.exec(text);
}

/**
 * The first-character hint of `Identifier`: ASCII letters, `_`, and every non-ASCII UTF-16 unit, as
 * Chevrotain sees them. It looks up units below 256 one by one and the others by ranges of 255 units,
 * so a unit every 32 stands for its whole range: 2,200 entries instead of 65,400, which took ≈ 10–20 ms
 * of every start-up to build and read. `test/language/lexer.test.ts` lexes every non-ASCII letter to
 * keep this true should Chevrotain's ranges change.
 */
function identifierStarts(): (string | number)[] {
  const hint: (string | number)[] = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"];
  for (let c = 0x80; c < 0x100; c++) hint.push(c);
  for (let c = 0x100; c < 0x10000; c += 32) hint.push(c);
  hint.push(0xffff);
  return hint;
}

/**
 * A bare name: Unicode letters (`café`), digits, marks and `_` (language/identifier.ts). A custom
 * pattern because Chevrotain cannot analyse a regexp with the `u` flag; its first-character hint
 * (`identifierStarts`) keeps the lexer's first-character optimisation on; the pattern decides.
 */
export const Identifier = createToken({
  name: "Identifier",
  pattern: { exec: matchName },
  start_chars_hint: identifierStarts(),
  line_breaks: false,
  categories: [Name],
});

/** Soft keywords besides the statement and step words (statements.ts), which come first. */
const otherSoftWords = [
  "read", "sql", "table", "database", "rows", "where", "duplicates", "columns", "column", "with", "median", "mean", "mode",
  "as", "standard", "minmax", "into", "stratify", "by", "seed", "time", "on", "predicting", "from", "over", "metrics", "of",
  "to", "limit", "batch", "port", "every", "when", "format", "for", "version", "using", "search", "trials", "grid", "random",
  "drift", "ms", "s", "KB", "MB", "GB", "snapshot", "hash",
] as const;

const softKeywordWords: readonly string[] = [...new Set<string>([...statementKeywords, ...stepKeywords, ...otherSoftWords])];

const reservedWords = ["and", "or", "not", "is", "missing", "between", "in", "true", "false", "null"] as const;

function keyword(word: string, soft: boolean): TokenType {
  return createToken({
    name: word.charAt(0).toUpperCase() + word.slice(1).replace(/_(.)/g, (_, c: string) => c.toUpperCase()),
    pattern: new RegExp(`${word}\\b`),
    // A keyword starts with its first letter: saying so spares Chevrotain parsing each keyword's
    // regexp to find it (≈ 150 of them, ≈ 25 ms of every start-up).
    start_chars_hint: [word.charCodeAt(0)],
    longer_alt: Identifier,
    categories: soft ? [Name] : [],
  });
}

/** Keyword tokens by their word, e.g. `K.split`. Keys are the fixed keywords, never a user's word. */
export const K: Record<string, TokenType> = {};
for (const w of softKeywordWords) K[w] = keyword(w, true);
for (const w of reservedWords) K[w] = keyword(w, false);

/** Every keyword spelling, for completion and "did you mean". */
export const keywordWords: readonly string[] = [...softKeywordWords, ...reservedWords];

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /\s+/, group: Lexer.SKIPPED, line_breaks: true });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n\r]*/, group: "comments" });
/** `"..."`: a quoted name in expressions (like SQL), a plain string where a path or label is expected. */
export const QuotedString = createToken({ name: "QuotedString", pattern: /"(?:[^"\\\r\n]|\\.)*"/ });
/** `'...'`: always a string value. */
export const SingleString = createToken({ name: "SingleString", pattern: /'(?:[^'\\\r\n]|\\.)*'/ });
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/ });
export const Percent = createToken({ name: "Percent", pattern: /%/ });
export const Arrow = createToken({ name: "Arrow", pattern: /->/ });
export const CompareOp = createToken({ name: "CompareOp", pattern: Lexer.NA });
export const Ge = createToken({ name: "Ge", pattern: />=/, categories: [CompareOp] });
export const Le = createToken({ name: "Le", pattern: /<=/, categories: [CompareOp] });
export const Ne = createToken({ name: "Ne", pattern: /!=|<>/, categories: [CompareOp] });
export const EqEq = createToken({ name: "EqEq", pattern: /==/, categories: [CompareOp] });
export const Gt = createToken({ name: "Gt", pattern: />/, categories: [CompareOp] });
export const Lt = createToken({ name: "Lt", pattern: /</, categories: [CompareOp] });
export const Equals = createToken({ name: "Equals", pattern: /=/ });
export const Plus = createToken({ name: "Plus", pattern: /\+/ });
export const Minus = createToken({ name: "Minus", pattern: /-/ });
export const Star = createToken({ name: "Star", pattern: /\*/ });
export const Slash = createToken({ name: "Slash", pattern: /\// });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/ });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/ });
export const Dot = createToken({ name: "Dot", pattern: /\./ });
/**
 * A quote with no closing quote on its line, lexed as one token so it is reported as an
 * unterminated string (not as a stray quote followed by words). Any other character the language
 * does not use is a lexer error, reported with its position by `parse`. (A catch-all `[^\s]`
 * token would do that too, but a complement set turns off Chevrotain's first-character lexer
 * optimisation, which made lexing three times slower.)
 */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\r\n]|\\.)*|'(?:[^'\\\r\n]|\\.)*/ });

/** Token order matters: keywords before Identifier, longer operators before their prefixes. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  QuotedString,
  SingleString,
  NumberLiteral,
  Arrow,
  Ge,
  Le,
  Ne,
  EqEq,
  Gt,
  Lt,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Semicolon,
  Dot,
  ...Object.values(K),
  Identifier,
  UnterminatedString,
  Name,
  CompareOp,
];

/** Removes the quotes of a string token and resolves its escapes. */
export function unquote(image: string): string {
  const body = image.slice(1, -1);
  return body.replace(/\\(.)/g, (_, ch: string) => ({ n: "\n", t: "\t", r: "\r", "0": "\0" })[ch] ?? ch);
}

/**
 * The Lathe lexer. Tokens carry their start offset only (no end offset, line or column: tracking those
 * made lexing three times slower); spans are built from `startOffset + image.length` through the `LineIndex`.
 */
export const latheLexer = new Lexer(allTokens, { positionTracking: "onlyOffset", ensureOptimizations: true, skipValidations: !process.env.VITEST });
