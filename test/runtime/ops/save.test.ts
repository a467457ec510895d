import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { Database } from "../../../runtime/data/database.js";
import { parquetOf } from "../../../runtime/data/parquet-copies.js";
import { writeRows } from "../../../runtime/data/write.js";
import { dataset, tempDir } from "../../helpers.js";

describe("save", () => {
  const sessions: Session[] = [];
  afterAll(() => sessions.forEach((s) => s.close()));
  const dir = tempDir();
  const base = `source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins { drop rows where Species is missing
  onehot Island }`;

  async function run(body: string, options: { sideEffects?: boolean } = {}) {
    const s = await Session.open({ record: false, baseDir: dir });
    sessions.push(s);
    return s.run(`${base}\n${body}`, { file: path.join(dir, "job.lathe"), ...options });
  }

  it("writes a dataset to every format and to a database table, relative to the program", async () => {
    const r = await run(`save clean to "out/c.parquet"
save clean to "out/c.csv"
save clean to "out/c.tsv"
save clean to "out/c.json"
save clean to "out/c.ndjson"
save clean to table "clean" in "out/w.duckdb"`);
    expect(r.error).toBeUndefined();
    const db = await Database.open();
    for (const [file, reader] of [["c.parquet", "read_parquet"], ["c.csv", "read_csv"], ["c.tsv", "read_csv"], ["c.json", "read_json_auto"], ["c.ndjson", "read_json_auto"]]) {
      const [{ n, islands }] = await db.rows(`SELECT count(*) AS n, sum("Island_Dream") AS islands FROM ${reader}('${path.join(dir, "out", file)}')`);
      expect([file, n, Number(islands)]).toEqual([file, 344, 124]);
    }
    expect(readFileSync(path.join(dir, "out/c.json"), "utf8").trimStart().startsWith("[")).toBe(true);
    await db.exec(`ATTACH '${path.join(dir, "out/w.duckdb")}' AS w (READ_ONLY)`);
    expect(await db.rows(`SELECT count(*) AS n FROM w.clean`)).toEqual([{ n: 344 }]);
    db.close();
    expect(r.output!.results.filter((x) => x.kind === "written").map((x) => x.kind === "written" && x.rows)).toEqual([344, 344, 344, 344, 344, 344]);
  });

  it("says why it cannot write, and leaves no temporary file", async () => {
    mkdirSync(path.join(dir, "taken.csv"));
    const r = await run(`save clean to "taken.csv"`);
    expect(r.error?.code).toBe("write-error");
    expect(r.error?.diagnostic?.span.line).toBe(4);
  });

  it("a recorded run copies the step cache's Parquet of the rows instead of writing them again, the same bytes", async () => {
    const program = `save clean to "out/kept.parquet"`;
    const plain = await run(program);
    expect(plain.error).toBeUndefined();
    const unrecorded = readFileSync(path.join(dir, "out/kept.parquet"));
    expect(parquetOf(sessions.at(-1)!.executor.dataset("clean"))).toBeUndefined();
    const root = path.join(dir, ".lathe");
    // Interactive runs, then one-shot ones (`lathe run`), where a reused prepare only `save` reads is a view over the kept file.
    for (const [reused, oneShot] of [[false, false], [true, false], [true, true]]) {
      const s = await Session.open({ root, baseDir: dir });
      sessions.push(s);
      const r = await s.run(`${base}\n${program}`, { file: path.join(dir, "job.lathe"), oneShot });
      expect(r.error).toBeUndefined();
      const clean = r.output!.results.find((x) => x.kind === "dataset" && x.name === "clean");
      expect(Boolean(clean && "reused" in clean && clean.reused)).toBe(reused);
      const kept = readdirSync(path.join(root, "artifacts")).filter((f) => f.endsWith(".parquet"));
      expect(kept).toHaveLength(1);
      if (!oneShot) expect(parquetOf(s.executor.dataset("clean"))).toBe(path.join(root, "artifacts", kept[0]));
      else expect(r.output!.results.find((x) => x.kind === "written")).toMatchObject({ rows: 344 });
      expect(readFileSync(path.join(root, "artifacts", kept[0])).equals(readFileSync(path.join(dir, "out/kept.parquet")))).toBe(true);
      expect(readFileSync(path.join(dir, "out/kept.parquet")).equals(unrecorded)).toBe(true);
    }
  });

  it("writes the rows when the Parquet it was to copy is gone", async () => {
    const db = await Database.open();
    const out = path.join(dir, "out/fallback.parquet");
    await writeRows(db, "SELECT range AS x FROM range(5)", { kind: "file", path: out }, undefined, path.join(dir, "no-such.parquet"));
    expect(await db.rows(`SELECT sum(x) AS s FROM '${out}'`)).toEqual([{ s: 10 }]);
    expect(readdirSync(path.join(dir, "out")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    db.close();
  });

  it("writes nothing while a run is reproduced", async () => {
    const r = await run(`save clean to "out/again.csv"`, { sideEffects: false });
    expect(r.error).toBeUndefined();
    expect(existsSync(path.join(dir, "out/again.csv"))).toBe(false);
    expect(r.output!.results.at(-1)).toMatchObject({ kind: "notice" });
  });
});
