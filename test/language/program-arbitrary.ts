import fc from "fast-check";

/**
 * fast-check arbitraries that write syntactically valid Lathe programs with varied layout:
 * random spacing, line breaks, semicolons, comments, parentheses and quoting. Used by the
 * formatter's idempotence property and the never-throws fuzz test.
 */

const bareNames = ["a", "b", "price", "Species", "time", "mode", "model", "x1", "_tmp"];
const quotedNames = ['"Body Mass (g)"', '"in"', '"a b"', '"Species"', '"quote \\" inside"'];

export const column = fc.oneof(fc.constantFrom(...bareNames), fc.constantFrom(...quotedNames));
const columnList = fc.array(column, { minLength: 1, maxLength: 3 }).map((cs) => cs.join(", "));
const datasetName = fc.constantFrom("d", "train", "clean", "penguins", "test");
const number = fc.oneof(fc.integer({ min: 0, max: 1000 }).map(String), fc.constantFrom("0.5", "1e3", ".25", "12.0"));
const literal = fc.oneof(number, number.map((n) => `-${n}`), number.map((n) => `${n}%`), fc.constantFrom('"text"', "'single'", "true", "false", "null", '"esc\\n"'));
const ws = fc.constantFrom(" ", "  ", "\n", " \n  ");
const sep = fc.constantFrom("\n", "\n\n", " ; ", "\n# a comment\n", " # trailing\n", "\n\n\n");

/** Expressions with every operator; compound operands are parenthesised so any nesting is valid. */
export const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => {
  const leaf = fc.oneof(column, number, fc.constantFrom("'s'", "true", "false", "null"));
  const sub = tie("e").map((e) => (/^[\w"'.]+$/.test(e) ? e : `(${e})`));
  return {
    e: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.tuple(sub, fc.constantFrom("+", "-", "*", "/", "%", "=", "==", "!=", "<>", "<", "<=", ">", ">=", "and", "or"), sub).map(([l, op, r]) => `${l} ${op} ${r}`),
      sub.map((x) => `not ${x}`),
      sub.map((x) => `-${x}`),
      fc.tuple(sub, fc.boolean(), fc.boolean()).map(([x, not, isNull]) => `${x} is ${not ? "not " : ""}${isNull ? "null" : "missing"}`),
      fc.tuple(sub, fc.boolean(), sub, sub).map(([x, not, lo, hi]) => `${x} ${not ? "not " : ""}between ${lo} and ${hi}`),
      fc.tuple(sub, fc.boolean(), fc.array(sub, { minLength: 1, maxLength: 3 })).map(([x, not, items]) => `${x} ${not ? "not " : ""}in (${items.join(", ")})`),
      fc.tuple(fc.constantFrom("abs", "round", "coalesce"), fc.array(sub, { maxLength: 2 })).map(([f, args]) => `${f}(${args.join(", ")})`),
    ),
  };
}).e;

const step = fc.oneof(
  expression.map((e) => `drop rows where ${e}`),
  expression.map((e) => `keep rows where ${e}`),
  fc.option(columnList).map((c) => `drop duplicates${c ? ` on ${c}` : ""}`),
  columnList.map((c) => `drop columns ${c}`),
  columnList.map((c) => `keep columns ${c}`),
  fc.tuple(columnList, fc.oneof(fc.constantFrom("median", "mean", "mode"), literal)).map(([c, v]) => `fill ${c} with ${v}`),
  columnList.map((c) => `onehot ${c}`),
  fc.tuple(column, literal, literal).map(([c, a, b]) => `replace ${c} ${a} -> ${b}`),
  fc.tuple(columnList, literal, literal).map(([c, a, b]) => `clip ${c} between ${a} and ${b}`),
  fc.tuple(column, expression).map(([c, e]) => `derive ${c} = ${e}`),
  fc.tuple(columnList, fc.constantFrom("date", "number", "string")).map(([c, t]) => `cast ${c} as ${t}`),
  fc.tuple(fc.constantFrom("trim", "lower", "upper"), columnList).map(([op, c]) => `${op} ${c}`),
  fc.tuple(columnList, fc.constantFrom("", " standard", " minmax")).map(([c, m]) => `scale ${c}${m}`),
  fc.tuple(column, fc.integer({ min: 2, max: 9 })).map(([c, n]) => `bucket ${c} into ${n}`),
  fc.tuple(column, column).map(([a, b]) => `rename ${a} to ${b}`),
);

const optionValue: fc.Arbitrary<string> = fc.oneof(literal, fc.constantFrom("relu", "seed"), fc.array(fc.oneof(literal, number), { maxLength: 3 }).map((xs) => `[${xs.join(", ")}]`));
const optionEntry = fc.tuple(fc.constantFrom("features", "trees", "max_depth", "layers", "l2", "delimiter", "seed", "validation"), fc.array(optionValue, { minLength: 1, maxLength: 3 })).map(([k, vs]) => `${k}: ${vs.join(", ")}`);
const block = (items: fc.Arbitrary<string>, min = 0) => fc.tuple(fc.array(fc.tuple(items, sep), { minLength: min, maxLength: 4 }), ws).map(([xs, w]) => `{${w}${xs.map(([x, s]) => x + s).join("")}}`);
const registry = fc.tuple(fc.constantFrom('"penguin-species"', "'model.v2'", '"m"'), fc.option(fc.integer({ min: 1, max: 9 }))).map(([n, v]) => `${n}${v ? ` version ${v}` : ""}`);
const threshold = fc.oneof(
  fc.tuple(fc.constantFrom("<", "<=", ">", ">="), fc.integer({ min: 1, max: 500 }), fc.constantFrom("ms", "s")).map(([op, n, u]) => `latency p99 ${op} ${n} ${u}`),
  fc.tuple(fc.constantFrom("error_rate", "drift", "accuracy"), fc.constantFrom("<", ">", ">="), fc.constantFrom("1%", "0.25", "0.9")).map(([s, op, v]) => `${s} ${op} ${v}`),
);

export const statement = fc.oneof(
  fc.tuple(fc.constantFrom("seed", "n"), literal).map(([n, v]) => `param ${n} = ${v}`),
  fc.tuple(datasetName, fc.constantFrom('"data/p.json"', "'x.csv'"), fc.option(fc.constantFrom("csv", "json")), fc.option(block(optionEntry, 1))).map(([n, p, f, b]) => `source ${n} = read ${p}${f ? ` format ${f}` : ""}${b ? ` with ${b}` : ""}`),
  datasetName.map((n) => `source ${n} = sql "select 1 as a"`),
  datasetName.map((n) => `source ${n} = table "t" from "w.duckdb"`),
  fc.tuple(datasetName, datasetName, block(step)).map(([n, i, b]) => `prepare ${n} = ${i} ${b}`),
  fc.tuple(datasetName, fc.array(fc.tuple(fc.constantFrom("train", "validation", "test"), fc.integer({ min: 1, max: 99 })), { minLength: 1, maxLength: 3 }), fc.option(column), fc.option(fc.constantFrom("7", "seed"))).map(
    ([d, parts, strat, seed]) => `split ${d} into ${parts.map(([p, n]) => `${p} ${n}%`).join(", ")}${strat ? ` stratify by ${strat}` : ""}${seed ? ` seed ${seed}` : ""}`,
  ),
  fc.tuple(datasetName, fc.array(fc.constantFrom("train", "validation", "test"), { minLength: 1, maxLength: 3 }), column).map(([d, parts, c]) => `split ${d} into ${parts.join(", ")} by column ${c}`),
  fc.tuple(fc.constantFrom("m", "forest"), fc.constantFrom("random_forest", "svm"), column, datasetName, fc.option(block(optionEntry))).map(([m, a, t, d, b]) => `model ${m} = ${a} predicting ${t} from ${d}${b ? ` ${b}` : ""}`),
  fc.tuple(fc.constantFrom("m"), datasetName, fc.option(fc.constantFrom("accuracy", "f1, rmse"))).map(([m, d, ms]) => `evaluate ${m} on ${d}${ms ? ` metrics ${ms}` : ""}`),
  fc.tuple(datasetName, fc.array(fc.tuple(fc.constantFrom("f1", "accuracy"), fc.constantFrom(">=", "==", "<>"), literal), { minLength: 1, maxLength: 3 })).map(([d, cs]) => `assert m on ${d}: ${cs.map((c) => c.join(" ")).join(" and ")}`),
  fc.tuple(fc.constantFrom("confusion", "histogram"), fc.boolean(), fc.option(datasetName), fc.option(columnList), fc.option(fc.constantFrom('"out/a.svg"'))).map(
    ([k, of, on, cols, to]) => `plot ${k}${of ? " of" : ""} m${on ? ` on ${on}` : ""}${cols ? ` columns ${cols}` : ""}${to ? ` to ${to}` : ""}`,
  ),
  fc.tuple(datasetName, fc.option(fc.integer({ min: 1, max: 50 }))).map(([d, n]) => `show ${d}${n ? ` limit ${n}` : ""}`),
  datasetName.map((d) => `describe ${d}`),
  fc.tuple(block(optionEntry), datasetName, fc.option(fc.integer({ min: 1, max: 30 })), fc.option(fc.constantFrom("grid", "random"))).map(([b, d, t, s]) => `tune m over ${b} by f1 on ${d}${t ? ` trials ${t}` : ""}${s ? ` search ${s}` : ""}`),
  fc.constantFrom('register m as "penguin-species"', "register m as 'x'"),
  fc.tuple(registry, fc.option(fc.constantFrom("production", "staging", "champion"))).map(([r, a]) => `promote ${r}${a ? ` to ${a}` : ""}`),
  fc.tuple(fc.constantFrom('"penguin-species"', '"penguin-species@staging"'), fc.option(fc.integer({ min: 1, max: 9 }))).map(([n, v]) => `rollback ${n}${v ? ` to version ${v}` : ""}`),
  fc.tuple(registry, datasetName).map(([r, d]) => `deploy ${r} batch from ${d} to "out/s.parquet"`),
  fc.tuple(registry, fc.option(fc.integer({ min: 1, max: 65535 }))).map(([r, p]) => `serve ${r}${p ? ` port ${p}` : ""}`),
  registry.map((r) => `export ${r} to "dist/edge"`),
  fc.tuple(registry, block(fc.oneof(threshold, fc.tuple(columnList, fc.option(fc.constantFrom("psi", "ks"))).map(([c, m]) => `drift on ${c}${m ? ` using ${m}` : ""}`)))).map(([r, b]) => `monitor ${r} ${b}`),
  fc.tuple(registry, fc.array(fc.oneof(fc.constantFrom("every week", "every 2 days", "every 1 hour"), threshold.map((t) => `when ${t}`)), { minLength: 1, maxLength: 3 })).map(([r, ts]) => `retrain ${r} ${ts.join(" or ")}`),
);

/** A whole program: statements with random separators, comments and blank lines. */
export const program = fc.tuple(fc.array(fc.tuple(statement, sep), { maxLength: 8 }), fc.option(fc.constant("# the end"))).map(([ss, end]) => ss.map(([s, x]) => s + x).join("") + (end ?? ""));
