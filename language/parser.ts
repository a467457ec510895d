import type { IOrAlt, IToken, ParserMethod } from "chevrotain";
import { CachedLookahead, type LookaheadPaths } from "./cached-lookahead.js";
import { EmbeddedActionsParser } from "./chevrotain.js";
import type * as A from "./ast.js";
import { joinSpans, LineIndex, type Span } from "./diagnostic.js";
import * as T from "./lexer.js";
import { lookaheadPaths } from "./lookahead-paths.js";
import { statementKeywords, stepRules } from "./statements.js";

const { K, unquote } = T;

/**
 * A rule's result when error recovery left out a part the AST needs (an inserted token, a sub-rule
 * that recovery cut short): the enclosing statement, prepare step, option entry, monitor rule or
 * retrain trigger is left out of the AST. Its error is already reported.
 */
const BROKEN = null;
type Broken = typeof BROKEN;
/** What a rule gives: its node; BROKEN; or undefined when Chevrotain's re-sync recovery ended the rule early (its `recoveryValueFunc`). */
type Got<N> = N | Broken | undefined;

/** Thrown inside `build` by `need` and `name`; `build` turns it into BROKEN. One instance: no stack trace to capture. */
const INCOMPLETE = new Error("incomplete node");

/** A required sub-rule result. */
function need<N>(x: Got<N>): N {
  if (x === undefined || x === BROKEN) throw INCOMPLETE;
  return x;
}

/** A required sub-rule result, without throwing: for the expression rules, which pass their operand through. */
function req<N>(x: Got<N>): N | Broken {
  return x === undefined ? BROKEN : x;
}

/** An optional list (inside `build`): empty if not written or cut short by recovery, BROKEN if broken. */
function optionalList<N>(x: Got<N[]>): N[] {
  return x === undefined ? [] : need(x);
}

/** The items of a list: ones that recovery cut short are left out; a broken one breaks the list. */
function list<N>(xs: Got<N>[]): N[] | Broken {
  const out: N[] = [];
  for (const x of xs) {
    if (x === BROKEN) return BROKEN;
    if (x !== undefined) out.push(x);
  }
  return out;
}

/** `list`, inside `build`. */
function all<N>(xs: Got<N>[]): N[] {
  return need(list(xs));
}

/**
 * Parses one occurrence of a clause that may be repeated (`seed 1 seed 2`) into `into`. It counts from
 * here, even if `parse` fails: a clause whose keywords were read but whose value recovery cut short
 * breaks the statement. Only the first occurrence is used (`first`).
 */
function occurrence<N>(into: Got<N>[], parse: () => Got<N>): void {
  const i = into.push(undefined) - 1;
  into[i] = parse();
}

/** The first occurrence of a repeatable clause (inside `build`): undefined if the clause is not written. */
function first<N>(occurrences: Got<N>[]): N | undefined {
  return occurrences.length ? need(occurrences[0]) : undefined;
}

/** The text of a required token (inside `build`). */
function image(t: IToken): string {
  if (!real(t)) throw INCOMPLETE;
  return t.image;
}

/** Tokens that recovery inserted have no position (NaN); the recording phase's stand-in has -1. */
function real(t: IToken): boolean {
  return t.startOffset >= 0;
}

/** `==` and `<>` are accepted spellings of `=` and `!=`. */
function compareOp(image: string): A.AssertCondition["op"] {
  return (image === "==" ? "=" : image === "<>" ? "!=" : image) as A.AssertCondition["op"];
}

/**
 * The Lathe grammar as a Chevrotain `EmbeddedActionsParser`: each rule builds its AST node (ast.ts)
 * as it parses, so there is no CST and no second walk. Error recovery is on, so one pass reports
 * every syntax error. Rules are class fields (Chevrotain's style); grammar.md documents each rule
 * and a test keeps the two in step. Rule names and CONSUME/SUBRULE occurrence indices are what
 * completion reads (complete.ts); the labels name the parts in the serialized grammar (grammar.html).
 *
 * Chevrotain runs every rule body once with stand-in tokens while it records the grammar
 * (`performSelfAnalysis`), so actions either tolerate those or sit in `build`, which skips them then.
 */
export class LatheParser extends EmbeddedActionsParser {
  /** Line index of the text being parsed: set by `parse` before each run. */
  lines = new LineIndex("");
  /** The real tokens consumed so far, in order (see `trackConsumedTokens`). */
  private consumed: IToken[] = [];
  /** Statements parsed so far: what `program` gives back if recovery ends it early. */
  private statements: A.Statement[] = [];

  /** `paths`: lookahead paths computed ahead of time (null: Chevrotain computes them all, as the test that keeps them does). */
  constructor(paths: LookaheadPaths | null = lookaheadPaths ?? null) {
    // Grammar validation (ambiguities, left recursion) costs ~150 ms at every start and can only fail
    // when the grammar changes: the tests run it (vitest sets VITEST), commands and the kernel skip it.
    // Lookahead paths are computed ahead of time (cached-lookahead.ts): ≈ 200 ms less at every start.
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, skipValidations: !process.env.VITEST, lookaheadStrategy: new CachedLookahead(3, T.allTokens, paths) });
    this.performSelfAnalysis();
    this.cheapErrorPaths();
    this.trackConsumedTokens();
  }

  override reset(): void {
    super.reset();
    this.consumed = [];
    this.statements = [];
  }

  /**
   * Chevrotain builds a NoViableAlt or EarlyExit message from every lookahead path of the failing
   * choice, computed afresh at each error with the parser's full lookahead (its own source says
   * this "can be slow"). With k = 3 and alternatives that start with the `Name` category, one error
   * cost up to 200 ms. Our messages name only the first token of each alternative, so errors are
   * raised with k = 1: same first tokens, a fraction of the work. Lookahead for parsing itself was
   * fixed at self-analysis and is unaffected.
   */
  private cheapErrorPaths(): void {
    const self = this as unknown as Record<string, unknown> & { maxLookahead: number };
    for (const method of ["raiseNoAltException", "raiseEarlyExitException"]) {
      const raise = (self[method] as (...args: unknown[]) => never).bind(this);
      self[method] = (...args: unknown[]) => {
        const k = self.maxLookahead;
        self.maxLookahead = 1;
        try {
          return raise(...args);
        } finally {
          self.maxLookahead = k;
        }
      };
    }
  }

  /**
   * A node spans the real tokens its rule consumed, first to last, as a CST node's location would:
   * tokens that recovery inserted have no position and tokens it skipped were not consumed.
   * Chevrotain calls `cstPostTerminal` after every CONSUME (a no-op without a CST); we use it to
   * keep the consumed tokens, and a rule notes how many there were when it started (`mark`).
   */
  private trackConsumedTokens(): void {
    (this as unknown as { cstPostTerminal: (label: string, t: IToken) => void }).cstPostTerminal = (_label, t) => {
      if (real(t)) this.consumed.push(t);
    };
  }

  private mark(): number {
    return this.consumed.length;
  }

  /** The span of the tokens consumed since `mark` gave `at`; undefined if there were none. */
  private spanFrom(at: number): Span | undefined {
    const c = this.consumed;
    if (c.length <= at) return undefined;
    const last = c[c.length - 1];
    return this.lines.span(c[at].startOffset, last.startOffset + last.image.length);
  }

  private tokenSpan(t: IToken): Span {
    return this.lines.span(t.startOffset, t.startOffset + t.image.length);
  }

  /** Makes a node spanning the tokens since `at`; BROKEN if `make` finds a part missing, or while recording. */
  private build<N>(at: number, make: (span: Span) => N): N | Broken {
    if (this.RECORDING_PHASE) return BROKEN;
    const span = this.spanFrom(at);
    if (!span) return BROKEN;
    try {
      return make(span);
    } catch (e) {
      if (e === INCOMPLETE) return BROKEN;
      throw e;
    }
  }

  private nameOf(t: IToken): A.Name | Broken {
    return real(t) ? { text: t.image, span: this.tokenSpan(t), quoted: false } : BROKEN;
  }

  /** A required name (inside `build`). */
  private name(t: IToken | undefined): A.Name {
    return need(t && this.nameOf(t));
  }

  /** An optional name: absent if not written, or if recovery inserted it. */
  private optName(t: IToken | undefined): A.Name | undefined {
    return (t && this.nameOf(t)) ?? undefined;
  }

  private quotedName(t: IToken): A.Name | Broken {
    return real(t) ? { text: unquote(t.image), span: this.tokenSpan(t), quoted: true } : BROKEN;
  }

  /** Builds the statement being parsed from its parts so far (see `begin`). */
  private pending: () => Got<A.Statement> = () => undefined;

  /**
   * Rule options of the statements. Chevrotain's re-sync recovery can end a statement rule early
   * (at a `;`); the statement then keeps the parts it had, if they are enough to build it, as a
   * partial CST node did when the CST was converted to the AST.
   */
  private readonly keepPartial = { recoveryValueFunc: () => this.pending() };

  /**
   * Starts a statement: `make` builds it from the rule's parts (variables it reads when called) and
   * spans the tokens consumed from here. Gives back the builder for the rule to call at its end.
   */
  private begin(make: (span: Span) => A.Statement): () => Got<A.Statement> {
    const at = this.mark();
    const statement = () => this.build(at, make);
    this.pending = statement;
    return statement;
  }

  program = this.RULE(
    "program",
    () => {
      const statements = this.statements;
      this.MANY(() => {
        const s = this.SUBRULE(this.statement);
        if (s !== undefined && s !== BROKEN) statements.push(s);
      });
      return statements;
    },
    { recoveryValueFunc: () => this.statements },
  );

  // The alternatives of the busiest choices are built once, not at every call (Chevrotain's advice),
  // in the order of the one statement list (statements.ts); `statementRules` maps each to its rule.
  private readonly statementAlternatives: IOrAlt<Got<A.Statement>>[] = statementKeywords.map((kind) => ({ ALT: () => this.SUBRULE(this.statementRules[kind]) }));

  private readonly semicolon = () => this.CONSUME(T.Semicolon);

  statement = this.RULE("statement", () => {
    const s = this.OR(this.statementAlternatives);
    this.OPTION(this.semicolon);
    return s;
  });

  // param seed = 42
  paramStatement = this.RULE(
    "paramStatement",
    () => {
      let name: IToken | undefined;
      let value: Got<A.Literal>;
      const statement = this.begin((span) => ({ kind: "param", name: this.name(name), value: need(value), span }));
      this.CONSUME(K.param);
      name = this.CONSUME(T.Name, { LABEL: "name" });
      this.CONSUME(T.Equals);
      value = this.SUBRULE(this.literal, { LABEL: "value" });
      return statement();
    },
    this.keepPartial,
  );

  // source penguins = read "data/penguins.json" [format json] [with { delimiter: ";" }] [snapshot]
  // source t = sql "select ..." | source t = table "name" from "file.duckdb"   [snapshot]
  // source t = table "name" from clickhouse "http://host:8123/db" [with { user_env: "X"; password_env: "Y" }]   (an engine's table: data steps run there)
  sourceStatement = this.RULE(
    "sourceStatement",
    () => {
      let name: IToken | undefined;
      let form: A.SourceSpec["kind"] = "file";
      let path: Got<A.Literal & { value: string }>;
      let format: IToken | undefined;
      const options: A.OptionEntry[] = [];
      let table: Got<A.Literal & { value: string }>;
      let engine: IToken | undefined;
      let snapshot = false;
      const statement = this.begin((span) => {
        const source: A.SourceSpec =
          form === "file"
            ? { kind: "file", path: need(path), format: this.optName(format), options }
            : form === "sql"
              ? { kind: "sql", query: need(path) }
              : { kind: "table", table: need(table), database: need(path), ...(engine ? { engine: this.name(engine) } : {}), ...(options.length ? { options } : {}) };
        return { kind: "source", name: this.name(name), source, ...(snapshot ? { snapshot } : {}), span };
      });
      this.CONSUME(K.source);
      name = this.CONSUME(T.Name, { LABEL: "name" });
      this.CONSUME(T.Equals);
      this.OR([
        {
          ALT: () => {
            this.CONSUME(K.read);
            path = this.SUBRULE(this.text, { LABEL: "path" });
            this.OPTION(() => {
              this.CONSUME(K.format);
              format = this.CONSUME2(T.Name, { LABEL: "format" });
            });
            this.OPTION2(() => {
              this.CONSUME(K.with);
              this.SUBRULE(this.optionBlock, { ARGS: [options] });
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.sql);
            form = "sql";
            path = this.SUBRULE2(this.text, { LABEL: "query" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.table);
            form = "table";
            table = this.SUBRULE3(this.text, { LABEL: "table" });
            this.CONSUME(K.from);
            // The engine is a plain name, not a keyword: a column may still be called `clickhouse`.
            this.OPTION4(() => {
              engine = this.CONSUME3(T.Name, { LABEL: "engine" });
            });
            path = this.SUBRULE4(this.text, { LABEL: "database" });
            // An engine's credential variables: `with { user_env: "X"; password_env: "Y" }`.
            this.OPTION5(() => {
              this.CONSUME2(K.with);
              this.SUBRULE2(this.optionBlock, { ARGS: [options] });
            });
          },
        },
      ]);
      this.OPTION3(() => {
        this.CONSUME(K.snapshot);
        snapshot = true;
      });
      return statement();
    },
    this.keepPartial,
  );

  // prepare clean = penguins { step; step }
  prepareStatement = this.RULE(
    "prepareStatement",
    () => {
      let name: IToken | undefined;
      let input: IToken | undefined;
      const steps: A.PrepareStep[] = [];
      const statement = this.begin((span) => ({ kind: "prepare", name: this.name(name), input: this.name(input), steps, span }));
      this.CONSUME(K.prepare);
      name = this.CONSUME(T.Name, { LABEL: "name" });
      this.CONSUME(T.Equals);
      input = this.CONSUME2(T.Name, { LABEL: "input" });
      this.CONSUME(T.LBrace);
      this.MANY(() => {
        const step = this.SUBRULE(this.prepareStep);
        if (step !== undefined && step !== BROKEN) steps.push(step);
        this.OPTION(this.semicolon);
      });
      this.CONSUME(T.RBrace);
      return statement();
    },
    this.keepPartial,
  );

  private readonly stepAlternatives: IOrAlt<Got<A.PrepareStep>>[] = stepRules.map((rule) => ({ ALT: () => this.SUBRULE(this.stepRules[rule]) }));

  prepareStep = this.RULE("prepareStep", () => this.OR(this.stepAlternatives));

  // drop rows where <expr> | drop duplicates [on a, b] | drop columns a, b
  dropStep = this.RULE("dropStep", (): Got<A.PrepareStep> => {
    const at = this.mark();
    this.CONSUME(K.drop);
    let form: "rows" | "duplicates" | "columns" = "rows";
    let where: Got<A.Expr>;
    let columns: Got<A.Name[]>;
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.rows);
          this.CONSUME(K.where);
          where = this.SUBRULE(this.expression, { LABEL: "where" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.duplicates);
          form = "duplicates";
          this.OPTION(() => {
            this.CONSUME(K.on);
            columns = this.SUBRULE(this.columnList, { LABEL: "on" });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.columns);
          form = "columns";
          columns = this.SUBRULE2(this.columnList, { LABEL: "columns" });
        },
      },
    ]);
    return this.build(at, (span): A.PrepareStep =>
      form === "rows"
        ? { kind: "drop-rows", where: need(where), span }
        : form === "duplicates"
          ? { kind: "drop-duplicates", on: optionalList(columns), span }
          : { kind: "drop-columns", columns: need(columns), span },
    );
  });

  // keep rows where <expr> | keep columns a, b
  keepStep = this.RULE("keepStep", (): Got<A.PrepareStep> => {
    const at = this.mark();
    this.CONSUME(K.keep);
    let form: "rows" | "columns" = "rows";
    let where: Got<A.Expr>;
    let columns: Got<A.Name[]>;
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.rows);
          this.CONSUME(K.where);
          where = this.SUBRULE(this.expression, { LABEL: "where" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.columns);
          form = "columns";
          columns = this.SUBRULE(this.columnList, { LABEL: "columns" });
        },
      },
    ]);
    return this.build(at, (span): A.PrepareStep => (form === "rows" ? { kind: "keep-rows", where: need(where), span } : { kind: "keep-columns", columns: need(columns), span }));
  });

  // fill a, b with median | mean | mode | <literal>
  fillStep = this.RULE("fillStep", (): Got<A.PrepareStep> => {
    const at = this.mark();
    this.CONSUME(K.fill);
    const columns = this.SUBRULE(this.columnList, { LABEL: "columns" });
    this.CONSUME(K.with);
    let strategy: IToken | undefined;
    let value: Got<A.Literal>;
    this.OR([
      { ALT: () => (strategy = this.CONSUME(K.median, { LABEL: "strategy" })) },
      { ALT: () => (strategy = this.CONSUME(K.mean, { LABEL: "strategy" })) },
      { ALT: () => (strategy = this.CONSUME(K.mode, { LABEL: "strategy" })) },
      { ALT: () => (value = this.SUBRULE(this.literal, { LABEL: "value" })) },
    ]);
    return this.build(at, (span): A.PrepareStep =>
      strategy
        ? { kind: "fill", columns: need(columns), strategy: strategy.image as "median" | "mean" | "mode", span }
        : { kind: "fill", columns: need(columns), strategy: "value", value: need(value), span },
    );
  });

  // onehot a, b
  onehotStep = this.RULE("onehotStep", (): Got<A.PrepareStep> => {
    const at = this.mark();
    this.CONSUME(K.onehot);
    const columns = this.SUBRULE(this.columnList, { LABEL: "columns" });
    return this.build(at, (span): A.PrepareStep => ({ kind: "onehot", columns: need(columns), span }));
  });

  // replace island "Torgersen " -> "Torgersen"
  replaceStep = this.RULE("replaceStep", (): Got<A.PrepareStep> => {
    const at = this.mark();
    this.CONSUME(K.replace);
    const column = this.SUBRULE(this.column, { LABEL: "column" });
    const from = this.SUBRULE(this.literal, { LABEL: "from" });
    this.CONSUME(T.Arrow);
    const to = this.SUBRULE2(this.literal, { LABEL: "to" });
    return this.build(at, (span): A.PrepareStep => ({ kind: "replace", column: need(column), from: need(from), to: need(to), span }));
  });

  // clip a, b between 0 and 100
  clipStep = this.RULE("clipStep", (): Got<A.PrepareStep> => {
    const at = this.mark();
    this.CONSUME(K.clip);
    const columns = this.SUBRULE(this.columnList, { LABEL: "columns" });
    this.CONSUME(K.between);
    const low = this.SUBRULE(this.literal, { LABEL: "low" });
    this.CONSUME(K.and);
    const high = this.SUBRULE2(this.literal, { LABEL: "high" });
    return this.build(at, (span): A.PrepareStep => ({ kind: "clip", columns: need(columns), low: need(low), high: need(high), span }));
  });

  // derive ratio = a / b
  deriveStep = this.RULE("deriveStep", (): Got<A.PrepareStep> => {
    const at = this.mark();
    this.CONSUME(K.derive);
    const name = this.SUBRULE(this.column, { LABEL: "name" });
    this.CONSUME(T.Equals);
    const expr = this.SUBRULE(this.expression, { LABEL: "expr" });
    return this.build(at, (span): A.PrepareStep => ({ kind: "derive", name: need(name), expr: need(expr), span }));
  });

  // cast d as date
  castStep = this.RULE("castStep", (): Got<A.PrepareStep> => {
    const at = this.mark();
    this.CONSUME(K.cast);
    const columns = this.SUBRULE(this.columnList, { LABEL: "columns" });
    this.CONSUME(K.as);
    const type = this.CONSUME(T.Name, { LABEL: "type" });
    return this.build(at, (span): A.PrepareStep => ({ kind: "cast", columns: need(columns), type: this.name(type), span }));
  });

  // trim s | lower s | upper s
  textStep = this.RULE("textStep", (): Got<A.PrepareStep> => {
    const at = this.mark();
    const op = this.OR([
      { ALT: () => this.CONSUME(K.trim, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(K.lower, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(K.upper, { LABEL: "op" }) },
    ]);
    const columns = this.SUBRULE(this.columnList, { LABEL: "columns" });
    return this.build(at, (span): A.PrepareStep => ({ kind: "text", op: op.image as "trim" | "lower" | "upper", columns: need(columns), span }));
  });

  // scale a, b [standard | minmax]
  scaleStep = this.RULE("scaleStep", (): Got<A.PrepareStep> => {
    const at = this.mark();
    this.CONSUME(K.scale);
    const columns = this.SUBRULE(this.columnList, { LABEL: "columns" });
    let method: IToken | undefined;
    this.OPTION(() => {
      method = this.OR([
        { ALT: () => this.CONSUME(K.standard, { LABEL: "method" }) },
        { ALT: () => this.CONSUME(K.minmax, { LABEL: "method" }) },
      ]);
    });
    return this.build(at, (span): A.PrepareStep => ({ kind: "scale", columns: need(columns), method: (method?.image as "standard" | "minmax") ?? "standard", span }));
  });

  // bucket x into 5
  bucketStep = this.RULE("bucketStep", (): Got<A.PrepareStep> => {
    const at = this.mark();
    this.CONSUME(K.bucket);
    const column = this.SUBRULE(this.column, { LABEL: "column" });
    this.CONSUME(K.into);
    const count = this.CONSUME(T.NumberLiteral, { LABEL: "count" });
    return this.build(at, (span): A.PrepareStep => ({ kind: "bucket", column: need(column), count: Number(image(count)), span }));
  });

  // rename a to b
  renameStep = this.RULE("renameStep", (): Got<A.PrepareStep> => {
    const at = this.mark();
    this.CONSUME(K.rename);
    const from = this.SUBRULE(this.column, { LABEL: "from" });
    this.CONSUME(K.to);
    const to = this.SUBRULE2(this.column, { LABEL: "to" });
    return this.build(at, (span): A.PrepareStep => ({ kind: "rename", from: need(from), to: need(to), span }));
  });

  // split clean into train 70%, validation 15%, test 15% [stratify by c] [by time on d] [seed 42]
  splitStatement = this.RULE(
    "splitStatement",
    () => {
      let input: IToken | undefined;
      const parts: Got<A.SplitPart>[] = [];
      const stratify: Got<A.Name>[] = [];
      const time: Got<A.Name>[] = [];
      const column: Got<A.Name>[] = [];
      const seed: Got<A.Literal | { kind: "name"; name: A.Name; span: Span }>[] = [];
      const hash: IToken[] = [];
      const statement = this.begin((span) => ({
        kind: "split",
        input: this.name(input),
        parts: all(parts),
        stratify: first(stratify),
        time: first(time),
        column: first(column),
        seed: first(seed),
        hash: hash.length ? this.name(hash[0]) : undefined,
        span,
      }));
      this.CONSUME(K.split);
      input = this.CONSUME(T.Name, { LABEL: "input" });
      this.CONSUME(K.into);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => parts.push(this.SUBRULE(this.splitPart)) });
      this.MANY(() => {
        this.OR([
          {
            ALT: () => {
              this.CONSUME(K.stratify);
              this.CONSUME(K.by);
              occurrence(stratify, () => this.SUBRULE(this.column, { LABEL: "stratify" }));
            },
          },
          {
            ALT: () => {
              this.CONSUME2(K.by);
              this.CONSUME(K.time);
              this.CONSUME(K.on);
              occurrence(time, () => this.SUBRULE2(this.column, { LABEL: "time" }));
            },
          },
          {
            ALT: () => {
              this.CONSUME3(K.by);
              this.CONSUME(K.column);
              occurrence(column, () => this.SUBRULE3(this.column, { LABEL: "column" }));
            },
          },
          {
            ALT: () => {
              this.CONSUME(K.seed);
              occurrence(seed, () => this.SUBRULE(this.literalOrName, { LABEL: "seed" }));
            },
          },
          {
            ALT: () => {
              this.CONSUME(K.hash);
              hash.push(this.CONSUME2(T.Name, { LABEL: "hash" }));
            },
          },
        ]);
      });
      return statement();
    },
    this.keepPartial,
  );

  // train 70% | train (in a split by column)
  splitPart = this.RULE("splitPart", (): Got<A.SplitPart> => {
    const at = this.mark();
    const name = this.CONSUME(T.Name, { LABEL: "name" });
    let percent: IToken | undefined;
    this.OPTION(() => {
      percent = this.CONSUME(T.NumberLiteral, { LABEL: "percent" });
      this.CONSUME(T.Percent);
    });
    return this.build(at, (span) => ({ name: this.name(name), percent: percent ? Number(image(percent)) : undefined, span }));
  });

  // model m = logistic_regression predicting Species from train { features: a, b; epochs: 300 }
  modelStatement = this.RULE(
    "modelStatement",
    () => {
      let name: IToken | undefined;
      let algorithm: IToken | undefined;
      let target: Got<A.Name>;
      let input: IToken | undefined;
      const options: A.OptionEntry[] = [];
      const statement = this.begin((span) => ({
        kind: "model",
        name: this.name(name),
        algorithm: this.name(algorithm),
        target: need(target),
        input: this.name(input),
        options,
        span,
      }));
      this.CONSUME(K.model);
      name = this.CONSUME(T.Name, { LABEL: "name" });
      this.CONSUME(T.Equals);
      algorithm = this.CONSUME2(T.Name, { LABEL: "algorithm" });
      this.CONSUME(K.predicting);
      target = this.SUBRULE(this.column, { LABEL: "target" });
      this.CONSUME(K.from);
      input = this.CONSUME3(T.Name, { LABEL: "input" });
      this.OPTION(() => this.SUBRULE(this.optionBlock, { ARGS: [options] }));
      return statement();
    },
    this.keepPartial,
  );

  /**
   * `{ key: value; ... }`. Entries that recovery damaged are left out. The entries go into `entries`,
   * so a statement that recovery cuts short inside the block keeps the ones before.
   */
  optionBlock = this.RULE("optionBlock", (entries: A.OptionEntry[] = []): Got<A.OptionEntry[]> => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const entry = this.SUBRULE(this.optionEntry);
      if (entry !== undefined && entry !== BROKEN) entries.push(entry);
      this.OPTION(this.semicolon);
    });
    this.CONSUME(T.RBrace);
    return entries;
  });

  optionEntry = this.RULE("optionEntry", (): Got<A.OptionEntry> => {
    const at = this.mark();
    const key = this.CONSUME(T.Name, { LABEL: "key" });
    this.CONSUME(T.Colon);
    const values: Got<A.OptionValue>[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => values.push(this.SUBRULE(this.optionValue, { LABEL: "values" })) });
    return this.build(at, (span) => ({ key: this.name(key), values: all(values), span }));
  });

  private readonly optionValueAlternatives: IOrAlt<Got<A.OptionValue>>[] = [
    {
      ALT: () => {
        const at = this.mark();
        this.CONSUME(T.LBracket);
        const items: Got<A.OptionValue>[] = [];
        this.MANY_SEP({ SEP: T.Comma, DEF: () => items.push(this.SUBRULE(this.optionValue, { LABEL: "items" })) });
        this.CONSUME(T.RBracket);
        return this.build(at, (span): A.OptionValue => ({ kind: "list", items: all(items), span }));
      },
    },
    { ALT: () => req(this.SUBRULE(this.literal, { LABEL: "literal" })) },
    {
      ALT: () => {
        const name = this.nameOf(this.CONSUME(T.Name, { LABEL: "name" }));
        return name === BROKEN ? BROKEN : { kind: "name", name, span: { ...name.span } };
      },
    },
  ];

  optionValue = this.RULE("optionValue", () => this.OR(this.optionValueAlternatives));

  // evaluate m on test [metrics accuracy, f1]
  evaluateStatement = this.RULE(
    "evaluateStatement",
    () => {
      let model: IToken | undefined;
      let data: IToken | undefined;
      const metrics: IToken[] = [];
      const statement = this.begin((span) => ({
        kind: "evaluate",
        model: this.name(model),
        data: this.name(data),
        metrics: metrics.flatMap((t) => this.optName(t) ?? []),
        span,
      }));
      this.CONSUME(K.evaluate);
      model = this.CONSUME(T.Name, { LABEL: "model" });
      this.CONSUME(K.on);
      data = this.CONSUME2(T.Name, { LABEL: "data" });
      this.OPTION(() => {
        this.CONSUME(K.metrics);
        this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => metrics.push(this.CONSUME3(T.Name, { LABEL: "metrics" })) });
      });
      return statement();
    },
    this.keepPartial,
  );

  // assert m on test: f1 >= 0.9 and accuracy > 0.95
  assertStatement = this.RULE(
    "assertStatement",
    () => {
      let model: IToken | undefined;
      let data: IToken | undefined;
      const conditions: Got<A.AssertCondition>[] = [];
      const statement = this.begin((span) => ({ kind: "assert", model: this.name(model), data: this.name(data), conditions: all(conditions), span }));
      this.CONSUME(K.assert);
      model = this.CONSUME(T.Name, { LABEL: "model" });
      this.CONSUME(K.on);
      data = this.CONSUME2(T.Name, { LABEL: "data" });
      this.CONSUME(T.Colon);
      this.AT_LEAST_ONE_SEP({ SEP: K.and, DEF: () => conditions.push(this.SUBRULE(this.assertCondition, { LABEL: "conditions" })) });
      return statement();
    },
    this.keepPartial,
  );

  assertCondition = this.RULE("assertCondition", (): Got<A.AssertCondition> => {
    const at = this.mark();
    const metric = this.CONSUME(T.Name, { LABEL: "metric" });
    const op = this.CONSUME(T.CompareOp, { LABEL: "op" });
    const bound = this.SUBRULE(this.literal, { LABEL: "bound" });
    return this.build(at, (span) => ({ metric: this.name(metric), op: compareOp(image(op)), bound: need(bound), span }));
  });

  // plot confusion of m on test [columns a, b] [to "out/c.svg"]
  plotStatement = this.RULE(
    "plotStatement",
    () => {
      let kind: IToken | undefined;
      let target: IToken | undefined;
      let data: IToken | undefined;
      const columns: Got<A.Name>[] = [];
      let hasPath = false;
      let path: Got<A.Literal & { value: string }>;
      const statement = this.begin((span) => ({
        kind: "plot",
        chart: this.name(kind),
        target: this.name(target),
        data: this.optName(data),
        columns: all(columns),
        path: hasPath ? need(path) : undefined,
        span,
      }));
      this.CONSUME(K.plot);
      kind = this.CONSUME(T.Name, { LABEL: "kind" });
      this.OPTION(() => this.CONSUME(K.of));
      target = this.CONSUME2(T.Name, { LABEL: "target" });
      this.OPTION2(() => {
        this.CONSUME(K.on);
        data = this.CONSUME3(T.Name, { LABEL: "data" });
      });
      this.OPTION3(() => {
        this.CONSUME(K.columns);
        this.SUBRULE(this.columnList, { LABEL: "columns", ARGS: [columns] });
      });
      this.OPTION4(() => {
        this.CONSUME(K.to);
        hasPath = true;
        path = this.SUBRULE(this.text, { LABEL: "path" });
      });
      return statement();
    },
    this.keepPartial,
  );

  // show x [limit 10]
  showStatement = this.RULE(
    "showStatement",
    () => {
      let target: IToken | undefined;
      let limit: IToken | undefined;
      const statement = this.begin((span) => ({ kind: "show", target: this.name(target), limit: limit ? Number(limit.image) : undefined, span }));
      this.CONSUME(K.show);
      target = this.CONSUME(T.Name, { LABEL: "target" });
      this.OPTION(() => {
        this.CONSUME(K.limit);
        limit = this.CONSUME(T.NumberLiteral, { LABEL: "limit" });
      });
      return statement();
    },
    this.keepPartial,
  );

  // describe x
  describeStatement = this.RULE(
    "describeStatement",
    () => {
      let target: IToken | undefined;
      const statement = this.begin((span) => ({ kind: "describe", target: this.name(target), span }));
      this.CONSUME(K.describe);
      target = this.CONSUME(T.Name, { LABEL: "target" });
      return statement();
    },
    this.keepPartial,
  );

  // tune m over { trees: [50, 100, 200]; max_depth: [4, 8] } by f1 on validation [trials 20] [search random]
  tuneStatement = this.RULE(
    "tuneStatement",
    () => {
      let model: IToken | undefined;
      let space: Got<A.OptionEntry[]>;
      let metric: IToken | undefined;
      let data: IToken | undefined;
      let trials: IToken | undefined;
      let search: IToken | undefined;
      const statement = this.begin((span) => ({
        kind: "tune",
        model: this.name(model),
        space: need(space),
        metric: this.name(metric),
        data: this.name(data),
        trials: trials ? Number(trials.image) : undefined,
        search: search ? (search.image as "grid" | "random") : undefined,
        span,
      }));
      this.CONSUME(K.tune);
      model = this.CONSUME(T.Name, { LABEL: "model" });
      this.CONSUME(K.over);
      space = this.SUBRULE(this.optionBlock, { LABEL: "space" });
      this.CONSUME(K.by);
      metric = this.CONSUME2(T.Name, { LABEL: "metric" });
      this.CONSUME(K.on);
      data = this.CONSUME3(T.Name, { LABEL: "data" });
      this.MANY(() => {
        this.OR([
          {
            ALT: () => {
              this.CONSUME(K.trials);
              const t = this.CONSUME(T.NumberLiteral, { LABEL: "trials" });
              trials ??= t;
            },
          },
          {
            ALT: () => {
              this.CONSUME(K.search);
              const t = this.OR2([{ ALT: () => this.CONSUME(K.grid, { LABEL: "search" }) }, { ALT: () => this.CONSUME(K.random, { LABEL: "search" }) }]);
              search ??= t;
            },
          },
        ]);
      });
      return statement();
    },
    this.keepPartial,
  );

  // register m as "penguin-species"
  registerStatement = this.RULE(
    "registerStatement",
    () => {
      let model: IToken | undefined;
      let name: Got<A.Literal & { value: string }>;
      const statement = this.begin((span) => ({ kind: "register", model: this.name(model), as: need(name), span }));
      this.CONSUME(K.register);
      model = this.CONSUME(T.Name, { LABEL: "model" });
      this.CONSUME(K.as);
      name = this.SUBRULE(this.text, { LABEL: "name" });
      return statement();
    },
    this.keepPartial,
  );

  // promote "penguin-species" [version 3] [to production]
  promoteStatement = this.RULE(
    "promoteStatement",
    () => {
      let target: Got<A.RegistryRef>;
      let alias: IToken | undefined;
      const statement = this.begin((span) => ({ kind: "promote", target: need(target), alias: alias ? this.name(alias) : undefined, span }));
      this.CONSUME(K.promote);
      target = this.SUBRULE(this.registryRef, { LABEL: "target" });
      this.OPTION(() => {
        this.CONSUME(K.to);
        alias = this.CONSUME(T.Name, { LABEL: "alias" });
      });
      return statement();
    },
    this.keepPartial,
  );

  // rollback "penguin-species[@production]" [to version 2]
  rollbackStatement = this.RULE(
    "rollbackStatement",
    () => {
      let name: Got<A.Literal & { value: string }>;
      let version: IToken | undefined;
      const statement = this.begin((span) => ({ kind: "rollback", name: need(name), version: version ? Number(version.image) : undefined, span }));
      this.CONSUME(K.rollback);
      name = this.SUBRULE(this.text, { LABEL: "name" });
      this.OPTION(() => {
        this.CONSUME(K.to);
        this.CONSUME(K.version);
        version = this.CONSUME(T.NumberLiteral, { LABEL: "version" });
      });
      return statement();
    },
    this.keepPartial,
  );

  // deploy "penguin-species" [version 3] batch from clean to "out/scores.parquet"
  deployStatement = this.RULE(
    "deployStatement",
    () => {
      let target: Got<A.RegistryRef>;
      let data: IToken | undefined;
      let output: Got<A.OutputTarget>;
      const statement = this.begin((span) => ({ kind: "deploy", target: need(target), data: this.name(data), output: need(output), span }));
      this.CONSUME(K.deploy);
      target = this.SUBRULE(this.registryRef, { LABEL: "target" });
      this.CONSUME(K.batch);
      this.CONSUME(K.from);
      data = this.CONSUME(T.Name, { LABEL: "data" });
      this.CONSUME(K.to);
      output = this.SUBRULE(this.outputTarget, { LABEL: "output" });
      return statement();
    },
    this.keepPartial,
  );

  // save clean to "out/clean.parquet" | save clean to table "clean" in "out/warehouse.duckdb"
  saveStatement = this.RULE(
    "saveStatement",
    () => {
      let data: IToken | undefined;
      let output: Got<A.OutputTarget>;
      const statement = this.begin((span) => ({ kind: "save", data: this.name(data), output: need(output), span }));
      this.CONSUME(K.save);
      data = this.CONSUME(T.Name, { LABEL: "data" });
      this.CONSUME(K.to);
      output = this.SUBRULE(this.outputTarget, { LABEL: "output" });
      return statement();
    },
    this.keepPartial,
  );

  /**
   * Where rows go: `"file.parquet"` (the extension picks the format), `table "t" in "db.duckdb"`,
   * `table "t" in clickhouse "URL"` (an engine's table, as a source names one), or `table "t"`
   * alone: a table on the engine the rows come from.
   */
  outputTarget = this.RULE("outputTarget", (): Got<A.OutputTarget> => {
    const at = this.mark();
    return this.OR([
      {
        ALT: () => {
          const path = this.SUBRULE(this.text, { LABEL: "path" });
          return this.build(at, (span): A.OutputTarget => ({ kind: "file", path: need(path), span }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.table);
          const table = this.SUBRULE2(this.text, { LABEL: "table" });
          let engine: IToken | undefined;
          let database: Got<A.Literal & { value: string }> | undefined;
          this.OPTION(() => {
            this.CONSUME(K.in);
            // The engine is a plain name, as in a source's `from clickhouse "URL"`.
            this.OPTION2(() => {
              engine = this.CONSUME(T.Name, { LABEL: "engine" });
            });
            database = this.SUBRULE3(this.text, { LABEL: "database" });
          });
          return this.build(at, (span): A.OutputTarget => {
            if (engine) return { kind: "engine-table", table: need(table), engine: this.name(engine), url: need(database), span };
            if (database) return { kind: "table", table: need(table), database: need(database), span };
            return { kind: "engine-table", table: need(table), span };
          });
        },
      },
    ]);
  });

  // serve "penguin-species" [version 3] [port 8080]
  serveStatement = this.RULE(
    "serveStatement",
    () => {
      let target: Got<A.RegistryRef>;
      let port: IToken | undefined;
      const statement = this.begin((span) => ({ kind: "serve", target: need(target), port: port ? Number(port.image) : undefined, span }));
      this.CONSUME(K.serve);
      target = this.SUBRULE(this.registryRef, { LABEL: "target" });
      this.OPTION(() => {
        this.CONSUME(K.port);
        port = this.CONSUME(T.NumberLiteral, { LABEL: "port" });
      });
      return statement();
    },
    this.keepPartial,
  );

  // export "penguin-species" [version 3] to "dist/edge" [for container]
  exportStatement = this.RULE(
    "exportStatement",
    () => {
      let target: Got<A.RegistryRef>;
      let path: Got<A.Literal & { value: string }>;
      let form: IToken | undefined;
      const statement = this.begin((span) => ({ kind: "export", target: need(target), path: need(path), form: form ? this.name(form) : undefined, span }));
      this.CONSUME(K.export);
      target = this.SUBRULE(this.registryRef, { LABEL: "target" });
      this.CONSUME(K.to);
      path = this.SUBRULE(this.text, { LABEL: "path" });
      this.OPTION(() => {
        this.CONSUME(K.for);
        form = this.CONSUME(T.Name, { LABEL: "form" });
      });
      return statement();
    },
    this.keepPartial,
  );

  /** A registered model: its registry name and, optionally, one version (default: the champion). */
  registryRef = this.RULE("registryRef", (): Got<A.RegistryRef> => {
    const at = this.mark();
    const name = this.SUBRULE(this.text, { LABEL: "name" });
    let version: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(K.version);
      version = this.CONSUME(T.NumberLiteral, { LABEL: "version" });
    });
    return this.build(at, (span) => ({ name: need(name), version: version ? Number(version.image) : undefined, span }));
  });

  // monitor "penguin-species" { drift on a, b; latency p99 < 20 ms; error_rate < 1% }
  monitorStatement = this.RULE(
    "monitorStatement",
    () => {
      let target: Got<A.RegistryRef>;
      const rules: A.MonitorRule[] = [];
      const statement = this.begin((span) => ({ kind: "monitor", target: need(target), rules, span }));
      this.CONSUME(K.monitor);
      target = this.SUBRULE(this.registryRef, { LABEL: "target" });
      this.CONSUME(T.LBrace);
      this.MANY(() => {
        const rule = this.SUBRULE(this.monitorRule, { LABEL: "rules" });
        if (rule !== undefined && rule !== BROKEN) rules.push(rule);
        this.OPTION(this.semicolon);
      });
      this.CONSUME(T.RBrace);
      return statement();
    },
    this.keepPartial,
  );

  // drift on a, b [using psi] | <threshold>
  monitorRule = this.RULE("monitorRule", (): Got<A.MonitorRule> => {
    const at = this.mark();
    let drift = false;
    let columns: Got<A.Name[]>;
    let method: IToken | undefined;
    let threshold: Got<A.Threshold>;
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.drift, { LABEL: "drift" });
          drift = true;
          this.CONSUME(K.on);
          columns = this.SUBRULE(this.columnList, { LABEL: "columns" });
          this.OPTION(() => {
            this.CONSUME(K.using);
            method = this.CONSUME(T.Name, { LABEL: "method" });
          });
        },
      },
      { ALT: () => (threshold = this.SUBRULE(this.threshold, { LABEL: "threshold" })) },
    ]);
    return this.build(at, (span): A.MonitorRule =>
      drift ? { kind: "drift", columns: need(columns), method: this.optName(method), span } : { kind: "threshold", threshold: need(threshold), span },
    );
  });

  // latency p99 < 20 ms | error_rate < 1% | drift > 0.25 | accuracy < 0.85
  threshold = this.RULE("threshold", (): Got<A.Threshold> => {
    const at = this.mark();
    const signal = this.CONSUME(T.Name, { LABEL: "signal" });
    const qualifier = this.OPTION(() => this.CONSUME2(T.Name, { LABEL: "qualifier" }));
    const op = this.CONSUME(T.CompareOp, { LABEL: "op" });
    const bound = this.SUBRULE(this.quantity, { LABEL: "bound" });
    return this.build(at, (span) => ({ signal: this.name(signal), qualifier: this.optName(qualifier), op: compareOp(image(op)), bound: need(bound), span }));
  });

  /** A number with an optional unit: `0.25`, `1%`, `20 ms`, `2 s`, `500 MB`. */
  quantity = this.RULE("quantity", (): Got<A.Quantity> => {
    const at = this.mark();
    const minus = this.OPTION(() => this.CONSUME(T.Minus, { LABEL: "minus" }));
    const number = this.CONSUME(T.NumberLiteral, { LABEL: "number" });
    const unit = this.OPTION2(() =>
      this.OR([
        { ALT: () => this.CONSUME(T.Percent, { LABEL: "unit" }) },
        { ALT: () => this.CONSUME(K.ms, { LABEL: "unit" }) },
        { ALT: () => this.CONSUME(K.s, { LABEL: "unit" }) },
        { ALT: () => this.CONSUME(K.KB, { LABEL: "unit" }) },
        { ALT: () => this.CONSUME(K.MB, { LABEL: "unit" }) },
        { ALT: () => this.CONSUME(K.GB, { LABEL: "unit" }) },
      ]),
    );
    return this.build(at, (span) => {
      const v = Number(image(number));
      return { value: minus ? -v : v, unit: unit ? (unit.image as A.Quantity["unit"]) : undefined, span };
    });
  });

  // retrain "penguin-species" every week or when drift > 0.25 or when accuracy < 0.85
  retrainStatement = this.RULE(
    "retrainStatement",
    () => {
      let target: Got<A.RegistryRef>;
      const triggers: A.RetrainTrigger[] = [];
      const statement = this.begin((span) => ({ kind: "retrain", target: need(target), triggers, span }));
      this.CONSUME(K.retrain);
      target = this.SUBRULE(this.registryRef, { LABEL: "target" });
      this.AT_LEAST_ONE_SEP({
        SEP: K.or,
        DEF: () => {
          const trigger = this.SUBRULE(this.retrainTrigger, { LABEL: "triggers" });
          if (trigger !== undefined && trigger !== BROKEN) triggers.push(trigger);
        },
      });
      return statement();
    },
    this.keepPartial,
  );

  // every [2] week | when <threshold>
  retrainTrigger = this.RULE("retrainTrigger", (): Got<A.RetrainTrigger> => {
    const at = this.mark();
    let count: IToken | undefined;
    let unit: IToken | undefined;
    let threshold: Got<A.Threshold>;
    let when = false;
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.every);
          count = this.OPTION(() => this.CONSUME(T.NumberLiteral, { LABEL: "count" }));
          unit = this.CONSUME(T.Name, { LABEL: "unit" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.when);
          when = true;
          threshold = this.SUBRULE(this.threshold, { LABEL: "threshold" });
        },
      },
    ]);
    return this.build(at, (span): A.RetrainTrigger =>
      when ? { kind: "condition", threshold: need(threshold), span } : { kind: "schedule", count: count ? Number(count.image) : 1, unit: this.name(unit), span },
    );
  });

  /** `a, b, "c d"`. The columns also go into `columns`, so a statement that recovery cuts short here keeps the ones before. */
  columnList = this.RULE("columnList", (columns: Got<A.Name>[] = []): Got<A.Name[]> => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => columns.push(this.SUBRULE(this.column, { LABEL: "columns" })) });
    return list(columns);
  });

  private readonly columnAlternatives: IOrAlt<Got<A.Name>>[] = [
    { ALT: () => this.nameOf(this.CONSUME(T.Name, { LABEL: "name" })) },
    { ALT: () => this.quotedName(this.CONSUME(T.QuotedString, { LABEL: "quoted" })) },
  ];

  /** A column: a bare name or a double-quoted one (`"Body Mass (g)"`). */
  column = this.RULE("column", () => this.OR(this.columnAlternatives));

  private readonly textAlternatives: IOrAlt<IToken>[] = [{ ALT: () => this.CONSUME(T.QuotedString, { LABEL: "value" }) }, { ALT: () => this.CONSUME(T.SingleString, { LABEL: "value" }) }];

  /** A string in a position that can only be text (paths, queries, labels): either quote style. */
  text = this.RULE("text", () => this.stringLiteral(this.OR(this.textAlternatives)));

  private readonly literalAlternatives: IOrAlt<Got<A.Literal>>[] = [
    {
      ALT: () => {
        const at = this.mark();
        const minus = this.OPTION(() => this.CONSUME(T.Minus, { LABEL: "minus" }));
        const number = this.CONSUME(T.NumberLiteral, { LABEL: "number" });
        const percent = this.OPTION2(() => this.CONSUME(T.Percent, { LABEL: "percent" }));
        if (!real(number)) return BROKEN;
        const v = Number(number.image);
        return { kind: "literal", value: minus ? -v : v, percent: percent ? true : undefined, span: this.spanFrom(at)! };
      },
    },
    { ALT: () => this.stringLiteral(this.CONSUME(T.QuotedString, { LABEL: "string" })) },
    { ALT: () => this.stringLiteral(this.CONSUME(T.SingleString, { LABEL: "string" })) },
    { ALT: () => this.tokenLiteral(this.CONSUME(K.true, { LABEL: "boolean" }), true) },
    { ALT: () => this.tokenLiteral(this.CONSUME(K.false, { LABEL: "boolean" }), false) },
    { ALT: () => this.tokenLiteral(this.CONSUME(K.null, { LABEL: "null" }), null) },
  ];

  literal = this.RULE("literal", () => this.OR(this.literalAlternatives));

  private stringLiteral(t: IToken): (A.Literal & { value: string }) | Broken {
    return real(t) ? { kind: "literal", value: unquote(t.image), span: this.tokenSpan(t) } : BROKEN;
  }

  private tokenLiteral(t: IToken, value: A.LiteralValue): A.Literal | Broken {
    return real(t) ? { kind: "literal", value, span: this.tokenSpan(t) } : BROKEN;
  }

  private readonly literalOrNameAlternatives: IOrAlt<Got<A.Literal | { kind: "name"; name: A.Name; span: Span }>>[] = [
    { ALT: () => req(this.SUBRULE(this.literal)) },
    {
      ALT: () => {
        const name = this.nameOf(this.CONSUME(T.Name, { LABEL: "name" }));
        return name === BROKEN ? BROKEN : { kind: "name", name, span: name.span };
      },
    },
  ];

  literalOrName = this.RULE("literalOrName", () => this.OR(this.literalOrNameAlternatives));

  // Expressions, loosest first: or → and → not → comparison → additive → multiplicative → unary → primary.
  expression = this.RULE("expression", (): Got<A.Expr> => {
    const operands: Got<A.Expr>[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: K.or, DEF: () => operands.push(this.SUBRULE(this.andExpression, { LABEL: "operands" })) });
    return this.foldLogical("or", operands);
  });

  andExpression = this.RULE("andExpression", (): Got<A.Expr> => {
    const operands: Got<A.Expr>[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: K.and, DEF: () => operands.push(this.SUBRULE(this.notExpression, { LABEL: "operands" })) });
    return this.foldLogical("and", operands);
  });

  /** `a or b or c` as ((a or b) or c); operands that recovery cut short are left out. */
  private foldLogical(op: "and" | "or", operands: Got<A.Expr>[]): A.Expr | Broken {
    if (operands.length === 1) return req(operands[0]);
    if (this.RECORDING_PHASE) return BROKEN;
    let acc: A.Expr | undefined;
    for (const right of operands) {
      if (right === BROKEN) return BROKEN;
      if (right === undefined) continue;
      acc = acc ? { kind: "binary", op, left: acc, right, span: joinSpans(acc.span, right.span) } : right;
    }
    return acc ?? BROKEN;
  }

  private readonly notAlternatives: IOrAlt<Got<A.Expr>>[] = [
    {
      ALT: () => {
        const at = this.mark();
        this.CONSUME(K.not);
        const operand = this.SUBRULE(this.notExpression, { LABEL: "negated" });
        return this.build(at, (span): A.Expr => ({ kind: "unary", op: "not", operand: need(operand), span }));
      },
    },
    { ALT: () => req(this.SUBRULE(this.comparison, { LABEL: "comparison" })) },
  ];

  notExpression = this.RULE("notExpression", () => this.OR(this.notAlternatives));

  comparison = this.RULE("comparison", (): Got<A.Expr> => {
    const at = this.mark();
    const left = this.SUBRULE(this.additive, { LABEL: "left" });
    let make: ((left: A.Expr, span: Span) => A.Expr) | undefined;
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            const op = this.OR2([{ ALT: () => this.CONSUME(T.CompareOp, { LABEL: "op" }) }, { ALT: () => this.CONSUME(T.Equals, { LABEL: "op" }) }]);
            const right = this.SUBRULE2(this.additive, { LABEL: "right" });
            make = (left, span) => ({ kind: "binary", op: compareOp(image(op)), left, right: need(right), span });
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.is);
            const not = this.OPTION2(() => this.CONSUME(K.not, { LABEL: "isNot" }));
            this.OR3([{ ALT: () => this.CONSUME(K.missing, { LABEL: "missing" }) }, { ALT: () => this.CONSUME(K.null, { LABEL: "missing" }) }]);
            make = (left, span) => ({ kind: "is-missing", operand: left, negated: !!not, span });
          },
        },
        {
          ALT: () => {
            const not = this.OPTION3(() => this.CONSUME2(K.not, { LABEL: "rangeNot" }));
            this.OR4([
              {
                ALT: () => {
                  this.CONSUME(K.between);
                  const low = this.SUBRULE3(this.additive, { LABEL: "low" });
                  this.CONSUME(K.and);
                  const high = this.SUBRULE4(this.additive, { LABEL: "high" });
                  make = (left, span) => ({ kind: "between", operand: left, low: need(low), high: need(high), negated: !!not, span });
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.in);
                  this.CONSUME(T.LParen);
                  const items: Got<A.Expr>[] = [];
                  this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => items.push(this.SUBRULE5(this.additive, { LABEL: "items" })) });
                  this.CONSUME(T.RParen);
                  make = (left, span) => ({ kind: "in", operand: left, items: all(items), negated: !!not, span });
                },
              },
            ]);
          },
        },
      ]);
    });
    if (!make) return req(left);
    const node = make;
    return this.build(at, (span) => node(need(left), span));
  });

  private readonly additiveOps: IOrAlt<IToken>[] = [{ ALT: () => this.CONSUME(T.Plus, { LABEL: "ops" }) }, { ALT: () => this.CONSUME(T.Minus, { LABEL: "ops" }) }];

  additive = this.RULE("additive", (): Got<A.Expr> => {
    const operands = [this.SUBRULE(this.multiplicative, { LABEL: "operands" })];
    const ops: IToken[] = [];
    this.MANY(() => {
      ops.push(this.OR(this.additiveOps));
      operands.push(this.SUBRULE2(this.multiplicative, { LABEL: "operands" }));
    });
    return this.foldArithmetic(operands, ops);
  });

  private readonly multiplicativeOps: IOrAlt<IToken>[] = [
    { ALT: () => this.CONSUME(T.Star, { LABEL: "ops" }) },
    { ALT: () => this.CONSUME(T.Slash, { LABEL: "ops" }) },
    { ALT: () => this.CONSUME(T.Percent, { LABEL: "ops" }) },
  ];

  multiplicative = this.RULE("multiplicative", (): Got<A.Expr> => {
    const operands = [this.SUBRULE(this.unary, { LABEL: "operands" })];
    const ops: IToken[] = [];
    this.MANY(() => {
      ops.push(this.OR(this.multiplicativeOps));
      operands.push(this.SUBRULE2(this.unary, { LABEL: "operands" }));
    });
    return this.foldArithmetic(operands, ops);
  });

  /** `a - b + c` as ((a - b) + c); operands that recovery cut short are left out, and so are inserted operators. */
  private foldArithmetic(operands: Got<A.Expr>[], ops: IToken[]): A.Expr | Broken {
    if (operands.length === 1) return req(operands[0]);
    if (this.RECORDING_PHASE) return BROKEN;
    const kept = list(operands);
    if (kept === BROKEN || !kept.length) return BROKEN;
    const realOps = ops.filter(real);
    let acc = kept[0];
    for (let i = 1; i < kept.length; i++) {
      const right = kept[i];
      acc = { kind: "binary", op: (realOps[i - 1]?.image ?? "+") as A.BinaryOp, left: acc, right, span: joinSpans(acc.span, right.span) };
    }
    return acc;
  }

  private readonly unaryAlternatives: IOrAlt<Got<A.Expr>>[] = [
    {
      ALT: () => {
        const at = this.mark();
        this.CONSUME(T.Minus, { LABEL: "minus" });
        const operand = this.SUBRULE(this.unary, { LABEL: "operand" });
        return this.build(at, (span): A.Expr => ({ kind: "unary", op: "-", operand: need(operand), span }));
      },
    },
    { ALT: () => req(this.SUBRULE(this.primary, { LABEL: "primary" })) },
  ];

  unary = this.RULE("unary", () => this.OR(this.unaryAlternatives));

  private readonly primaryAlternatives: IOrAlt<Got<A.Expr>>[] = [
    { ALT: () => this.numberLiteral(this.CONSUME(T.NumberLiteral, { LABEL: "number" })) },
    { ALT: () => this.stringLiteral(this.CONSUME(T.SingleString, { LABEL: "string" })) },
    { ALT: () => this.tokenLiteral(this.CONSUME(K.true, { LABEL: "boolean" }), true) },
    { ALT: () => this.tokenLiteral(this.CONSUME(K.false, { LABEL: "boolean" }), false) },
    { ALT: () => this.tokenLiteral(this.CONSUME(K.null, { LABEL: "null" }), null) },
    {
      ALT: () => {
        this.CONSUME(T.LParen);
        const inner = this.SUBRULE(this.expression, { LABEL: "inner" });
        this.CONSUME(T.RParen);
        return req(inner);
      },
    },
    {
      ALT: () => {
        const at = this.mark();
        const name = this.CONSUME(T.Name, { LABEL: "name" });
        let args: Got<A.Expr>[] | undefined;
        this.OPTION(() => {
          this.CONSUME2(T.LParen, { LABEL: "call" });
          const list: Got<A.Expr>[] = (args = []);
          this.MANY_SEP({ SEP: T.Comma, DEF: () => list.push(this.SUBRULE2(this.expression, { LABEL: "args" })) });
          this.CONSUME2(T.RParen);
        });
        if (!args) return this.columnRef(this.nameOf(name));
        const call = args;
        return this.build(at, (span): A.Expr => ({ kind: "call", fn: this.name(name), args: all(call), span }));
      },
    },
    { ALT: () => this.columnRef(this.quotedName(this.CONSUME(T.QuotedString, { LABEL: "quoted" }))) },
  ];

  primary = this.RULE("primary", () => this.OR(this.primaryAlternatives));

  /** A column in an expression: the name, spanning what the name spans. */
  private columnRef(name: A.Name | Broken): A.Expr | Broken {
    return name === BROKEN ? BROKEN : { kind: "column", name, span: { ...name.span } };
  }

  private numberLiteral(t: IToken): A.Literal | Broken {
    return real(t) ? { kind: "literal", value: Number(t.image), span: this.tokenSpan(t) } : BROKEN;
  }

  // Declared after the rules, so the rules exist when these are built. The mapped types make a
  // statement kind or step rule of statements.ts without a rule here a compile error.
  private readonly statementRules: { readonly [K in A.StatementKind]: ParserMethod<[], Got<A.Statement>> } = {
    param: this.paramStatement,
    source: this.sourceStatement,
    prepare: this.prepareStatement,
    split: this.splitStatement,
    model: this.modelStatement,
    evaluate: this.evaluateStatement,
    assert: this.assertStatement,
    plot: this.plotStatement,
    show: this.showStatement,
    describe: this.describeStatement,
    tune: this.tuneStatement,
    register: this.registerStatement,
    promote: this.promoteStatement,
    rollback: this.rollbackStatement,
    deploy: this.deployStatement,
    save: this.saveStatement,
    serve: this.serveStatement,
    export: this.exportStatement,
    monitor: this.monitorStatement,
    retrain: this.retrainStatement,
  };

  private readonly stepRules: { readonly [R in (typeof stepRules)[number]]: ParserMethod<[], Got<A.PrepareStep>> } = {
    dropStep: this.dropStep,
    keepStep: this.keepStep,
    fillStep: this.fillStep,
    onehotStep: this.onehotStep,
    replaceStep: this.replaceStep,
    clipStep: this.clipStep,
    deriveStep: this.deriveStep,
    castStep: this.castStep,
    textStep: this.textStep,
    scaleStep: this.scaleStep,
    bucketStep: this.bucketStep,
    renameStep: this.renameStep,
  };
}

/** One shared parser instance: Chevrotain parsers are built once and reused (self-analysis is costly). */
export const parser = new LatheParser();

/** Names of every grammar rule, for the grammar.md completeness test. */
export function ruleNames(): string[] {
  return parser.getGAstProductions() ? [...Object.keys(parser.getGAstProductions())] : [];
}
