import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../runtime/data/database.js";
import { repo, tempDir } from "../helpers.js";

// Hostile and broken data through the real CLI (`node bin/lathe.js`), in a scratch folder: every
// case must end in a coded error, exit 1 (found by `lathe check`) or 4 (found while reading), never
// 70 ("internal error") or a signal, and never with a stack trace.

function lathe(args: string[], cwd: string, options: { uid?: number; gid?: number } = {}) {
  const r = spawnSync(process.execPath, [path.join(repo, "bin/lathe.js"), ...args], { cwd, encoding: "utf8", timeout: 120_000, ...options });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/** What every failure must look like: a clean exit with a code users can act on and no stack trace. */
function expectCleanFailure(r: ReturnType<typeof lathe>, codes: number[] = [1, 4]) {
  expect(r.signal, r.err).toBeNull();
  expect(codes, `exit ${r.code}\n${r.err}`).toContain(r.code);
  expect(r.err).not.toMatch(/internal error|\n\s+at \S+ \(?\S+:\d+:\d+\)?/);
}

const deep = (d: number) => `[{"y": 1, "x": ${"[".repeat(d)}1${"]".repeat(d)}}]`;
const random = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7919 + seed * 104729 + ((i * i) % 251)) % 256));
const rows = (n: number) => Array.from({ length: n }, (_, i) => `${i},${i * 2},x${i % 5}`).join("\n");

/** Bad inputs: the file (or a thing at that path), how the source reads it, and the code it must get. */
const cases: { name: string; make: (file: string) => void; code: string; source?: (file: string) => string }[] = [
  // csv
  { name: "empty.csv", make: (f) => writeFileSync(f, ""), code: "file-empty" },
  { name: "newlines.csv", make: (f) => writeFileSync(f, "\n\n\n"), code: "file-empty" },
  { name: "spaces.csv", make: (f) => writeFileSync(f, "  \n\t\n "), code: "file-empty" },
  { name: "bom-only.csv", make: (f) => writeFileSync(f, "\ufeff"), code: "file-empty" },
  { name: "header-only.csv", make: (f) => writeFileSync(f, "a,b,y\n"), code: "csv-no-rows" },
  { name: "header-no-newline.csv", make: (f) => writeFileSync(f, "a,b,y"), code: "csv-no-rows" },
  { name: "quoted-header-only.csv", make: (f) => writeFileSync(f, '"a","b","y"\r\n'), code: "csv-no-rows" },
  { name: "extra-field.csv", make: (f) => writeFileSync(f, "a,b,y\n1,2,x\n3,4,y,extra\n5,6,z\n"), code: "csv-malformed" },
  { name: "missing-field.csv", make: (f) => writeFileSync(f, "a,b,y\n1,2,x\n3\n5,6,z\n"), code: "csv-malformed" },
  { name: "truncated-row.csv", make: (f) => writeFileSync(f, "a,b,y\n1,2,x\n3,4,y\n5,"), code: "csv-malformed" },
  { name: "crlf-extra-field.csv", make: (f) => writeFileSync(f, "a,b,y\r\n1,2,x\r\n3,4,y,9\r\n"), code: "csv-malformed" },
  { name: "semicolons-ragged.csv", make: (f) => writeFileSync(f, "a;b;y\n1;2;x\n3;4\n5;6;z;w\n"), code: "csv-malformed" },
  { name: "unterminated-quote.csv", make: (f) => writeFileSync(f, 'a,y\n1,"open\n2,3\n'), code: "csv-malformed" },
  { name: "late-unterminated-quote.csv", make: (f) => writeFileSync(f, `a,b,y\n${rows(50)}\n1,2,"never closed\n`), code: "csv-malformed" },
  { name: "random-bytes.csv", make: (f) => writeFileSync(f, random(5000)), code: "file-not-text" },
  { name: "nul-in-field.csv", make: (f) => writeFileSync(f, "a,b,y\n1,2\u00003,x\n"), code: "file-not-text" },
  { name: "utf16le.csv", make: (f) => writeFileSync(f, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("a,b,y\n1,2,3\n", "utf16le")])), code: "file-not-text" },
  { name: "utf16be.csv", make: (f) => writeFileSync(f, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from("a,b,y\n1,2,3\n", "utf16le").swap16()])), code: "file-not-text" },
  { name: "latin1.csv", make: (f) => writeFileSync(f, Buffer.from("a,b,y\n1,2,caf\xe9\n3,4,na\xefve\n", "latin1")), code: "file-not-text" },
  { name: "bad-utf8.csv", make: (f) => writeFileSync(f, Buffer.concat([Buffer.from("a,b,y\n1,2,"), Buffer.from([0xc3, 0x28]), Buffer.from("\n")])), code: "file-not-text" },
  { name: "huge-line.csv", make: (f) => writeFileSync(f, `a,b,y\n1,2,${"x".repeat(3_000_000)}\n3,4,z\n`), code: "csv-malformed" },
  { name: "json-inside.csv", make: (f) => writeFileSync(f, '[{"a": 1, "b": 2, "y": 3}]\n'), code: "csv-malformed" },
  { name: "parquet-inside.csv", make: (f) => writeFileSync(f, Buffer.concat([Buffer.from("PAR1"), random(200), Buffer.from("PAR1")])), code: "file-not-text" },
  { name: "gzip-inside.csv", make: (f) => writeFileSync(f, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0]), random(300)])), code: "file-not-text" },
  { name: "ragged.tsv", make: (f) => writeFileSync(f, "a\tb\ty\n1\t2\tx\n3\t4\ty\t5\n"), code: "csv-malformed" },
  // things that are not regular files, or not there
  { name: "folder.csv", make: (f) => mkdirSync(f), code: "file-not-regular" },
  { name: "fifo.csv", make: (f) => execFileSync("mkfifo", [f]), code: "file-not-regular" },
  { name: "device", make: () => {}, code: "file-not-regular", source: () => `read "/dev/zero" format csv` },
  { name: "loop.csv", make: (f) => symlinkSync(f, f), code: "file-unreadable" },
  { name: "missing.csv", make: () => {}, code: "file-not-found" },
  { name: "through-a-file", make: (f) => writeFileSync(f, "x"), code: "file-unreadable", source: (f) => `read ${JSON.stringify(path.basename(f) + "/inner.csv")}` },
  { name: "no-extension", make: (f) => writeFileSync(f, "a,y\n1,2\n"), code: "file-format-unknown" },
  { name: "unknown.xyz", make: (f) => writeFileSync(f, "a,y\n1,2\n"), code: "file-format-unknown" },
  { name: "no-match-*.csv", make: () => {}, code: "file-not-found" },
  // json and ndjson
  { name: "empty.json", make: (f) => writeFileSync(f, ""), code: "file-empty" },
  { name: "blank.json", make: (f) => writeFileSync(f, "\n  \n"), code: "file-empty" },
  { name: "numbers.json", make: (f) => writeFileSync(f, "[1, 2, 3]"), code: "json-not-records" },
  { name: "lists.json", make: (f) => writeFileSync(f, "[[1, 2], [3, 4]]"), code: "json-not-records" },
  { name: "string.json", make: (f) => writeFileSync(f, '"just text"'), code: "json-not-records" },
  { name: "null.json", make: (f) => writeFileSync(f, "null"), code: "json-not-records" },
  { name: "number.json", make: (f) => writeFileSync(f, "42"), code: "json-not-records" },
  { name: "boolean.json", make: (f) => writeFileSync(f, "true"), code: "json-not-records" },
  { name: "empty-array.json", make: (f) => writeFileSync(f, "[]"), code: "file-empty" },
  { name: "empty-objects.json", make: (f) => writeFileSync(f, "[{}, {}]"), code: "json-not-records" },
  { name: "truncated-array.json", make: (f) => writeFileSync(f, '[{"a": 1, "y": 2},\n{"a": 3, "y"'), code: "json-malformed" },
  { name: "truncated-string.json", make: (f) => writeFileSync(f, '[{"a": 1, "y": "abc'), code: "json-malformed" },
  { name: "mismatched.json", make: (f) => writeFileSync(f, '[{"a": [1, 2}, "y": 1]'), code: "json-malformed" },
  { name: "deep-10000.json", make: (f) => writeFileSync(f, deep(10_000)), code: "json-too-deep" },
  { name: "deep-1000.json", make: (f) => writeFileSync(f, deep(1_000)), code: "json-too-deep" },
  { name: "text.json", make: (f) => writeFileSync(f, "hello, world\n"), code: "json-malformed" },
  { name: "random-bytes.json", make: (f) => writeFileSync(f, random(3000, 2)), code: "file-not-text" },
  { name: "bom.json", make: (f) => writeFileSync(f, '\ufeff[{"a": 1, "y": 2}]'), code: "json-malformed" },
  { name: "bad-value.json", make: (f) => writeFileSync(f, '[{"a": 1, "y": tru}]'), code: "json-malformed" },
  { name: "trailing-garbage.json", make: (f) => writeFileSync(f, '[{"a": 1, "y": 2}] and more'), code: "json-malformed" },
  { name: "deep.json.gz", make: (f) => writeFileSync(f, gzipSync(deep(10_000))), code: "json-too-deep" },
  { name: "not-gzip.json.gz", make: (f) => writeFileSync(f, "plain text"), code: "file-compression" },
  { name: "not-gzip.csv.gz", make: (f) => writeFileSync(f, "a,y\n1,2\n"), code: "file-compression" },
  { name: "scalar-line.ndjson", make: (f) => writeFileSync(f, '{"a": 1, "y": 2}\n7\n'), code: "json-not-records" },
  { name: "truncated.ndjson", make: (f) => writeFileSync(f, '{"a": 1, "y": 2}\n{"a": 3, '), code: "json-malformed" },
  { name: "bad-line.ndjson", make: (f) => writeFileSync(f, '{"a": 1, "y": 2}\n{"a": , "y": 3}\n'), code: "json-malformed" },
  // parquet
  { name: "empty.parquet", make: (f) => writeFileSync(f, ""), code: "file-empty" },
  { name: "text.parquet", make: (f) => writeFileSync(f, "a,y\n1,2\n"), code: "parquet-malformed" },
  { name: "garbage.parquet", make: (f) => writeFileSync(f, Buffer.concat([Buffer.from("PAR1"), random(100, 3), Buffer.from("PAR1")])), code: "parquet-malformed" },
  { name: "truncated.parquet", make: () => {}, code: "parquet-malformed" },
  // DuckDB tables
  { name: "not-a-database.duckdb", make: (f) => writeFileSync(f, "a,y\n1,2\n"), code: "database-unreadable", source: (f) => `table "t" from ${JSON.stringify(path.basename(f))}` },
  { name: "no-such-table.duckdb", make: () => {}, code: "database-unreadable", source: (f) => `table "nope" from ${JSON.stringify(path.basename(f))}` },
];

const dir = tempDir("lathe-bad-data-");
beforeAll(async () => {
  for (const c of cases) c.make(path.join(dir, c.name));
  // A real Parquet file cut in half, and a real database without the table asked for.
  const db = await Database.open();
  await db.exec(`COPY (SELECT range AS a, range % 2 AS y FROM range(5000)) TO '${path.join(dir, "whole.parquet")}' (FORMAT parquet)`);
  await db.exec(`ATTACH '${path.join(dir, "no-such-table.duckdb")}' AS other; CREATE TABLE other.t AS SELECT 1 AS a; DETACH other`);
  db.close();
  const whole = readFileSync(path.join(dir, "whole.parquet"));
  writeFileSync(path.join(dir, "truncated.parquet"), whole.subarray(0, whole.length >> 1));
});

describe("bad data through the CLI", () => {
  it(`gives each of ${cases.length} kinds of bad input its coded error at its source line, in lathe check and lathe run`, () => {
    const program = cases.map((c, i) => `source s${i} = ${c.source ? c.source(path.join(dir, c.name)) : `read ${JSON.stringify(c.name)}`}`).join("\n") + "\n";
    writeFileSync(path.join(dir, "all.lathe"), program);
    for (const command of ["check", "run"]) {
      const r = lathe([command, "all.lathe", ...(command === "run" ? ["--no-record"] : [])], dir);
      expectCleanFailure(r, [1]);
      const found = new Map([...r.err.matchAll(/all\.lathe:(\d+):\d+: error\[([a-z-]+)\]/g)].map((m) => [Number(m[1]) - 1, m[2]]));
      const wrong = cases.map((c, i) => ({ name: c.name, want: c.code, got: found.get(i) })).filter((x) => x.got !== x.want);
      expect(wrong, r.err).toEqual([]);
    }
  });

  it("finds bad rows past DuckDB's sniffing sample while reading: coded, exit 4", () => {
    const late = [
      { file: "late-extra.csv", content: `a,b,y\n${rows(30_000)}\n1,2,3,4\n`, code: "csv-malformed", source: `read "late-extra.csv"` },
      { file: "late-type.csv", content: `a,b,y\n${rows(30_000)}\noops,2,x\n`, code: "value-conversion", source: `read "late-type.csv"` },
      { file: "typed.csv", content: "a,b,y\n1,2,x\n3,oops,z\n", code: "value-conversion", source: `read "typed.csv" with { types: ["b integer"] }` },
    ];
    for (const c of late) {
      writeFileSync(path.join(dir, c.file), c.content);
      writeFileSync(path.join(dir, "late.lathe"), `source d = ${c.source}\nshow d\n`);
      const r = lathe(["run", "late.lathe", "--no-record"], dir);
      expectCleanFailure(r, [4]);
      expect(r.err).toContain(`error[${c.code}]`);
      expect(r.err).toContain(c.file);
    }
  });

  it("says permission denied when a data or program file cannot be read", () => {
    if (process.getuid?.() !== 0) return; // as root, run the CLI as nobody so that permissions apply
    const locked = tempDir("lathe-locked-");
    chmodSync(locked, 0o755);
    writeFileSync(path.join(locked, "secret.csv"), "a,y\n1,2\n");
    chmodSync(path.join(locked, "secret.csv"), 0o000);
    writeFileSync(path.join(locked, "job.lathe"), `source d = read "secret.csv"\nshow d\n`);
    writeFileSync(path.join(locked, "hidden.lathe"), "show d\n");
    chmodSync(path.join(locked, "hidden.lathe"), 0o000);
    const nobody = { uid: 65534, gid: 65534 };
    const data = lathe(["check", "job.lathe"], locked, nobody);
    expectCleanFailure(data, [1]);
    expect(data.err).toContain("error[file-unreadable]: cannot read secret.csv: permission denied");
    const program = lathe(["run", "hidden.lathe", "--no-record"], locked, nobody);
    expectCleanFailure(program, [2]); // an unreadable program file is a usage error (README: exit codes)
    expect(program.err).toContain("cannot read hidden.lathe: permission denied");
  });

  it("says `is a directory` for a program path that is a folder", () => {
    for (const command of ["run", "check", "explain"]) {
      const r = lathe([command, "."], dir);
      expectCleanFailure(r, [2]);
      expect(r.err).toMatch(/error\[file-not-regular\]: cannot read \.: is a directory/);
    }
  });
});

/** Every file under a folder with its size, modification time and sha256. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(root, p)] = `${statSync(p).size} ${statSync(p).mtimeMs} ${createHash("sha256").update(readFileSync(p)).digest("hex")}`;
    }
  };
  walk(root);
  return out;
}

describe("the sql injection of issue 12", () => {
  it("is refused by check, run and explain, which write nothing: no file is created and the run store is untouched", () => {
    const work = tempDir("lathe-attack-");
    writeFileSync(path.join(work, "good.lathe"), `source d = sql "select 1 as a"\nshow d\n`);
    const good = lathe(["run", "good.lathe"], work);
    expect(good.code, good.err).toBe(0);
    // A run writes its journal; the index (the attack's target) is made by the first reader.
    expect(lathe(["runs", "list"], work).code).toBe(0);
    const before = snapshot(work);
    expect(Object.keys(before)).toContain(path.join(".lathe", "lathe.duckdb"));
    const attacks = [
      `select 1 as a); COPY (select 'echo pwned') TO 'x.sh' (header false); ATTACH '.lathe/lathe.duckdb' AS st; UPDATE st.runs SET status = 'hacked'; select (1`,
      `select 1 as a; COPY (select 'echo pwned') TO 'x.sh' (header false); ATTACH '.lathe/lathe.duckdb' AS st; UPDATE st.runs SET status = 'hacked'`,
      `ATTACH '.lathe/lathe.duckdb' AS st`,
    ];
    for (const attack of attacks) {
      writeFileSync(path.join(work, "attack.lathe"), `source x = sql ${JSON.stringify(attack)}\nshow x\n`);
      const after = snapshot(work);
      for (const command of ["check", "run", "explain"]) {
        const r = lathe([command, "attack.lathe"], work);
        expectCleanFailure(r, [1]);
        expect(r.err).toContain("attack.lathe:1:16: error[sql-not-a-query]");
      }
      expect(snapshot(work)).toEqual(after);
    }
    const { ["attack.lathe"]: _attack, ...rest } = snapshot(work);
    const { ["attack.lathe"]: _none, ...was } = before;
    expect(rest).toEqual(was);
    expect(lathe(["runs", "list"], work).out).toMatch(/succeeded/);
  });
});
