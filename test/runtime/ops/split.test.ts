import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { readRows } from "../../../runtime/train-data.js";
import { tempDir, withEnv } from "../../helpers.js";

// A one-shot run's plain split keeps its parts as views over the root (`viewSplit`): the rows are
// held once. The parts must be the rows, in the order, that tables of them (the kernel's) hold.
const program = `source raw = read "rows.csv"
prepare clean = raw {
  drop rows where x3 > 0.9
  derive x5 = x3 * 2
  fill x1, x2 with median
  onehot cat
  bucket x4 into 4
}
split clean into train 70%, validation 15%, test 15% seed 11
model m = random_forest predicting label from train { trees: 3 }
evaluate m on test metrics accuracy, log_loss
`;

/** `n` generated rows: missing values, a category, repeated rows (equal hashes), a class label. */
function rowsCsv(n: number): string {
  const lines = ["x1,x2,x3,x4,cat,label"];
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) {
    if (i % 50 === 49) {
      lines.push(lines[lines.length - 1]);
      continue;
    }
    const x1 = i % 17 === 0 ? "" : (rand() * 100).toFixed(3);
    const x2 = i % 23 === 0 ? "" : (rand() * 10 - 5).toFixed(4);
    lines.push(`${x1},${x2},${rand().toFixed(5)},${(rand() * 8).toFixed(2)},${["east", "west", "north"][i % 3]},${rand() < 0.4 ? "a" : "b"}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * Runs `check` once the step labelled `label` has ended, before the run goes on: on the first
 * statement the executor gives DuckDB after the step's end (awaited there), not from the event,
 * which the run does not wait for.
 */
function between(session: Session, label: string, check: () => Promise<void>): { onEvent: (e: { type: string; label?: string }) => void; ran: () => boolean } {
  const db = session.executor.db as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  let due = false;
  let ran = false;
  for (const m of ["exec", "rows", "describe", "strings", "float32Columns"]) {
    const own = db[m].bind(db);
    db[m] = async (...args: unknown[]) => {
      if (due) {
        due = false;
        await check();
        ran = true;
      }
      return own(...args);
    };
  }
  return { onEvent: (e) => void (e.type === "step-end" && e.label?.startsWith(label) && (due = true)), ran: () => ran };
}

describe("split parts kept as views (one-shot runs)", () => {
  let dir: string;
  const sessions: Session[] = [];
  // Enough rows for DuckDB's memory to show the parts (its blocks are 256 kB); fewer where rows are compared.
  const rows = 60_000;
  let few: string;
  beforeAll(() => {
    dir = tempDir();
    few = tempDir();
    writeFileSync(path.join(dir, "rows.csv"), rowsCsv(rows));
    writeFileSync(path.join(few, "rows.csv"), rowsCsv(8_000));
  });
  afterAll(() => sessions.forEach((s) => s.close()));

  it("holds the rows once: after the split, DuckDB has the root and a small keys table, not the parts a second time", async () => {
    const session = await Session.open({ record: false, baseDir: dir });
    sessions.push(session);
    const db = session.executor.db;
    const memory = async () => Number((await db.rows("SELECT sum(memory_usage_bytes) AS b FROM duckdb_memory()"))[0].b);
    const seen: { tables: Record<string, unknown>[]; views: string[]; bytes: number }[] = [];
    let loaded = 0;
    const afterLoad = between(session, "collect raw", async () => void (loaded = await memory()));
    const afterSplit = between(session, "split", async () => {
      const tables = await db.rows("SELECT table_name AS name, column_count AS columns, estimated_size AS n FROM duckdb_tables() ORDER BY name");
      const views = (await db.rows("SELECT view_name AS v FROM duckdb_views() WHERE NOT internal ORDER BY v")).map((r) => String(r.v));
      seen.push({ tables, views, bytes: await memory() });
    });
    const outcome = await session.run(`${program.replace(/model m[\s\S]*/, "")}show train limit 1\nshow validation limit 1\nshow test limit 1\n`, {
      oneShot: true,
      onEvent: (e) => {
        afterLoad.onEvent(e);
        afterSplit.onEvent(e);
      },
    });
    expect(outcome.error).toBeUndefined();
    expect(seen).toHaveLength(1);
    const [{ tables, views, bytes }] = seen;
    // The keys: part and rank (2 columns, a row each); the parts are views.
    expect(tables).toEqual([
      { name: expect.stringMatching(/^__lathe_split_\d+$/), columns: 2, n: expect.any(Number) },
      { name: "raw", columns: 6, n: rows },
    ]);
    expect(views).toEqual(["test", "train", "validation"]);
    // Parts written as tables held about the root's bytes once more (the old split: ≥ 2× the root).
    expect(loaded).toBeGreaterThan(0);
    expect(bytes / loaded).toBeLessThan(1.5);
  });

  // After a step that drops rows the parts have no ranks (read sorted) and are counted.
  const dropping = program.replace("  bucket x4 into 4\n", "  drop rows where x1 > 60\n");
  it.each([
    ["fitted steps that keep every row", program],
    ["a step dropping rows after a fitted one", dropping],
  ])("gives the rows the tables of a kept split give, in the same order (%s); the same model and metrics", async (_, text) => {
    const once = await Session.open({ record: false, baseDir: few });
    const kept = await Session.open({ record: false, baseDir: few });
    sessions.push(once, kept);
    // Parts read before the run releases them: the one-shot plan drops each after its last reader.
    const keep = `${text}show train limit 1\nshow validation limit 1\nshow test limit 1\n`;
    const a = await once.run(keep, { oneShot: true });
    const b = await kept.run(keep);
    expect(a.error?.message).toBeUndefined();
    expect(b.error).toBeUndefined();
    expect(a.output!.metrics).toEqual(b.output!.metrics);
    const weights = (s: Session) => JSON.stringify(s.executor.modelState("m")!.model.toJSON());
    expect(weights(once)).toBe(weights(kept));
    expect(a.output!.results.find((r) => r.kind === "split")).toEqual(b.output!.results.find((r) => r.kind === "split"));
  });

  // Pieces of 1,000 root rows at least: the 8,000 rows in as many pieces as DuckDB has threads (2 in CI).
  it.each([
    ["in one read", undefined],
    ["in pieces, each on a connection of its own", "1000"],
  ])("reads a view part's rows in its order through the ranks, the same floats as the sorted view and as a table (%s)", (_, pieceRows) => withEnv("LATHE_PIECE_ROWS", pieceRows, async () => {
    const once = await Session.open({ record: false, baseDir: few });
    const kept = await Session.open({ record: false, baseDir: few });
    sessions.push(once, kept);
    // A later statement reads every part, so the one-shot run keeps them to the end of this program.
    const text = `${program.replace(/model m[\s\S]*/, "")}show train limit 1\nshow validation limit 1\nshow test limit 1\n`;
    await kept.run(text);
    const features = ["x1", "x2", "x3", "x4", "x5", "cat__east", "cat__west", "cat__north", "cat__other"];
    const check = between(once, "split", async () => {
      for (const part of ["train", "validation", "test"]) {
        const view = once.executor.dataset(part);
        const table = kept.executor.dataset(part);
        expect(view.ranked).toBeDefined();
        const threads = Number((await once.executor.db.rows("SELECT current_setting('threads') AS t"))[0].t);
        expect(view.rankedPieces?.length).toBe(pieceRows && threads > 1 ? threads : undefined);
        expect(view.rows).toBe(table.rows);
        expect(await once.executor.db.rows(`SELECT * FROM ${view.relation}`)).toEqual(await kept.executor.db.rows(`SELECT * FROM ${table.relation}`));
        const present = features.filter((f) => view.columns.includes(f));
        expect(present.length).toBeGreaterThan(5);
        const ranked = await readRows(once.executor.db, view, part, present, "label", "classification");
        const sorted = await readRows(once.executor.db, { ...view, ranked: undefined }, part, present, "label", "classification");
        const stored = await readRows(kept.executor.db, table, part, present, "label", "classification");
        expect(ranked.x.columns).toEqual(stored.x.columns);
        expect(sorted.x.columns).toEqual(stored.x.columns);
        expect(ranked.y).toEqual(stored.y);
        // The pieces one after the other (no native read: the chunk loop), and the whole view in one read.
        const inJs = await withEnv("LATHE_KERNELS", "js", () => readRows(once.executor.db, view, part, present, "label", "classification"));
        const whole = await readRows(once.executor.db, { ...view, rankedPieces: undefined }, part, present, "label", "classification");
        expect(inJs.x.columns).toEqual(stored.x.columns);
        expect(whole.x.columns).toEqual(stored.x.columns);
      }
    });
    const outcome = await once.run(text, { oneShot: true, onEvent: check.onEvent });
    expect(outcome.error).toBeUndefined();
    expect(check.ran()).toBe(true);
  }));
});
