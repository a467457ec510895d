import type { PrepareStep, StatementKind } from "./ast.js";

/**
 * The one list of statements and prepare steps. The lexer makes their keywords, the parser builds
 * its statement and step alternatives from it (in this order, which is the order of the `statement`
 * production in grammar.md), "did you mean" and completion offer its words, and the grammar-doc
 * test checks that grammar.md shows each. Every AST statement kind must have an entry (the mapped
 * type makes a missing one a compile error). Imports nothing from Chevrotain.
 */

/** The stage of the workflow a statement belongs to (grammar.md's sections). */
export type Stage = "define" | "collect" | "prepare" | "split" | "train" | "validate" | "explore" | "version" | "deploy" | "monitor" | "retrain";

export interface StatementSpec {
  /** The parser rule that reads it, which is also its EBNF production in grammar.md. */
  rule: `${StatementKind}Statement`;
  stage: Stage;
}

/** Statements by their keyword, which is also their AST kind. */
export const statements: { readonly [K in StatementKind]: StatementSpec & { rule: `${K}Statement` } } = {
  param: { rule: "paramStatement", stage: "define" },
  source: { rule: "sourceStatement", stage: "collect" },
  prepare: { rule: "prepareStatement", stage: "prepare" },
  split: { rule: "splitStatement", stage: "split" },
  model: { rule: "modelStatement", stage: "train" },
  evaluate: { rule: "evaluateStatement", stage: "validate" },
  assert: { rule: "assertStatement", stage: "validate" },
  plot: { rule: "plotStatement", stage: "explore" },
  show: { rule: "showStatement", stage: "explore" },
  describe: { rule: "describeStatement", stage: "explore" },
  tune: { rule: "tuneStatement", stage: "train" },
  register: { rule: "registerStatement", stage: "version" },
  promote: { rule: "promoteStatement", stage: "version" },
  rollback: { rule: "rollbackStatement", stage: "version" },
  deploy: { rule: "deployStatement", stage: "deploy" },
  save: { rule: "saveStatement", stage: "deploy" },
  serve: { rule: "serveStatement", stage: "deploy" },
  export: { rule: "exportStatement", stage: "deploy" },
  monitor: { rule: "monitorStatement", stage: "monitor" },
  retrain: { rule: "retrainStatement", stage: "retrain" },
};

/** Words that start a statement, in the parser's order. */
export const statementKeywords = Object.keys(statements) as StatementKind[];

/** A prepare step: the parser rule that reads it and the AST kinds it gives. */
export interface StepSpec {
  rule: string;
  kinds: readonly PrepareStep["kind"][];
}

/** Prepare steps by their keyword, in the parser's order (`trim`, `lower`, `upper` share one rule). */
export const steps = {
  drop: { rule: "dropStep", kinds: ["drop-rows", "drop-duplicates", "drop-columns"] },
  keep: { rule: "keepStep", kinds: ["keep-rows", "keep-columns"] },
  fill: { rule: "fillStep", kinds: ["fill"] },
  onehot: { rule: "onehotStep", kinds: ["onehot"] },
  replace: { rule: "replaceStep", kinds: ["replace"] },
  clip: { rule: "clipStep", kinds: ["clip"] },
  derive: { rule: "deriveStep", kinds: ["derive"] },
  cast: { rule: "castStep", kinds: ["cast"] },
  trim: { rule: "textStep", kinds: ["text"] },
  lower: { rule: "textStep", kinds: ["text"] },
  upper: { rule: "textStep", kinds: ["text"] },
  scale: { rule: "scaleStep", kinds: ["scale"] },
  bucket: { rule: "bucketStep", kinds: ["bucket"] },
  rename: { rule: "renameStep", kinds: ["rename"] },
} as const satisfies Record<string, StepSpec>;

/** Every AST step kind has a keyword above: a kind missing from `steps` makes this a compile error. */
const everyStepKind: Exclude<PrepareStep["kind"], (typeof steps)[keyof typeof steps]["kinds"][number]> extends never ? true : never = true;
void everyStepKind;

export type StepKeyword = keyof typeof steps;

/** Words that start a step inside `prepare { ... }`, in the parser's order. */
export const stepKeywords = Object.keys(steps) as StepKeyword[];

/** The step rules in the parser's order, each once. */
export const stepRules = [...new Set(stepKeywords.map((k) => steps[k].rule))] as (typeof steps)[StepKeyword]["rule"][];
