import { CstParser, type CstNode, type IToken } from "chevrotain";
import * as T from "./lexer.js";

const { K } = T;

/**
 * The Lathe grammar as a Chevrotain CstParser, with error recovery on so one pass reports every
 * syntax error. Rules are class fields (Chevrotain's style); `cst-to-ast.ts` turns the CST into
 * the typed AST. grammar.md documents each rule; a test keeps the two in step.
 */
export class LatheParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: "onlyOffset" });
    this.performSelfAnalysis();
    this.cheapErrorPaths();
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

  program = this.RULE("program", () => {
    this.MANY(() => this.SUBRULE(this.statement));
  });

  statement = this.RULE("statement", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.paramStatement) },
      { ALT: () => this.SUBRULE(this.sourceStatement) },
      { ALT: () => this.SUBRULE(this.prepareStatement) },
      { ALT: () => this.SUBRULE(this.splitStatement) },
      { ALT: () => this.SUBRULE(this.modelStatement) },
      { ALT: () => this.SUBRULE(this.evaluateStatement) },
      { ALT: () => this.SUBRULE(this.assertStatement) },
      { ALT: () => this.SUBRULE(this.plotStatement) },
      { ALT: () => this.SUBRULE(this.showStatement) },
      { ALT: () => this.SUBRULE(this.describeStatement) },
      { ALT: () => this.SUBRULE(this.tuneStatement) },
      { ALT: () => this.SUBRULE(this.registerStatement) },
      { ALT: () => this.SUBRULE(this.promoteStatement) },
      { ALT: () => this.SUBRULE(this.rollbackStatement) },
      { ALT: () => this.SUBRULE(this.deployStatement) },
      { ALT: () => this.SUBRULE(this.serveStatement) },
      { ALT: () => this.SUBRULE(this.exportStatement) },
      { ALT: () => this.SUBRULE(this.monitorStatement) },
      { ALT: () => this.SUBRULE(this.retrainStatement) },
    ]);
    this.OPTION(() => this.CONSUME(T.Semicolon));
  });

  // param seed = 42
  paramStatement = this.RULE("paramStatement", () => {
    this.CONSUME(K.param);
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.literal, { LABEL: "value" });
  });

  // source penguins = read "data/penguins.json" [format json] [with { delimiter: ";" }]
  // source t = sql "select ..." | source t = table "name" from "file.duckdb"
  sourceStatement = this.RULE("sourceStatement", () => {
    this.CONSUME(K.source);
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.read);
          this.SUBRULE(this.text, { LABEL: "path" });
          this.OPTION(() => {
            this.CONSUME(K.format);
            this.CONSUME2(T.Name, { LABEL: "format" });
          });
          this.OPTION2(() => {
            this.CONSUME(K.with);
            this.SUBRULE(this.optionBlock);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.sql);
          this.SUBRULE2(this.text, { LABEL: "query" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.table);
          this.SUBRULE3(this.text, { LABEL: "table" });
          this.CONSUME(K.from);
          this.SUBRULE4(this.text, { LABEL: "database" });
        },
      },
    ]);
  });

  // prepare clean = penguins { step; step }
  prepareStatement = this.RULE("prepareStatement", () => {
    this.CONSUME(K.prepare);
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.CONSUME2(T.Name, { LABEL: "input" });
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.prepareStep);
      this.OPTION(() => this.CONSUME(T.Semicolon));
    });
    this.CONSUME(T.RBrace);
  });

  prepareStep = this.RULE("prepareStep", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.dropStep) },
      { ALT: () => this.SUBRULE(this.keepStep) },
      { ALT: () => this.SUBRULE(this.fillStep) },
      { ALT: () => this.SUBRULE(this.onehotStep) },
      { ALT: () => this.SUBRULE(this.replaceStep) },
      { ALT: () => this.SUBRULE(this.clipStep) },
      { ALT: () => this.SUBRULE(this.deriveStep) },
      { ALT: () => this.SUBRULE(this.castStep) },
      { ALT: () => this.SUBRULE(this.textStep) },
      { ALT: () => this.SUBRULE(this.scaleStep) },
      { ALT: () => this.SUBRULE(this.bucketStep) },
      { ALT: () => this.SUBRULE(this.renameStep) },
    ]);
  });

  // drop rows where <expr> | drop duplicates [on a, b] | drop columns a, b
  dropStep = this.RULE("dropStep", () => {
    this.CONSUME(K.drop);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.rows);
          this.CONSUME(K.where);
          this.SUBRULE(this.expression, { LABEL: "where" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.duplicates);
          this.OPTION(() => {
            this.CONSUME(K.on);
            this.SUBRULE(this.columnList, { LABEL: "on" });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.columns);
          this.SUBRULE2(this.columnList, { LABEL: "columns" });
        },
      },
    ]);
  });

  // keep rows where <expr> | keep columns a, b
  keepStep = this.RULE("keepStep", () => {
    this.CONSUME(K.keep);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.rows);
          this.CONSUME(K.where);
          this.SUBRULE(this.expression, { LABEL: "where" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.columns);
          this.SUBRULE(this.columnList, { LABEL: "columns" });
        },
      },
    ]);
  });

  // fill a, b with median | mean | mode | <literal>
  fillStep = this.RULE("fillStep", () => {
    this.CONSUME(K.fill);
    this.SUBRULE(this.columnList, { LABEL: "columns" });
    this.CONSUME(K.with);
    this.OR([
      { ALT: () => this.CONSUME(K.median, { LABEL: "strategy" }) },
      { ALT: () => this.CONSUME(K.mean, { LABEL: "strategy" }) },
      { ALT: () => this.CONSUME(K.mode, { LABEL: "strategy" }) },
      { ALT: () => this.SUBRULE(this.literal, { LABEL: "value" }) },
    ]);
  });

  // onehot a, b
  onehotStep = this.RULE("onehotStep", () => {
    this.CONSUME(K.onehot);
    this.SUBRULE(this.columnList, { LABEL: "columns" });
  });

  // replace island "Torgersen " -> "Torgersen"
  replaceStep = this.RULE("replaceStep", () => {
    this.CONSUME(K.replace);
    this.SUBRULE(this.column, { LABEL: "column" });
    this.SUBRULE(this.literal, { LABEL: "from" });
    this.CONSUME(T.Arrow);
    this.SUBRULE2(this.literal, { LABEL: "to" });
  });

  // clip a, b between 0 and 100
  clipStep = this.RULE("clipStep", () => {
    this.CONSUME(K.clip);
    this.SUBRULE(this.columnList, { LABEL: "columns" });
    this.CONSUME(K.between);
    this.SUBRULE(this.literal, { LABEL: "low" });
    this.CONSUME(K.and);
    this.SUBRULE2(this.literal, { LABEL: "high" });
  });

  // derive ratio = a / b
  deriveStep = this.RULE("deriveStep", () => {
    this.CONSUME(K.derive);
    this.SUBRULE(this.column, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression, { LABEL: "expr" });
  });

  // cast d as date
  castStep = this.RULE("castStep", () => {
    this.CONSUME(K.cast);
    this.SUBRULE(this.columnList, { LABEL: "columns" });
    this.CONSUME(K.as);
    this.CONSUME(T.Name, { LABEL: "type" });
  });

  // trim s | lower s | upper s
  textStep = this.RULE("textStep", () => {
    this.OR([
      { ALT: () => this.CONSUME(K.trim, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(K.lower, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(K.upper, { LABEL: "op" }) },
    ]);
    this.SUBRULE(this.columnList, { LABEL: "columns" });
  });

  // scale a, b [standard | minmax]
  scaleStep = this.RULE("scaleStep", () => {
    this.CONSUME(K.scale);
    this.SUBRULE(this.columnList, { LABEL: "columns" });
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(K.standard, { LABEL: "method" }) },
        { ALT: () => this.CONSUME(K.minmax, { LABEL: "method" }) },
      ]);
    });
  });

  // bucket x into 5
  bucketStep = this.RULE("bucketStep", () => {
    this.CONSUME(K.bucket);
    this.SUBRULE(this.column, { LABEL: "column" });
    this.CONSUME(K.into);
    this.CONSUME(T.NumberLiteral, { LABEL: "count" });
  });

  // rename a to b
  renameStep = this.RULE("renameStep", () => {
    this.CONSUME(K.rename);
    this.SUBRULE(this.column, { LABEL: "from" });
    this.CONSUME(K.to);
    this.SUBRULE2(this.column, { LABEL: "to" });
  });

  // split clean into train 70%, validation 15%, test 15% [stratify by c] [by time on d] [seed 42]
  splitStatement = this.RULE("splitStatement", () => {
    this.CONSUME(K.split);
    this.CONSUME(T.Name, { LABEL: "input" });
    this.CONSUME(K.into);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.splitPart) });
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(K.stratify);
            this.CONSUME(K.by);
            this.SUBRULE(this.column, { LABEL: "stratify" });
          },
        },
        {
          ALT: () => {
            this.CONSUME2(K.by);
            this.CONSUME(K.time);
            this.CONSUME(K.on);
            this.SUBRULE2(this.column, { LABEL: "time" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.seed);
            this.SUBRULE(this.literalOrName, { LABEL: "seed" });
          },
        },
      ]);
    });
  });

  splitPart = this.RULE("splitPart", () => {
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.NumberLiteral, { LABEL: "percent" });
    this.CONSUME(T.Percent);
  });

  // model m = logistic_regression predicting Species from train { features: a, b; epochs: 300 }
  modelStatement = this.RULE("modelStatement", () => {
    this.CONSUME(K.model);
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.CONSUME2(T.Name, { LABEL: "algorithm" });
    this.CONSUME(K.predicting);
    this.SUBRULE(this.column, { LABEL: "target" });
    this.CONSUME(K.from);
    this.CONSUME3(T.Name, { LABEL: "input" });
    this.OPTION(() => this.SUBRULE(this.optionBlock));
  });

  optionBlock = this.RULE("optionBlock", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.optionEntry);
      this.OPTION(() => this.CONSUME(T.Semicolon));
    });
    this.CONSUME(T.RBrace);
  });

  optionEntry = this.RULE("optionEntry", () => {
    this.CONSUME(T.Name, { LABEL: "key" });
    this.CONSUME(T.Colon);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.optionValue, { LABEL: "values" }) });
  });

  optionValue = this.RULE("optionValue", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.optionValue, { LABEL: "items" }) });
          this.CONSUME(T.RBracket);
        },
      },
      { ALT: () => this.SUBRULE(this.literal, { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(T.Name, { LABEL: "name" }) },
    ]);
  });

  // evaluate m on test [metrics accuracy, f1]
  evaluateStatement = this.RULE("evaluateStatement", () => {
    this.CONSUME(K.evaluate);
    this.CONSUME(T.Name, { LABEL: "model" });
    this.CONSUME(K.on);
    this.CONSUME2(T.Name, { LABEL: "data" });
    this.OPTION(() => {
      this.CONSUME(K.metrics);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME3(T.Name, { LABEL: "metrics" }) });
    });
  });

  // assert m on test: f1 >= 0.9 and accuracy > 0.95
  assertStatement = this.RULE("assertStatement", () => {
    this.CONSUME(K.assert);
    this.CONSUME(T.Name, { LABEL: "model" });
    this.CONSUME(K.on);
    this.CONSUME2(T.Name, { LABEL: "data" });
    this.CONSUME(T.Colon);
    this.AT_LEAST_ONE_SEP({ SEP: K.and, DEF: () => this.SUBRULE(this.assertCondition, { LABEL: "conditions" }) });
  });

  assertCondition = this.RULE("assertCondition", () => {
    this.CONSUME(T.Name, { LABEL: "metric" });
    this.CONSUME(T.CompareOp, { LABEL: "op" });
    this.SUBRULE(this.literal, { LABEL: "bound" });
  });

  // plot confusion of m on test [columns a, b] [to "out/c.svg"]
  plotStatement = this.RULE("plotStatement", () => {
    this.CONSUME(K.plot);
    this.CONSUME(T.Name, { LABEL: "kind" });
    this.OPTION(() => this.CONSUME(K.of));
    this.CONSUME2(T.Name, { LABEL: "target" });
    this.OPTION2(() => {
      this.CONSUME(K.on);
      this.CONSUME3(T.Name, { LABEL: "data" });
    });
    this.OPTION3(() => {
      this.CONSUME(K.columns);
      this.SUBRULE(this.columnList, { LABEL: "columns" });
    });
    this.OPTION4(() => {
      this.CONSUME(K.to);
      this.SUBRULE(this.text, { LABEL: "path" });
    });
  });

  // show x [limit 10]
  showStatement = this.RULE("showStatement", () => {
    this.CONSUME(K.show);
    this.CONSUME(T.Name, { LABEL: "target" });
    this.OPTION(() => {
      this.CONSUME(K.limit);
      this.CONSUME(T.NumberLiteral, { LABEL: "limit" });
    });
  });

  // describe x
  describeStatement = this.RULE("describeStatement", () => {
    this.CONSUME(K.describe);
    this.CONSUME(T.Name, { LABEL: "target" });
  });

  // tune m over { trees: [50, 100, 200]; max_depth: [4, 8] } by f1 on validation [trials 20] [search random]
  tuneStatement = this.RULE("tuneStatement", () => {
    this.CONSUME(K.tune);
    this.CONSUME(T.Name, { LABEL: "model" });
    this.CONSUME(K.over);
    this.SUBRULE(this.optionBlock, { LABEL: "space" });
    this.CONSUME(K.by);
    this.CONSUME2(T.Name, { LABEL: "metric" });
    this.CONSUME(K.on);
    this.CONSUME3(T.Name, { LABEL: "data" });
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(K.trials);
            this.CONSUME(T.NumberLiteral, { LABEL: "trials" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.search);
            this.OR2([{ ALT: () => this.CONSUME(K.grid, { LABEL: "search" }) }, { ALT: () => this.CONSUME(K.random, { LABEL: "search" }) }]);
          },
        },
      ]);
    });
  });

  // register m as "penguin-species"
  registerStatement = this.RULE("registerStatement", () => {
    this.CONSUME(K.register);
    this.CONSUME(T.Name, { LABEL: "model" });
    this.CONSUME(K.as);
    this.SUBRULE(this.text, { LABEL: "name" });
  });

  // promote "penguin-species" [version 3]
  promoteStatement = this.RULE("promoteStatement", () => {
    this.CONSUME(K.promote);
    this.SUBRULE(this.registryRef, { LABEL: "target" });
  });

  // rollback "penguin-species" [to version 2]
  rollbackStatement = this.RULE("rollbackStatement", () => {
    this.CONSUME(K.rollback);
    this.SUBRULE(this.text, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(K.to);
      this.CONSUME(K.version);
      this.CONSUME(T.NumberLiteral, { LABEL: "version" });
    });
  });

  // deploy "penguin-species" [version 3] batch from clean to "out/scores.parquet"
  deployStatement = this.RULE("deployStatement", () => {
    this.CONSUME(K.deploy);
    this.SUBRULE(this.registryRef, { LABEL: "target" });
    this.CONSUME(K.batch);
    this.CONSUME(K.from);
    this.CONSUME(T.Name, { LABEL: "data" });
    this.CONSUME(K.to);
    this.SUBRULE(this.text, { LABEL: "path" });
  });

  // serve "penguin-species" [version 3] [port 8080]
  serveStatement = this.RULE("serveStatement", () => {
    this.CONSUME(K.serve);
    this.SUBRULE(this.registryRef, { LABEL: "target" });
    this.OPTION(() => {
      this.CONSUME(K.port);
      this.CONSUME(T.NumberLiteral, { LABEL: "port" });
    });
  });

  // export "penguin-species" [version 3] to "dist/edge"
  exportStatement = this.RULE("exportStatement", () => {
    this.CONSUME(K.export);
    this.SUBRULE(this.registryRef, { LABEL: "target" });
    this.CONSUME(K.to);
    this.SUBRULE(this.text, { LABEL: "path" });
  });

  /** A registered model: its registry name and, optionally, one version (default: the champion). */
  registryRef = this.RULE("registryRef", () => {
    this.SUBRULE(this.text, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(K.version);
      this.CONSUME(T.NumberLiteral, { LABEL: "version" });
    });
  });

  // monitor "penguin-species" { drift on a, b; latency p99 < 20 ms; error_rate < 1% }
  monitorStatement = this.RULE("monitorStatement", () => {
    this.CONSUME(K.monitor);
    this.SUBRULE(this.registryRef, { LABEL: "target" });
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.monitorRule, { LABEL: "rules" });
      this.OPTION(() => this.CONSUME(T.Semicolon));
    });
    this.CONSUME(T.RBrace);
  });

  // drift on a, b [using psi] | <threshold>
  monitorRule = this.RULE("monitorRule", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.drift, { LABEL: "drift" });
          this.CONSUME(K.on);
          this.SUBRULE(this.columnList, { LABEL: "columns" });
          this.OPTION(() => {
            this.CONSUME(K.using);
            this.CONSUME(T.Name, { LABEL: "method" });
          });
        },
      },
      { ALT: () => this.SUBRULE(this.threshold, { LABEL: "threshold" }) },
    ]);
  });

  // latency p99 < 20 ms | error_rate < 1% | drift > 0.25 | accuracy < 0.85
  threshold = this.RULE("threshold", () => {
    this.CONSUME(T.Name, { LABEL: "signal" });
    this.OPTION(() => this.CONSUME2(T.Name, { LABEL: "qualifier" }));
    this.CONSUME(T.CompareOp, { LABEL: "op" });
    this.SUBRULE(this.quantity, { LABEL: "bound" });
  });

  /** A number with an optional unit: `0.25`, `1%`, `20 ms`, `2 s`. */
  quantity = this.RULE("quantity", () => {
    this.OPTION(() => this.CONSUME(T.Minus, { LABEL: "minus" }));
    this.CONSUME(T.NumberLiteral, { LABEL: "number" });
    this.OPTION2(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Percent, { LABEL: "unit" }) },
        { ALT: () => this.CONSUME(K.ms, { LABEL: "unit" }) },
        { ALT: () => this.CONSUME(K.s, { LABEL: "unit" }) },
      ]);
    });
  });

  // retrain "penguin-species" every week or when drift > 0.25 or when accuracy < 0.85
  retrainStatement = this.RULE("retrainStatement", () => {
    this.CONSUME(K.retrain);
    this.SUBRULE(this.registryRef, { LABEL: "target" });
    this.AT_LEAST_ONE_SEP({ SEP: K.or, DEF: () => this.SUBRULE(this.retrainTrigger, { LABEL: "triggers" }) });
  });

  // every [2] week | when <threshold>
  retrainTrigger = this.RULE("retrainTrigger", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.every);
          this.OPTION(() => this.CONSUME(T.NumberLiteral, { LABEL: "count" }));
          this.CONSUME(T.Name, { LABEL: "unit" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.when);
          this.SUBRULE(this.threshold, { LABEL: "threshold" });
        },
      },
    ]);
  });

  columnList = this.RULE("columnList", () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.column, { LABEL: "columns" }) });
  });

  /** A column: a bare name or a double-quoted one (`"Body Mass (g)"`). */
  column = this.RULE("column", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Name, { LABEL: "name" }) }, { ALT: () => this.CONSUME(T.QuotedString, { LABEL: "quoted" }) }]);
  });

  /** A string in a position that can only be text (paths, queries, labels): either quote style. */
  text = this.RULE("text", () => {
    this.OR([{ ALT: () => this.CONSUME(T.QuotedString, { LABEL: "value" }) }, { ALT: () => this.CONSUME(T.SingleString, { LABEL: "value" }) }]);
  });

  literal = this.RULE("literal", () => {
    this.OR([
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(T.Minus, { LABEL: "minus" }));
          this.CONSUME(T.NumberLiteral, { LABEL: "number" });
          this.OPTION2(() => this.CONSUME(T.Percent, { LABEL: "percent" }));
        },
      },
      { ALT: () => this.CONSUME(T.QuotedString, { LABEL: "string" }) },
      { ALT: () => this.CONSUME(T.SingleString, { LABEL: "string" }) },
      { ALT: () => this.CONSUME(K.true, { LABEL: "boolean" }) },
      { ALT: () => this.CONSUME(K.false, { LABEL: "boolean" }) },
      { ALT: () => this.CONSUME(K.null, { LABEL: "null" }) },
    ]);
  });

  literalOrName = this.RULE("literalOrName", () => {
    this.OR([{ ALT: () => this.SUBRULE(this.literal) }, { ALT: () => this.CONSUME(T.Name, { LABEL: "name" }) }]);
  });

  // Expressions, loosest first: or → and → not → comparison → additive → multiplicative → unary → primary.
  expression = this.RULE("expression", () => {
    this.AT_LEAST_ONE_SEP({ SEP: K.or, DEF: () => this.SUBRULE(this.andExpression, { LABEL: "operands" }) });
  });

  andExpression = this.RULE("andExpression", () => {
    this.AT_LEAST_ONE_SEP({ SEP: K.and, DEF: () => this.SUBRULE(this.notExpression, { LABEL: "operands" }) });
  });

  notExpression = this.RULE("notExpression", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.not);
          this.SUBRULE(this.notExpression, { LABEL: "negated" });
        },
      },
      { ALT: () => this.SUBRULE(this.comparison, { LABEL: "comparison" }) },
    ]);
  });

  comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.additive, { LABEL: "left" });
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.OR2([{ ALT: () => this.CONSUME(T.CompareOp, { LABEL: "op" }) }, { ALT: () => this.CONSUME(T.Equals, { LABEL: "op" }) }]);
            this.SUBRULE2(this.additive, { LABEL: "right" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.is);
            this.OPTION2(() => this.CONSUME(K.not, { LABEL: "isNot" }));
            this.OR3([{ ALT: () => this.CONSUME(K.missing, { LABEL: "missing" }) }, { ALT: () => this.CONSUME(K.null, { LABEL: "missing" }) }]);
          },
        },
        {
          ALT: () => {
            this.OPTION3(() => this.CONSUME2(K.not, { LABEL: "rangeNot" }));
            this.OR4([
              {
                ALT: () => {
                  this.CONSUME(K.between);
                  this.SUBRULE3(this.additive, { LABEL: "low" });
                  this.CONSUME(K.and);
                  this.SUBRULE4(this.additive, { LABEL: "high" });
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.in);
                  this.CONSUME(T.LParen);
                  this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE5(this.additive, { LABEL: "items" }) });
                  this.CONSUME(T.RParen);
                },
              },
            ]);
          },
        },
      ]);
    });
  });

  additive = this.RULE("additive", () => {
    this.SUBRULE(this.multiplicative, { LABEL: "operands" });
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus, { LABEL: "ops" }) }, { ALT: () => this.CONSUME(T.Minus, { LABEL: "ops" }) }]);
      this.SUBRULE2(this.multiplicative, { LABEL: "operands" });
    });
  });

  multiplicative = this.RULE("multiplicative", () => {
    this.SUBRULE(this.unary, { LABEL: "operands" });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: "ops" }) },
        { ALT: () => this.CONSUME(T.Percent, { LABEL: "ops" }) },
      ]);
      this.SUBRULE2(this.unary, { LABEL: "operands" });
    });
  });

  unary = this.RULE("unary", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Minus, { LABEL: "minus" });
          this.SUBRULE(this.unary, { LABEL: "operand" });
        },
      },
      { ALT: () => this.SUBRULE(this.primary, { LABEL: "primary" }) },
    ]);
  });

  primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral, { LABEL: "number" }) },
      { ALT: () => this.CONSUME(T.SingleString, { LABEL: "string" }) },
      { ALT: () => this.CONSUME(K.true, { LABEL: "boolean" }) },
      { ALT: () => this.CONSUME(K.false, { LABEL: "boolean" }) },
      { ALT: () => this.CONSUME(K.null, { LABEL: "null" }) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression, { LABEL: "inner" });
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Name, { LABEL: "name" });
          this.OPTION(() => {
            this.CONSUME2(T.LParen, { LABEL: "call" });
            this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.expression, { LABEL: "args" }) });
            this.CONSUME2(T.RParen);
          });
        },
      },
      { ALT: () => this.CONSUME(T.QuotedString, { LABEL: "quoted" }) },
    ]);
  });
}

/** One shared parser instance: Chevrotain parsers are built once and reused (self-analysis is costly). */
export const parser = new LatheParser();

/** Names of every grammar rule, for the grammar.md completeness test. */
export function ruleNames(): string[] {
  return parser.getGAstProductions() ? [...Object.keys(parser.getGAstProductions())] : [];
}

export type { CstNode, IToken };
