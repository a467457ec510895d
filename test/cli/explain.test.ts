import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { explain } from "../../cli/explain.js";
import { tempDir } from "../helpers.js";

async function explainText(program: string, data: Record<string, string>) {
  const dir = tempDir("lathe-explain-");
  for (const [name, content] of Object.entries(data)) writeFileSync(path.join(dir, name), content);
  const file = path.join(dir, "p.lathe");
  writeFileSync(file, program);
  let out = "";
  let err = "";
  const status = await explain(file, {}, (s) => (out += s), (s) => (err += s));
  return { status, out, err };
}

describe("lathe explain", () => {
  it("prints each step's SQL, the split, and the post-split chain with constants learned on train", async () => {
    // By time: days 1-6 train, 7-10 test; the test rows hold the only "z" and the largest values.
    const rows = Array.from({ length: 10 }, (_, i) => ({ day: `2024-01-${String(i + 1).padStart(2, "0")}`, v: i < 6 ? i : 1000 + i, c: i < 6 ? ["a", "b"][i % 2] : "z" }));
    const { status, out } = await explainText(
      `source d = read "d.json"
prepare p = d { drop rows where v is missing
  onehot c
  scale v minmax }
split p into train 60%, test 40% by time on day
model m = logistic_regression predicting c from train`,
      { "d.json": JSON.stringify(rows) },
    );
    expect(status).toBe("ok");
    expect(out).toContain(`read_json_auto('`);
    expect(out).toMatch(/-- s2: prepare p\n-- table p\nWITH\n {2}-- input\n {2}s0 AS \(SELECT \* FROM "d"\),/);
    expect(out).toContain(`-- drop rows where ("v" IS NULL`);
    expect(out).toContain(`"__lathe_part"`);
    expect(out).toContain(`ORDER BY "day", __lathe_h`);
    // Learned on the six training rows: vocabulary a, b and v's range 0..5.
    expect(out).toContain(`-- onehot c (learned {"c":["a","b"]})`);
    expect(out).toContain(`-- scale v minmax (learned {"v":{"center":0,"scale":5}})`);
    expect(out).toContain(`-- table test: steps fitted on train, constants inlined`);
    expect(out).toContain("-- s4: train m (logistic_regression)\n-- not SQL");
  });

  it("reports program errors and unreadable data with a status", async () => {
    expect((await explainText(`source d = read "missing.csv"`, {})).status).toBe("program");
    const bad = await explainText(`source d = read "bad.csv" with { types: ["a integer"] }`, { "bad.csv": "a\n1\nx\n" });
    expect(bad.status).toBe("data");
    expect(bad.err).toMatch(/bad\.csv, line 3/);
  });

  it("keeps every comment on its line: column names with line breaks or comment markers are escaped", async () => {
    const evil = { drop: "x */ DROP TABLE t; /*", lines: "a\nb", sep: "c\u2028d" };
    const rows = Array.from({ length: 10 }, (_, i) => ({ [evil.drop]: i, [evil.lines]: i % 3 ? i : null, [evil.sep]: `v\u2028${i % 2}`, y: i % 2 }));
    const { status, out } = await explainText(
      `source d = read "d.json"
prepare p = d { fill ${JSON.stringify(evil.lines)} with median
  onehot ${JSON.stringify(evil.sep)}
  scale ${JSON.stringify(evil.drop)} standard }
split p into train 60%, test 40% stratify by y seed 1`,
      { "d.json": JSON.stringify(rows) },
    );
    expect(status).toBe("ok");
    const comments = out.split("\n").filter((l) => /^\s*--/.test(l));
    expect(comments.length).toBeGreaterThan(10);
    for (const c of comments) {
      expect(c).not.toMatch(/\*\/|\/\*|[\u2028\u2029\r]/);
    }
    expect(out).toContain(`-- fill "a\\nb" with median`);
    expect(out).toContain(`-- scale "x *\\/ DROP TABLE t; /\\*" standard`);
  });

  it("says why the program file cannot be read (a usage error)", async () => {
    const dir = tempDir("lathe-explain-");
    let err = "";
    expect(await explain(dir, {}, () => {}, (s) => (err += s))).toBe("usage");
    expect(err).toContain("is a directory");
    err = "";
    expect(await explain(path.join(dir, "nope.lathe"), {}, () => {}, (s) => (err += s))).toBe("usage");
    expect(err).toContain("error[file-not-found]: cannot read");
  });
});
