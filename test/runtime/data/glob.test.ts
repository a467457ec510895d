import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../../helpers.js";
import { openSession } from "./run-lathe.js";

const dir = tempDir("lathe-glob-");
const sessions: Awaited<ReturnType<typeof openSession>>[] = [];
afterAll(() => sessions.forEach((s) => s.close()));

describe("a glob source reads exactly the files it fingerprints", () => {
  it("expands once, with DuckDB's glob(), and reads that list (a symlinked file and a hidden one included)", async () => {
    mkdirSync(path.join(dir, "parts"));
    mkdirSync(path.join(dir, "elsewhere"));
    writeFileSync(path.join(dir, "parts/a.csv"), "k,v\n1,10\n");
    writeFileSync(path.join(dir, "parts/.hidden.csv"), "k,v\n2,20\n");
    writeFileSync(path.join(dir, "elsewhere/c.csv"), "k,v\n3,30\n");
    symlinkSync(path.join(dir, "elsewhere/c.csv"), path.join(dir, "parts/link.csv"));
    mkdirSync(path.join(dir, "parts/folder.csv"));
    const s = await openSession(dir);
    sessions.push(s);
    const outcome = await s.run(`source t = read "parts/*.csv" with { filename: true }`);
    const load = outcome.plan!.steps[0];
    if (load.op !== "load") throw new Error("expected a load step");
    const read = (await s.rows("t", "k")).map((r) => String(r.filename));
    expect(load.files).toEqual([...read].sort());
    expect(load.files.map((f) => path.basename(f))).toEqual([".hidden.csv", "a.csv", "link.csv"]);
    // DuckDB is given the list, not the pattern: a file added later is not read without a new plan.
    expect(load.sql).toContain(`read_csv([`);
    expect(load.sql).not.toContain("*.csv");
  });

  it("reads a file whose name holds glob characters as that file", async () => {
    writeFileSync(path.join(dir, "data[1].csv"), "k\n7\n");
    const s = await openSession(dir);
    sessions.push(s);
    await s.run(`source t = read "data[1].csv"`);
    expect(await s.rows("t")).toEqual([{ k: 7 }]);
  });

  it("checks every matched file: one bad file among good ones is named", async () => {
    mkdirSync(path.join(dir, "mixed"));
    writeFileSync(path.join(dir, "mixed/a.json"), '[{"k": 1}]');
    writeFileSync(path.join(dir, "mixed/b.json"), "[1, 2]");
    const s = await openSession(dir);
    sessions.push(s);
    const { diagnostics } = await s.session.check(`source t = read "mixed/*.json"`);
    expect(diagnostics).toMatchObject([{ code: "json-not-records", message: expect.stringContaining("b.json, line 1") }]);
  });
});
