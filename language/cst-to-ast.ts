import type { CstNode, IToken } from "chevrotain";
import type * as A from "./ast.js";
import { joinSpans, type LineIndex, type Span } from "./diagnostic.js";

/** Thrown when error recovery left a node without a part the AST needs; the statement is skipped (its error is already reported). */
class Incomplete extends Error {}

type Children = Record<string, (CstNode | IToken)[] | undefined>;

/** Turns CST nodes into AST nodes with spans; one instance per parse, holding the line index. */
export class CstToAst {
  constructor(private readonly lines: LineIndex) {}

  /** The AST of a `program` CST; statements damaged by recovery are left out. */
  program(node: CstNode, text: string): A.Program {
    const statements: A.Statement[] = [];
    for (const s of nodes(node.children, "statement")) {
      try {
        statements.push(this.statement(s));
      } catch (e) {
        if (!(e instanceof Incomplete)) throw e;
      }
    }
    return { statements, comments: [], span: this.lines.span(0, text.length) };
  }

  private statement(node: CstNode): A.Statement {
    let name: string | undefined;
    for (const k in node.children) if (k.endsWith("Statement")) name = k;
    const child = name ? node.children[name] : undefined;
    if (!name || !child?.length) throw new Incomplete();
    const n = child[0] as CstNode;
    const c = n.children;
    const span = this.nodeSpan(n);
    switch (name) {
      case "paramStatement":
        return { kind: "param", name: this.name(tok(c, "name")), value: this.literal(node1(c, "value")), span };
      case "sourceStatement":
        return { kind: "source", name: this.name(tok(c, "name")), source: this.source(c), span };
      case "prepareStatement":
        return {
          kind: "prepare",
          name: this.name(tok(c, "name")),
          input: this.name(tok(c, "input")),
          steps: nodes(c, "prepareStep").flatMap((s) => {
            try {
              return [this.step(s)];
            } catch (e) {
              if (e instanceof Incomplete) return [];
              throw e;
            }
          }),
          span,
        };
      case "splitStatement": {
        const seedNode = opt(c, "seed") as CstNode | undefined;
        const stratify = opt(c, "stratify") as CstNode | undefined;
        const time = opt(c, "time") as CstNode | undefined;
        return {
          kind: "split",
          input: this.name(tok(c, "input")),
          parts: nodes(c, "splitPart").map((p) => ({
            name: this.name(tok(p.children, "name")),
            percent: Number(tok(p.children, "percent").image),
            span: this.nodeSpan(p),
          })),
          stratify: stratify ? this.column(stratify) : undefined,
          time: time ? this.column(time) : undefined,
          seed: seedNode ? this.literalOrName(seedNode) : undefined,
          span,
        };
      }
      case "modelStatement":
        return {
          kind: "model",
          name: this.name(tok(c, "name")),
          algorithm: this.name(tok(c, "algorithm")),
          target: this.column(node1(c, "target")),
          input: this.name(tok(c, "input")),
          options: this.options(opt(c, "optionBlock") as CstNode | undefined),
          span,
        };
      case "evaluateStatement":
        return {
          kind: "evaluate",
          model: this.name(tok(c, "model")),
          data: this.name(tok(c, "data")),
          metrics: tokens(c, "metrics").map((t) => this.name(t)),
          span,
        };
      case "assertStatement":
        return {
          kind: "assert",
          model: this.name(tok(c, "model")),
          data: this.name(tok(c, "data")),
          conditions: nodes(c, "conditions").map((k) => {
            return {
              metric: this.name(tok(k.children, "metric")),
              op: compareOp(tok(k.children, "op").image),
              bound: this.literal(node1(k.children, "bound")),
              span: this.nodeSpan(k),
            };
          }),
          span,
        };
      case "plotStatement": {
        const path = opt(c, "path") as CstNode | undefined;
        const dataTok = opt(c, "data") as IToken | undefined;
        const cols = opt(c, "columns") as CstNode | undefined;
        return {
          kind: "plot",
          chart: this.name(tok(c, "kind")),
          target: this.name(tok(c, "target")),
          data: dataTok ? this.name(dataTok) : undefined,
          columns: cols ? this.columnList(cols) : [],
          path: path ? this.text(path) : undefined,
          span,
        };
      }
      case "showStatement": {
        const limit = opt(c, "limit") as IToken | undefined;
        return { kind: "show", target: this.name(tok(c, "target")), limit: limit ? Number(limit.image) : undefined, span };
      }
      case "describeStatement":
        return { kind: "describe", target: this.name(tok(c, "target")), span };
      case "tuneStatement": {
        const trials = opt(c, "trials") as IToken | undefined;
        const search = opt(c, "search") as IToken | undefined;
        return {
          kind: "tune",
          model: this.name(tok(c, "model")),
          space: this.options(node1(c, "space")),
          metric: this.name(tok(c, "metric")),
          data: this.name(tok(c, "data")),
          trials: trials ? Number(trials.image) : undefined,
          search: search ? (search.image as "grid" | "random") : undefined,
          span,
        };
      }
      case "registerStatement":
        return { kind: "register", model: this.name(tok(c, "model")), as: this.text(node1(c, "name")), span };
      case "promoteStatement":
        return { kind: "promote", target: this.registryRef(node1(c, "target")), span };
      case "rollbackStatement": {
        const version = opt(c, "version") as IToken | undefined;
        return { kind: "rollback", name: this.text(node1(c, "name")), version: version ? Number(version.image) : undefined, span };
      }
      case "deployStatement":
        return { kind: "deploy", target: this.registryRef(node1(c, "target")), data: this.name(tok(c, "data")), path: this.text(node1(c, "path")), span };
      case "serveStatement": {
        const port = opt(c, "port") as IToken | undefined;
        return { kind: "serve", target: this.registryRef(node1(c, "target")), port: port ? Number(port.image) : undefined, span };
      }
      case "exportStatement":
        return { kind: "export", target: this.registryRef(node1(c, "target")), path: this.text(node1(c, "path")), span };
      case "monitorStatement":
        return { kind: "monitor", target: this.registryRef(node1(c, "target")), rules: this.salvage(nodes(c, "rules"), (r) => this.monitorRule(r)), span };
      case "retrainStatement":
        return { kind: "retrain", target: this.registryRef(node1(c, "target")), triggers: this.salvage(nodes(c, "triggers"), (t) => this.retrainTrigger(t)), span };
      default:
        throw new Incomplete();
    }
  }

  /** Converts each node, leaving out the ones recovery damaged (their errors are already reported). */
  private salvage<T>(items: CstNode[], convert: (n: CstNode) => T): T[] {
    return items.flatMap((n) => {
      try {
        return [convert(n)];
      } catch (e) {
        if (e instanceof Incomplete) return [];
        throw e;
      }
    });
  }

  private registryRef(node: CstNode): A.RegistryRef {
    const version = opt(node.children, "version") as IToken | undefined;
    return { name: this.text(node1(node.children, "name")), version: version ? Number(version.image) : undefined, span: this.nodeSpan(node) };
  }

  private monitorRule(node: CstNode): A.MonitorRule {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.drift) {
      const method = opt(c, "method") as IToken | undefined;
      return { kind: "drift", columns: this.columnList(node1(c, "columns")), method: method ? this.name(method) : undefined, span };
    }
    return { kind: "threshold", threshold: this.threshold(node1(c, "threshold")), span };
  }

  private retrainTrigger(node: CstNode): A.RetrainTrigger {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.threshold) return { kind: "condition", threshold: this.threshold(node1(c, "threshold")), span };
    const count = opt(c, "count") as IToken | undefined;
    return { kind: "schedule", count: count ? Number(count.image) : 1, unit: this.name(tok(c, "unit")), span };
  }

  private threshold(node: CstNode): A.Threshold {
    const c = node.children;
    const qualifier = opt(c, "qualifier") as IToken | undefined;
    const bound = node1(c, "bound");
    const unit = opt(bound.children, "unit") as IToken | undefined;
    const v = Number(tok(bound.children, "number").image);
    return {
      signal: this.name(tok(c, "signal")),
      qualifier: qualifier ? this.name(qualifier) : undefined,
      op: compareOp(tok(c, "op").image),
      bound: { value: bound.children.minus ? -v : v, unit: unit ? (unit.image as "%" | "ms" | "s") : undefined, span: this.nodeSpan(bound) },
      span: this.nodeSpan(node),
    };
  }

  private source(c: Children): A.SourceSpec {
    if (c.path) {
      const block = opt(c, "optionBlock") as CstNode | undefined;
      const format = opt(c, "format") as IToken | undefined;
      return { kind: "file", path: this.text(node1(c, "path")), format: format ? this.name(format) : undefined, options: this.options(block) };
    }
    if (c.query) return { kind: "sql", query: this.text(node1(c, "query")) };
    if (c.table) return { kind: "table", table: this.text(node1(c, "table")), database: this.text(node1(c, "database")) };
    throw new Incomplete();
  }

  private step(node: CstNode): A.PrepareStep {
    let name: string | undefined;
    for (const k in node.children) {
      name = k;
      break;
    }
    const child = name ? node.children[name] : undefined;
    if (!name || !child?.length) throw new Incomplete();
    const n = child[0] as CstNode;
    const c = n.children;
    const span = this.nodeSpan(n);
    const columns = () => this.columnList(node1(c, "columns"));
    switch (name) {
      case "dropStep":
      case "keepStep": {
        const keep = name === "keepStep";
        if (c.where) return { kind: keep ? "keep-rows" : "drop-rows", where: this.expr(node1(c, "where")), span };
        if (c.columns) return { kind: keep ? "keep-columns" : "drop-columns", columns: columns(), span };
        if (c.Duplicates) {
          const on = opt(c, "on") as CstNode | undefined;
          return { kind: "drop-duplicates", on: on ? this.columnList(on) : [], span };
        }
        throw new Incomplete();
      }
      case "fillStep": {
        const strategy = opt(c, "strategy") as IToken | undefined;
        if (strategy) return { kind: "fill", columns: columns(), strategy: strategy.image as "median" | "mean" | "mode", span };
        return { kind: "fill", columns: columns(), strategy: "value", value: this.literal(node1(c, "value")), span };
      }
      case "onehotStep":
        return { kind: "onehot", columns: columns(), span };
      case "replaceStep":
        return { kind: "replace", column: this.column(node1(c, "column")), from: this.literal(node1(c, "from")), to: this.literal(node1(c, "to")), span };
      case "clipStep":
        return { kind: "clip", columns: columns(), low: this.literal(node1(c, "low")), high: this.literal(node1(c, "high")), span };
      case "deriveStep":
        return { kind: "derive", name: this.column(node1(c, "name")), expr: this.expr(node1(c, "expr")), span };
      case "castStep":
        return { kind: "cast", columns: columns(), type: this.name(tok(c, "type")), span };
      case "textStep":
        return { kind: "text", op: tok(c, "op").image as "trim" | "lower" | "upper", columns: columns(), span };
      case "scaleStep": {
        const method = opt(c, "method") as IToken | undefined;
        return { kind: "scale", columns: columns(), method: (method?.image as "standard" | "minmax") ?? "standard", span };
      }
      case "bucketStep":
        return { kind: "bucket", column: this.column(node1(c, "column")), count: Number(tok(c, "count").image), span };
      case "renameStep":
        return { kind: "rename", from: this.column(node1(c, "from")), to: this.column(node1(c, "to")), span };
      default:
        throw new Incomplete();
    }
  }

  private options(block: CstNode | undefined): A.OptionEntry[] {
    if (!block) return [];
    return nodes(block.children, "optionEntry").flatMap((e) => {
      try {
        return [{ key: this.name(tok(e.children, "key")), values: nodes(e.children, "values").map((v) => this.optionValue(v)), span: this.nodeSpan(e) }];
      } catch (err) {
        if (err instanceof Incomplete) return [];
        throw err;
      }
    });
  }

  private optionValue(node: CstNode): A.OptionValue {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.LBracket) return { kind: "list", items: nodes(c, "items").map((i) => this.optionValue(i)), span };
    if (c.literal) return this.literal(node1(c, "literal"));
    return { kind: "name", name: this.name(tok(c, "name")), span };
  }

  private columnList(node: CstNode): A.Name[] {
    return nodes(node.children, "columns").map((n) => this.column(n));
  }

  private column(node: CstNode): A.Name {
    const q = opt(node.children, "quoted") as IToken | undefined;
    if (q) return { text: unquote(q.image), span: this.tokenSpan(q), quoted: true };
    return this.name(tok(node.children, "name"));
  }

  private name(t: IToken): A.Name {
    return { text: t.image, span: this.tokenSpan(t), quoted: false };
  }

  private text(node: CstNode): A.Literal & { value: string } {
    const t = tok(node.children, "value");
    return { kind: "literal", value: unquote(t.image), span: this.tokenSpan(t) };
  }

  private literal(node: CstNode): A.Literal {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.number) {
      const v = Number(tok(c, "number").image);
      return { kind: "literal", value: c.minus ? -v : v, percent: c.percent ? true : undefined, span };
    }
    if (c.string) return { kind: "literal", value: unquote(tok(c, "string").image), span };
    if (c.boolean) return { kind: "literal", value: tok(c, "boolean").image === "true", span };
    if (c.null) return { kind: "literal", value: null, span };
    throw new Incomplete();
  }

  private literalOrName(node: CstNode): A.Literal | { kind: "name"; name: A.Name; span: A.Name["span"] } {
    const n = opt(node.children, "name") as IToken | undefined;
    if (n) {
      const name = this.name(n);
      return { kind: "name", name, span: name.span };
    }
    return this.literal(node1(node.children, "literal"));
  }

  private expr(node: CstNode): A.Expr {
    const c = node.children;
    switch (node.name) {
      case "expression":
      case "andExpression": {
        const op = node.name === "expression" ? "or" : "and";
        return nodes(c, "operands")
          .map((o) => this.expr(o))
          .reduce((l, r) => ({ kind: "binary", op, left: l, right: r, span: joinSpans(l.span, r.span) }));
      }
      case "notExpression": {
        if (c.negated) return { kind: "unary", op: "not", operand: this.expr(node1(c, "negated")), span: this.nodeSpan(node) };
        return this.expr(node1(c, "comparison"));
      }
      case "comparison": {
        const left = this.expr(node1(c, "left"));
        const span = this.nodeSpan(node);
        if (c.op) {
          const raw = tok(c, "op").image;
          const op = (raw === "==" ? "=" : raw === "<>" ? "!=" : raw) as A.BinaryOp;
          return { kind: "binary", op, left, right: this.expr(node1(c, "right")), span };
        }
        if (c.missing) return { kind: "is-missing", operand: left, negated: !!c.isNot, span };
        if (c.low) return { kind: "between", operand: left, low: this.expr(node1(c, "low")), high: this.expr(node1(c, "high")), negated: !!c.rangeNot, span };
        if (c.items) return { kind: "in", operand: left, items: nodes(c, "items").map((i) => this.expr(i)), negated: !!c.rangeNot, span };
        return left;
      }
      case "additive":
      case "multiplicative": {
        const operands = nodes(c, "operands").map((o) => this.expr(o));
        const ops = tokens(c, "ops").sort((a, b) => a.startOffset - b.startOffset);
        let acc = operands[0];
        if (!acc) throw new Incomplete();
        for (let i = 1; i < operands.length; i++) {
          const right = operands[i];
          acc = { kind: "binary", op: (ops[i - 1]?.image ?? "+") as A.BinaryOp, left: acc, right, span: joinSpans(acc.span, right.span) };
        }
        return acc;
      }
      case "unary":
        if (c.minus) return { kind: "unary", op: "-", operand: this.expr(node1(c, "operand")), span: this.nodeSpan(node) };
        return this.expr(node1(c, "primary"));
      case "primary": {
        const span = this.nodeSpan(node);
        if (c.number) return { kind: "literal", value: Number(tok(c, "number").image), span };
        if (c.string) return { kind: "literal", value: unquote(tok(c, "string").image), span };
        if (c.boolean) return { kind: "literal", value: tok(c, "boolean").image === "true", span };
        if (c.null) return { kind: "literal", value: null, span };
        if (c.inner) return this.expr(node1(c, "inner"));
        if (c.quoted) {
          const q = tok(c, "quoted");
          return { kind: "column", name: { text: unquote(q.image), span: this.tokenSpan(q), quoted: true }, span };
        }
        const name = this.name(tok(c, "name"));
        if (c.call) return { kind: "call", fn: name, args: nodes(c, "args").map((a) => this.expr(a)), span };
        return { kind: "column", name, span };
      }
      default:
        throw new Incomplete();
    }
  }

  private tokenSpan(t: IToken): Span {
    return this.lines.span(t.startOffset, t.startOffset + t.image.length);
  }

  private nodeSpan(n: CstNode): Span {
    const loc = n.location;
    if (!loc || Number.isNaN(loc.startOffset)) throw new Incomplete();
    return this.lines.span(loc.startOffset, (loc.endOffset ?? loc.startOffset) + 1);
  }
}

/** `==` and `<>` are accepted spellings of `=` and `!=`. */
function compareOp(image: string): A.AssertCondition["op"] {
  return (image === "==" ? "=" : image === "<>" ? "!=" : image) as A.AssertCondition["op"];
}

/** Removes the quotes of a string token and resolves its escapes. */
export function unquote(image: string): string {
  const body = image.slice(1, -1);
  return body.replace(/\\(.)/g, (_, ch: string) => ({ n: "\n", t: "\t", r: "\r", "0": "\0" })[ch] ?? ch);
}

function tok(c: Children, label: string): IToken {
  const t = c[label]?.[0] as IToken | undefined;
  if (!t || t.isInsertedInRecovery || Number.isNaN(t.startOffset)) throw new Incomplete();
  return t;
}

function tokens(c: Children, label: string): IToken[] {
  return ((c[label] ?? []) as IToken[]).filter((t) => !t.isInsertedInRecovery && !Number.isNaN(t.startOffset));
}

function node1(c: Children, label: string): CstNode {
  const n = c[label]?.[0] as CstNode | undefined;
  if (!n || n.recoveredNode) throw new Incomplete();
  return n;
}

function nodes(c: Children, label: string): CstNode[] {
  return ((c[label] ?? []) as CstNode[]).filter((n) => !n.recoveredNode);
}

function opt(c: Children, label: string): CstNode | IToken | undefined {
  return c[label]?.[0];
}
