import path from "node:path";
import type { LiteralValue } from "../language/ast.js";
import { formatDiagnostic } from "../language/diagnostic.js";
import type { PlanStep } from "../runtime/plan.js";
import { commentText, ident } from "../runtime/sql/quote.js";
import { readProgram } from "./program-source.js";

/** Plan operations that run as SQL; explain runs these (fitting needs the data) and only names the rest. */
const sqlOps = new Set<PlanStep["op"]>(["load", "prepare", "split"]);

/**
 * `lathe explain file.lathe`: the SQL of each step. Collect, prepare and split run (so fitted
 * steps show the constants they learned on the training part); nothing is recorded and no model
 * is trained. FILE `-` is standard input. Returns "program" on diagnostics errors, "data" when the
 * data cannot be read, "usage" when the program cannot.
 */
export async function explain(given: string, params: Record<string, LiteralValue>, write: (s: string) => void, writeErr: (s: string) => void): Promise<"ok" | "program" | "data" | "usage"> {
  const source = await readProgram(given);
  if ("error" in source) {
    writeErr(`lathe: ${source.error}\n`);
    return "usage";
  }
  const { file, text } = source;
  // Loaded once the program is read: a wrong path answers at once, without DuckDB.
  const { Session } = await import("../api/session.js");
  const { planProgram } = await import("../runtime/plan.js");
  const { DataError, readError } = await import("../runtime/data/source.js");
  const session = await Session.open({ record: false });
  try {
    const { diagnostics, checked } = await session.check(text, { file, params });
    for (const d of diagnostics) writeErr(formatDiagnostic(d, file, text) + "\n\n");
    if (!checked || diagnostics.some((d) => d.severity === "error")) return "program";
    const plan = await planProgram(checked, path.dirname(path.resolve(file)));
    const runnable = plan.steps.filter((s) => sqlOps.has(s.op));
    let last = "";
    await session.executor.run(
      { ...plan, steps: runnable },
      {
        onSql: (e) => {
          if (e.id !== last) write(`\n-- ${commentText(`${e.id}: ${e.label}`)}\n`);
          last = e.id;
          write(`-- ${commentText(e.title)}\n${e.sql};\n`);
        },
      },
    );
    for (const s of plan.steps.filter((x) => !sqlOps.has(x.op))) {
      write(`\n-- ${commentText(`${s.id}: ${s.label}`)}\n`);
      if (s.op === "show") write(`SELECT * FROM ${ident(s.dataset)} LIMIT ${s.limit};\n`);
      else if (s.op === "describe") write(s.what === "model" ? `-- not SQL: describes the model ${commentText(s.target)}\n` : `-- per-column count, nulls, distinct, min/max/mean/std and top values of ${commentText(ident(s.target))}\n`);
      else write(`-- not SQL: runs in TypeScript on typed arrays read from DuckDB\n`);
    }
    return "ok";
  } catch (e) {
    if (e instanceof DataError || /^(Binder|Conversion|Invalid Input|Parser|Catalog|IO) Error/.test((e as Error).message)) {
      const coded = readError(e);
      writeErr(`lathe: error[${coded.code}]: ${(e as Error).message}\n`);
      return "data";
    }
    throw e;
  } finally {
    session.close();
  }
}
