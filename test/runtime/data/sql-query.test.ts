import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { explain } from "../../../cli/explain.js";
import { Database } from "../../../runtime/data/database.js";
import { readOnlyQuery } from "../../../runtime/data/sql-query.js";
import { tempDir } from "../../helpers.js";

const dir = tempDir("lathe-sql-");
let session: Session;
beforeAll(async () => {
  session = await Session.open({ baseDir: dir, record: false, root: path.join(dir, ".lathe") });
});
afterAll(() => session.close());

// The attack: the text closes the subquery it is spliced into and runs statements of its own.
const attacks = [
  `select 1 as a); COPY (select 'echo pwned') TO '${path.join(dir, "x.sh")}' (header false); ATTACH '${path.join(dir, "other.duckdb")}' AS o; select (1`,
  `select 1 as a; COPY (select 'echo pwned') TO '${path.join(dir, "x.sh")}' (header false)`,
  `COPY (select 1) TO '${path.join(dir, "y.csv")}'`,
  `ATTACH '${path.join(dir, "z.duckdb")}' AS z`,
  `INSERT INTO earlier SELECT 99`,
  `SET threads = 1`,
  `INSTALL httpfs`,
  `CALL pragma_version()`,
  `EXPLAIN SELECT 1`,
  `PRAGMA version`,
  `select ? as a`,
  ``,
];

describe("a sql source is one read-only query", () => {
  it("refuses several statements and anything but SELECT at check and at run, at the query string, and writes nothing", async () => {
    await session.run(`source earlier = sql "select 1 as v"`);
    for (const q of attacks) {
      const text = `source x = sql ${JSON.stringify(q)}\nshow x`;
      for (const outcome of [await session.check(text), await session.run(text)]) {
        const errors = outcome.diagnostics.filter((d) => d.severity === "error");
        expect(errors.map((d) => d.code), q).toEqual(["sql-not-a-query"]);
        expect(errors[0].span).toMatchObject({ line: 1, column: 16 });
        expect(errors[0].message).toContain("a `sql` source is one read-only query");
      }
    }
    expect(readdirSync(dir).filter((f) => f !== ".lathe")).toEqual([]);
    expect(await session.executor.db.rows(`SELECT * FROM earlier`)).toEqual([{ v: 1 }]);
  });

  it("says what the statement is", async () => {
    const db = await Database.scratch();
    await expect(readOnlyQuery(session.executor.db, "copy (select 1) to 'q.csv'", { bind: true })).rejects.toThrow(/the statement is COPY, not a SELECT/);
    await expect(readOnlyQuery(db, "select 1; select 2")).rejects.toThrow(/the text holds 2 statements/);
    await expect(readOnlyQuery(db, "select 1)")).rejects.toThrow(/the query does not parse: syntax error/);
  });

  it("refuses the attack in lathe explain too, before anything runs", async () => {
    const file = path.join(dir, "attack.lathe");
    writeFileSync(file, `source x = sql ${JSON.stringify(attacks[0])}\nshow x\n`);
    let err = "";
    expect(await explain(file, {}, () => {}, (s) => (err += s))).toBe("program");
    expect(err).toContain("error[sql-not-a-query]");
    expect(existsSync(path.join(dir, "x.sh"))).toBe(false);
  });

  it("runs a single query: WITH, a trailing `;` or comment, reading a file, reading an earlier cell's dataset", async () => {
    writeFileSync(path.join(dir, "d.csv"), "a,b\n1,2\n3,4\n");
    const q = [
      `with t as (select 2 as b) select * from t`,
      `select 41 + 1 as answer;`,
      `select 42 as answer -- the answer`,
      `select 42 as answer; -- the answer`,
      `select sum(b) as s from read_csv('${path.join(dir, "d.csv")}')`,
      `from earlier select v + 1 as w`,
    ];
    await session.run(`source earlier = sql "select 1 as v"`);
    for (const query of q) {
      const outcome = await session.run(`source x = sql ${JSON.stringify(query)}`);
      expect(outcome.ok, `${query}: ${outcome.diagnostics.map((d) => d.message).join("; ")} ${outcome.error?.message ?? ""}`).toBe(true);
    }
    expect(await session.executor.db.rows(`SELECT * FROM x`)).toEqual([{ w: 2 }]);
  });

  it("reports a query DuckDB cannot bind as sql-error", async () => {
    const { diagnostics } = await session.check(`source x = sql "select * from no_such_table"`);
    expect(diagnostics).toMatchObject([{ code: "sql-error", message: expect.stringContaining("no_such_table") }]);
  });
});
