import type { Span } from "./diagnostic.js";

/**
 * The Lathe AST: plain data with a span on every node. It never holds parser objects, so the
 * runtime can import these types without pulling in Chevrotain.
 */

/** A name as written: a bare identifier or a double-quoted one. */
export interface Name {
  text: string;
  span: Span;
  quoted: boolean;
}

export type LiteralValue = number | string | boolean | null;

export interface Literal {
  kind: "literal";
  value: LiteralValue;
  /** `15%` is kept as 15 with `percent: true`; the checker decides what a percentage means. */
  percent?: boolean;
  span: Span;
}

export type Expr =
  | Literal
  | { kind: "column"; name: Name; span: Span }
  | { kind: "unary"; op: "-" | "not"; operand: Expr; span: Span }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr; span: Span }
  | { kind: "is-missing"; operand: Expr; negated: boolean; span: Span }
  | { kind: "between"; operand: Expr; low: Expr; high: Expr; negated: boolean; span: Span }
  | { kind: "in"; operand: Expr; items: Expr[]; negated: boolean; span: Span }
  | { kind: "call"; fn: Name; args: Expr[]; span: Span };

export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "and" | "or";

export type OptionValue = Literal | { kind: "name"; name: Name; span: Span } | { kind: "list"; items: OptionValue[]; span: Span };

export interface OptionEntry {
  key: Name;
  values: OptionValue[];
  span: Span;
}

export type SourceSpec =
  | { kind: "file"; path: Literal & { value: string }; format?: Name; options: OptionEntry[] }
  | { kind: "sql"; query: Literal & { value: string } }
  /** `engine`: the table lives on a SQL engine (`from clickhouse "URL"`), `database` is then its URL; without it, a DuckDB file. */
  | { kind: "table"; table: Literal & { value: string }; database: Literal & { value: string }; engine?: Name; /** An engine source's `with { user_env, password_env }`. */ options?: OptionEntry[] };

export type PrepareStep =
  | { kind: "drop-rows"; where: Expr; span: Span }
  | { kind: "keep-rows"; where: Expr; span: Span }
  | { kind: "drop-duplicates"; on: Name[]; span: Span }
  | { kind: "drop-columns"; columns: Name[]; span: Span }
  | { kind: "keep-columns"; columns: Name[]; span: Span }
  | { kind: "fill"; columns: Name[]; strategy: "median" | "mean" | "mode" | "value"; value?: Literal; span: Span }
  | { kind: "onehot"; columns: Name[]; span: Span }
  | { kind: "replace"; column: Name; from: Literal; to: Literal; span: Span }
  | { kind: "clip"; columns: Name[]; low: Literal; high: Literal; span: Span }
  | { kind: "derive"; name: Name; expr: Expr; span: Span }
  | { kind: "cast"; columns: Name[]; type: Name; span: Span }
  | { kind: "text"; op: "trim" | "lower" | "upper"; columns: Name[]; span: Span }
  | { kind: "scale"; columns: Name[]; method: "standard" | "minmax"; span: Span }
  | { kind: "bucket"; column: Name; count: number; span: Span }
  | { kind: "rename"; from: Name; to: Name; span: Span };

export interface SplitPart {
  name: Name;
  /** The share of rows, as written (`70%` is 70). Absent in a split `by column`, whose parts are the column's values. */
  percent?: number;
  span: Span;
}

export interface AssertCondition {
  metric: Name;
  op: "<" | "<=" | ">" | ">=" | "=" | "!=";
  bound: Literal;
  span: Span;
}

/** A number with an optional unit, as written: `0.25`, `1%`, `20 ms`, `500 MB`. `normalizeQuantity` converts it. */
export interface Quantity {
  value: number;
  unit?: "%" | "ms" | "s" | "KB" | "MB" | "GB";
  span: Span;
}

/**
 * Where rows are written: a file (its extension picks the format), a table of a DuckDB database
 * file, or a table on an engine (`engine-table`): `table "t" in clickhouse "URL"`, or `table "t"`
 * alone for the engine the rows come from (no `engine`/`url` then).
 */
export type OutputTarget =
  | { kind: "file"; path: Literal & { value: string }; span: Span }
  | { kind: "table"; table: Literal & { value: string }; database: Literal & { value: string }; span: Span }
  | { kind: "engine-table"; table: Literal & { value: string }; engine?: Name; url?: Literal & { value: string }; span: Span };

/** A registered model: its registry name and, optionally, one version (default: the champion). */
export interface RegistryRef {
  name: Literal & { value: string };
  version?: number;
  span: Span;
}

/** `latency p99 < 20 ms`: a signal, an optional qualifier (a percentile), a comparison and a bound. */
export interface Threshold {
  signal: Name;
  qualifier?: Name;
  op: "<" | "<=" | ">" | ">=" | "=" | "!=";
  bound: Quantity;
  span: Span;
}

export type MonitorRule = { kind: "drift"; columns: Name[]; method?: Name; span: Span } | { kind: "threshold"; threshold: Threshold; span: Span };

export type RetrainTrigger = { kind: "schedule"; count: number; unit: Name; span: Span } | { kind: "condition"; threshold: Threshold; span: Span };

export type Statement =
  | { kind: "param"; name: Name; value: Literal; span: Span }
  /** `snapshot`: the rows read are kept with each recorded run (`lathe run --snapshot` for every source). */
  | { kind: "source"; name: Name; source: SourceSpec; snapshot?: boolean; span: Span }
  | { kind: "prepare"; name: Name; input: Name; steps: PrepareStep[]; span: Span }
  | {
      kind: "split";
      input: Name;
      parts: SplitPart[];
      stratify?: Name;
      time?: Name;
      /** `by column C`: each row goes to the part named by its value of `C` (no percentages, no seed). */
      column?: Name;
      seed?: Literal | { kind: "name"; name: Name; span: Span };
      /** `hash portable`: the row hash every engine computes alike (the default); `native`: DuckDB's own. */
      hash?: Name;
      span: Span;
    }
  | { kind: "model"; name: Name; algorithm: Name; target: Name; input: Name; options: OptionEntry[]; span: Span }
  | { kind: "evaluate"; model: Name; data: Name; metrics: Name[]; span: Span }
  | { kind: "assert"; model: Name; data: Name; conditions: AssertCondition[]; span: Span }
  | { kind: "plot"; chart: Name; target: Name; data?: Name; columns: Name[]; path?: Literal & { value: string }; span: Span }
  | { kind: "show"; target: Name; limit?: number; span: Span }
  | { kind: "describe"; target: Name; span: Span }
  | { kind: "tune"; model: Name; space: OptionEntry[]; metric: Name; data: Name; trials?: number; search?: "grid" | "random"; span: Span }
  | { kind: "register"; model: Name; as: Literal & { value: string }; span: Span }
  /** `alias`: the alias moved (`to production`); none moves the champion. */
  | { kind: "promote"; target: RegistryRef; alias?: Name; span: Span }
  | { kind: "rollback"; name: Literal & { value: string }; version?: number; span: Span }
  | { kind: "deploy"; target: RegistryRef; data: Name; output: OutputTarget; span: Span }
  | { kind: "save"; data: Name; output: OutputTarget; span: Span }
  | { kind: "serve"; target: RegistryRef; port?: number; span: Span }
  | { kind: "export"; target: RegistryRef; path: Literal & { value: string }; form?: Name; span: Span }
  | { kind: "monitor"; target: RegistryRef; rules: MonitorRule[]; span: Span }
  | { kind: "retrain"; target: RegistryRef; triggers: RetrainTrigger[]; span: Span };

export type StatementKind = Statement["kind"];

export interface Comment {
  text: string;
  span: Span;
}

export interface Program {
  statements: Statement[];
  comments: Comment[];
  span: Span;
}
