import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { Database } from "../../../runtime/data/database.js";
import { expandGlob } from "../../../runtime/data/glob.js";
import { csvSniffedRead } from "../../../runtime/data/source.js";
import { tempDir } from "../../helpers.js";
import { openSession } from "./run-lathe.js";

const dir = tempDir("lathe-source-");
const sessions: Awaited<ReturnType<typeof openSession>>[] = [];
afterAll(() => sessions.forEach((s) => s.close()));
const open = async () => {
  const s = await openSession(dir);
  sessions.push(s);
  return s;
};

describe("sources", () => {
  it("reads a csv with a chosen delimiter, no header and overridden column types", async () => {
    writeFileSync(path.join(dir, "semi.csv"), "007;1.5;a\n010;2.5;b\n");
    const s = await open();
    await s.run(`source t = read "semi.csv" with { delimiter: ";"; header: false; types: ["column0 varchar"] }`);
    expect(s.columns("t")).toEqual(["column0", "column1", "column2"]);
    // Kept as text, the leading zeros survive; inference alone would read 7 and 10.
    expect(await s.rows("t", "column0")).toEqual([
      { column0: "007", column1: 1.5, column2: "a" },
      { column0: "010", column1: 2.5, column2: "b" },
    ]);
  });

  it("reads tsv by extension and by `format tsv`, and csv missing-value markers", async () => {
    writeFileSync(path.join(dir, "tabs.tsv"), "a\tb\n1\tx y\n2\tNA\n");
    writeFileSync(path.join(dir, "tabs.txt"), "a\tb\n3\tz\n");
    const s = await open();
    await s.run(`source t = read "tabs.tsv" with { na_values: "NA" }\nsource u = read "tabs.txt" format tsv`);
    expect(await s.rows("t", "a")).toEqual([
      { a: 1, b: "x y" },
      { a: 2, b: null },
    ]);
    expect(await s.rows("u")).toEqual([{ a: 3, b: "z" }]);
  });

  it("reads json, ndjson and parquet", async () => {
    const records = [
      { id: 1, name: "a'b", v: 0.5 },
      { id: 2, name: 'c"d', v: null },
    ];
    writeFileSync(path.join(dir, "r.json"), JSON.stringify(records));
    writeFileSync(path.join(dir, "r.ndjson"), records.map((r) => JSON.stringify(r)).join("\n"));
    const s = await open();
    await s.run(`source j = read "r.json"\nsource n = read "r.ndjson"`);
    expect(await s.rows("j", "id")).toEqual(records);
    expect(await s.rows("n", "id")).toEqual(records);
    await s.session.executor.db.exec(`COPY (SELECT * FROM j) TO '${path.join(dir, "r.parquet")}' (FORMAT parquet)`);
    await s.run(`source p = read "r.parquet"`);
    expect(await s.rows("p", "id")).toEqual(records);
    // A type override keeps the other columns as inferred.
    await s.run(`source jt = read "r.json" with { types: ["id varchar", "v: double"] }`);
    expect(await s.rows("jt", "id")).toEqual(records.map((r) => ({ ...r, id: String(r.id) })));
  });

  it("reads every file a glob matches, and fingerprints them by content", async () => {
    mkdirSync(path.join(dir, "parts/2024"), { recursive: true });
    writeFileSync(path.join(dir, "parts/a.csv"), "k,v\n1,10\n2,20\n");
    writeFileSync(path.join(dir, "parts/b.csv"), "k,v\n3,30\n");
    writeFileSync(path.join(dir, "parts/2024/c.csv"), "k,v\n4,40\n");
    const s = await open();
    const db = s.session.executor.db;
    expect(await expandGlob(db, path.join(dir, "parts/*.csv"))).toEqual([path.join(dir, "parts/a.csv"), path.join(dir, "parts/b.csv")]);
    expect(await expandGlob(db, path.join(dir, "parts/**/*.csv"))).toHaveLength(3);
    const first = await s.run(`source t = read "parts/*.csv"`);
    expect((await s.rows("t", "k")).map((r) => r.v)).toEqual([10, 20, 30]);
    const load = first.plan!.steps[0];
    expect(load.op === "load" && load.files.length).toBe(2);
    writeFileSync(path.join(dir, "parts/b.csv"), "k,v\n3,31\n");
    const second = await s.run(`source t = read "parts/*.csv"`);
    expect(second.plan!.steps[0].key).not.toBe(first.plan!.steps[0].key);
    expect(await s.fail(`source t = read "parts/*.nothing.csv"`)).toMatch(/no files match/);
  });

  it("reads a table of a DuckDB database file, and a sql query", async () => {
    const file = path.join(dir, "store.duckdb");
    const inst = await DuckDBInstance.create(file);
    const con = await inst.connect();
    await con.run(`CREATE TABLE "my table" AS SELECT range AS i, range * range AS sq FROM range(5)`);
    con.closeSync();
    inst.closeSync();
    const s = await open();
    await s.run(`source t = table "my table" from "store.duckdb"\nsource q = sql "select 41 + 1 as answer, 'it''s' as s"`);
    expect((await s.rows("t", "i")).map((r) => r.sq)).toEqual([0, 1, 4, 9, 16]);
    expect(await s.rows("q")).toEqual([{ answer: 42, s: "it's" }]);
  });

  it("names the file and the line of a malformed csv row", async () => {
    // The bad row sits past DuckDB's sniffing sample, so it is found while loading, not while checking.
    const good = Array.from({ length: 30_000 }, (_, i) => `${i},${i * 2},x${i % 7}`);
    writeFileSync(path.join(dir, "bad.csv"), ["a,b,c", ...good, "1,2,3,4", "5,6,y"].join("\n") + "\n");
    const s = await open();
    const message = await s.fail(`source t = read "bad.csv"`);
    expect(message).toContain(path.join(dir, "bad.csv"));
    expect(message).toContain("line 30002");
    expect(message).toContain("1,2,3,4");
  });

  it("names the file and line of a value that does not fit its declared type, and of broken json", async () => {
    writeFileSync(path.join(dir, "typed.csv"), "a,b\n1,2\n3,oops\n");
    writeFileSync(path.join(dir, "broken.ndjson"), '{"a": 1}\n{"a": 2}\n{"a": \n');
    const s = await open();
    const typed = await s.fail(`source t = read "typed.csv" with { types: ["b integer"] }`);
    expect(typed).toContain("typed.csv, line 3");
    expect(typed).toContain("oops");
    const json = await s.fail(`source t = read "broken.ndjson"`);
    expect(json).toContain("broken.ndjson");
    expect(json).toMatch(/line 4/);
  });

  it("refuses unknown options and option values of the wrong kind", async () => {
    writeFileSync(path.join(dir, "ok.csv"), "a\n1\n");
    const s = await open();
    expect(await s.fail(`source t = read "ok.csv" with { colour: "red" }`)).toMatch(/csv sources have no option `colour`/);
    expect(await s.fail(`source t = read "ok.csv" with { header: "yes" }`)).toMatch(/`header` takes true or false/);
    expect(await s.fail(`source t = read "ok.csv" with { types: ["a wibble"] }`)).toMatch(/unknown type `wibble`/);
  });

  it("a read that runs out of DuckDB's memory is `out-of-memory` naming the file, not a problem of the data", async () => {
    const cols = Array.from({ length: 1500 }, (_, i) => `c${i}`);
    writeFileSync(path.join(dir, "wide.csv"), [cols.join(","), ...Array.from({ length: 20 }, (_, r) => cols.map((_, i) => (i * r) % 7).join(","))].join("\n") + "\n");
    const s = await open();
    await s.session.executor.db.exec("SET memory_limit = '8MB'");
    const outcome = await s.session.run(`source w = read "wide.csv"`);
    const found = outcome.diagnostics.find((d) => d.severity === "error") ?? outcome.error;
    expect(found).toMatchObject({ code: "out-of-memory", message: expect.stringMatching(/wide\.csv: DuckDB ran out of memory .*LATHE_MEMORY_LIMIT/) });
  });

  it("a run reads a csv with the dialect, columns and formats its check found said outright, and gets the same columns and rows as a plain read", async () => {
    // Quotes with a doubled quote and a line break inside, semicolons, CRLF; a file without a header;
    // day-first dates, which DuckDB reads as dates only with the format its sniffer found.
    writeFileSync(path.join(dir, "dialect.csv"), 'name;note;n\r\n"a;b";"he said ""hi""";1\r\nc;"two\r\nlines";2\r\n');
    writeFileSync(path.join(dir, "bare.csv"), "1,x\n2,y\n");
    writeFileSync(path.join(dir, "dated.csv"), "d,t,n\n02/01/2020,2020-01-02 10:00:00,1.5\n25/12/2020,2020-12-25 11:30:00,2\n");
    const s = await open();
    await s.run(`source t = read "dialect.csv"\nsource u = read "bare.csv"\nsource v = read "dialect.csv" with { delimiter: ";" }\nsource w = read "dated.csv"\nsource x = read "dated.csv" with { types: ["d varchar"] }`);
    const reads = [...s.session.executor.dialectReads.values()];
    expect(reads).toHaveLength(5);
    expect(reads[0]).toContain("delim = ';'");
    expect(reads[1]).toContain("header = false");
    // A delimiter the program gave is not said twice.
    expect(reads[2].match(/delim = /g)).toHaveLength(1);
    // Later binds do not sniff the file again: the columns and their types are given.
    for (const r of reads) expect(r).toMatch(/auto_detect = false, columns = \{/);
    expect(reads[3]).toContain("columns = {'d': 'DATE', 't': 'TIMESTAMP', 'n': 'DOUBLE'}, dateformat = '%d/%m/%Y'");
    // `types` is in the columns (DuckDB refuses both).
    expect(reads[4]).toContain("columns = {'d': 'VARCHAR', 't': 'TIMESTAMP', 'n': 'DOUBLE'}");
    expect(reads[4]).not.toContain("types =");
    const db = s.session.executor.db;
    for (const [name, file, options] of [["t", "dialect.csv", ""], ["u", "bare.csv", ""], ["w", "dated.csv", ""], ["x", "dated.csv", ", types = {'d': 'VARCHAR'}"]]) {
      const plain = `SELECT * FROM read_csv(${JSON.stringify(path.join(dir, file)).replace(/"/g, "'")}${options})`;
      expect(await s.rows(name)).toEqual(await db.rows(plain));
      expect(await db.describe(`SELECT * FROM ${name}`)).toEqual(await db.describe(plain));
    }
    expect(await s.rows("t")).toEqual([
      { name: "a;b", note: 'he said "hi"', n: 1 },
      { name: "c", note: "two\r\nlines", n: 2 },
    ]);
  });

  it("remembers a sniffed csv read by the file's state: an unchanged file is not sniffed again, a changed one is", async () => {
    const file = path.join(dir, "kept.csv");
    writeFileSync(file, "a,b\n1,x\n");
    const csv = { file, target: `'${file}'`, options: [] };
    const db = await Database.open();
    const first = await csvSniffedRead(db, csv, { settledMs: 0 });
    db.close();
    // Remembered: the same read, and DuckDB (closed here) is not asked.
    expect(await csvSniffedRead(db, csv, { settledMs: 0 })).toBe(first);
    // Written again: another state, sniffed again, the new column found.
    writeFileSync(file, "a,b,c\n1,x,2.5\n");
    const again = await Database.open();
    expect(await csvSniffedRead(again, csv)).toContain("columns = {'a': 'BIGINT', 'b': 'VARCHAR', 'c': 'DOUBLE'}");
    again.close();
    // Changed less than 2 s before its sniff, its state is not trusted: not remembered, so asked again.
    await expect(csvSniffedRead(again, csv)).rejects.toThrow(/disconnected|closed/i);
  });

  it("a value past the sniffing sample that does not fit its column names the file and line, without DuckDB's list of fixes", async () => {
    writeFileSync(path.join(dir, "late.csv"), ["a,b", ...Array.from({ length: 30_000 }, (_, i) => `${i},x`), "abc,y"].join("\n") + "\n");
    const s = await open();
    const message = await s.fail(`source t = read "late.csv"`);
    expect(message).toContain("late.csv, line 30002");
    expect(message).toContain('Could not convert string "abc"');
    expect(message).not.toMatch(/Possible solutions/i);
  });
});
