import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { maxJsonDepth } from "../../../runtime/data/json-shape.js";
import { tempDir } from "../../helpers.js";

const dir = tempDir("lathe-file-check-");
let session: Session;
beforeAll(async () => {
  session = await Session.open({ baseDir: dir, record: false, root: path.join(dir, ".lathe") });
});
afterAll(() => session.close());

/** The one diagnostic `lathe check` gives a program that reads `file` (written with `content` first). */
async function diagnose(name: string, content: string | Buffer | null, extra = ""): Promise<{ code: string; message: string; line: number }> {
  if (content !== null) writeFileSync(path.join(dir, name), content);
  const { diagnostics } = await session.check(`source d = read ${JSON.stringify(name)}${extra}\nmodel m = decision_tree predicting y from d\n`);
  const errors = diagnostics.filter((d) => d.severity === "error");
  expect(errors, JSON.stringify(diagnostics)).toHaveLength(1);
  return { code: errors[0].code, message: errors[0].message, line: errors[0].span.line };
}

describe("data files are checked before DuckDB reads them", () => {
  it("a csv row with an extra field is an error naming the file and line, not one column named `a,b,y`", async () => {
    const d = await diagnose("extra.csv", "a,b,y\n1,2,x\n3,4,y,extra\n5,6,z\n");
    expect(d).toMatchObject({ code: "csv-malformed", line: 1 });
    expect(d.message).toMatch(/extra\.csv, line 3: Expected Number of Columns: 3 Found: 4/);
    expect(d.message).toContain("3,4,y,extra");
    // Lathe's own option names in the advice, not DuckDB's (`strict_mode=false`, `null_padding`).
    expect(d.message).toContain("`with { ignore_errors: true }`");
    expect(d.message).not.toMatch(/strict_mode|null_padding|ignore_errors=true/);
    const short = await diagnose("short.csv", "a,b,y\n1,2,x\n3\n");
    expect(short.message).toMatch(/short\.csv, line 3: Expected Number of Columns: 3 Found: 1/);
  });

  it("a quote that never closes is an error, not quotes read as text", async () => {
    const d = await diagnose("quote.csv", 'a,y\n1,"open\n2,3\n');
    expect(d.code).toBe("csv-malformed");
    expect(d.message).toMatch(/quote\.csv, line 2: .*unterminated quote/);
  });

  it("empty, blank, header-only and binary files get an error about the file", async () => {
    expect(await diagnose("empty.csv", "")).toMatchObject({ code: "file-empty", message: "empty.csv is empty (0 bytes)" });
    expect(await diagnose("blank.csv", "\n\n  \n")).toMatchObject({ code: "file-empty" });
    expect(await diagnose("header.csv", "a,b,y\n")).toMatchObject({ code: "csv-no-rows", message: "header.csv has a header line and no rows" });
    const binary = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256));
    expect(await diagnose("binary.csv", binary)).toMatchObject({ code: "file-not-text" });
    expect((await diagnose("binary.json", binary)).message).toMatch(/holds NUL bytes: a binary file, not json text/);
    expect(await diagnose("utf16.csv", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("a,y\n1,2\n", "utf16le")]))).toMatchObject({ code: "file-not-text" });
    const latin = await diagnose("latin.csv", Buffer.from("a,y\n1,caf\xe9\n", "latin1"));
    expect(latin.code).toBe("file-not-text");
    expect(latin.message).toContain("save the file as UTF-8");
    expect(latin.message).not.toMatch(/encoding\s*=/);
    expect(await diagnose("garbage.parquet", "PAR1 not really")).toMatchObject({ code: "parquet-malformed" });
    expect(await diagnose("text.parquet", "a,y\n1,2\n")).toMatchObject({ code: "parquet-malformed" });
    expect(await diagnose("parquet.csv", "PAR1\0\0\0garbagePAR1")).toMatchObject({ code: "file-not-text" });
    expect(await diagnose("json.csv", '[{"a": 1, "y": 2}]')).toMatchObject({ code: "csv-malformed" });
  });

  it("json that is not records, truncated or mismatched gets an error with the line", async () => {
    expect(await diagnose("numbers.json", "[1, 2, 3]")).toMatchObject({ code: "json-not-records" });
    expect((await diagnose("numbers.json", "[1, 2, 3]")).message).toMatch(/numbers\.json, line 1: a row is a number, not a record/);
    expect(await diagnose("lists.json", "[[1, 2], [3, 4]]")).toMatchObject({ code: "json-not-records" });
    expect(await diagnose("scalars.ndjson", '{"y": 1}\n"two"\n')).toMatchObject({ code: "json-not-records", message: expect.stringMatching(/line 2: a row is a string/) });
    expect(await diagnose("none.json", "[]")).toMatchObject({ code: "file-empty" });
    expect(await diagnose("no-fields.json", "[{}, {}]")).toMatchObject({ code: "json-not-records" });
    expect(await diagnose("cut.json", '[{"y": 1},\n{"y": ')).toMatchObject({ code: "json-malformed", message: expect.stringMatching(/line 2: the file ends inside the object opened on line 2/) });
    expect(await diagnose("cut-string.json", '[{"y": "abc')).toMatchObject({ code: "json-malformed", message: expect.stringMatching(/inside a string/) });
    expect(await diagnose("mismatch.json", '[{"y": [1, 2}]')).toMatchObject({ code: "json-malformed", message: expect.stringMatching(/unexpected `}`/) });
    // Brackets and quotes inside strings are text.
    writeFileSync(path.join(dir, "tricky.json"), JSON.stringify([{ y: 'a "[{" \\ }]', z: "}" }]));
    expect((await session.check(`source d = read "tricky.json"`)).diagnostics).toEqual([]);
  });

  it("refuses JSON nested deeper than the limit before DuckDB reads it (DuckDB crashes at 10,000 levels)", async () => {
    const deep = (d: number) => `[{"y": 1, "x": ${"[".repeat(d)}1${"]".repeat(d)}}]`;
    const d = await diagnose("deep.json", deep(10_000));
    expect(d.code).toBe("json-too-deep");
    expect(d.message).toContain(`deep.json, line 1: JSON nested deeper than ${maxJsonDepth} levels`);
    expect((await diagnose("deep1000.json", deep(1_000))).code).toBe("json-too-deep");
    writeFileSync(path.join(dir, "ok-depth.json"), deep(maxJsonDepth - 2));
    expect((await session.check(`source d = read "ok-depth.json"`)).diagnostics).toEqual([]);
  });

  it("refuses a FIFO, a directory and a device instead of hanging on them", async () => {
    execFileSync("mkfifo", [path.join(dir, "pipe.csv")]);
    expect(await diagnose("pipe.csv", null)).toMatchObject({ code: "file-not-regular", message: expect.stringContaining("pipe.csv: it is a FIFO (named pipe), not a regular file") });
    mkdirSync(path.join(dir, "folder.csv"));
    expect(await diagnose("folder.csv", null)).toMatchObject({ code: "file-not-regular", message: expect.stringContaining("it is a directory") });
    expect(await diagnose("/dev/zero", null, " format csv")).toMatchObject({ code: "file-not-regular", message: expect.stringContaining("a character device") });
  });

  it("says why a file cannot be read, not always `no such file`", async () => {
    expect(await diagnose("missing.csv", null)).toMatchObject({ code: "file-not-found" });
    symlinkSync("loop-b.csv", path.join(dir, "loop-a.csv"));
    symlinkSync("loop-a.csv", path.join(dir, "loop-b.csv"));
    expect(await diagnose("loop-a.csv", null)).toMatchObject({ code: "file-unreadable", message: expect.stringContaining("too many symbolic links") });
    writeFileSync(path.join(dir, "plain.txt"), "x");
    expect(await diagnose("plain.txt/inner.csv", null)).toMatchObject({ code: "file-unreadable", message: expect.stringContaining("not a directory") });
  });

  it("still reads good files: a csv with a UTF-8 BOM, quoted fields, compressed csv and json", async () => {
    writeFileSync(path.join(dir, "bom.csv"), "\ufeffa,y\n1,2\n");
    writeFileSync(path.join(dir, "quoted.csv"), 'a,y\n"x, with comma",2\n"say ""hi""",3\n');
    writeFileSync(path.join(dir, "packed.csv.gz"), gzipSync("a,y\n1,2\n"));
    writeFileSync(path.join(dir, "packed.json.gz"), gzipSync('[{"a": 1, "y": 2}]'));
    for (const f of ["bom.csv", "quoted.csv", "packed.csv.gz", "packed.json.gz"]) expect((await session.check(`source d = read "${f}"\nmodel m = decision_tree predicting y from d`)).diagnostics.filter((d) => d.severity === "error"), f).toEqual([]);
    // DuckDB reads a JSON file with a BOM as one `json` value: said plainly rather than misread.
    expect(await diagnose("bom.json", '\ufeff[{"a": 1, "y": 2}]')).toMatchObject({ code: "json-malformed", message: expect.stringContaining("byte order mark") });
  });
});
