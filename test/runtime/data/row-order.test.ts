import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { tempDir } from "../../helpers.js";

const dir = tempDir("lathe-row-order-");
const sessions: Session[] = [];
afterAll(() => sessions.forEach((s) => s.close()));

// Every row appears three times (dedupe has work), a tenth of `f` is missing (a fill fitted on the
// training part), `y` has three classes (a stratified split), `t` orders a time split.
const rows = 60_000;
const data = `source d = sql "select i % 20000 as k, (i % 20000) * 7919 % 10007 as x, case when i % 10 = 0 then null else (i % 17)::double end as f, ((i % 20000) % 3)::varchar as y, i % 20000 as t from range(${rows}) r(i)"`;
const programs: Record<string, { text: string; datasets: string[] }> = {
  stratified: { text: `${data}\nprepare p = d { drop duplicates\n fill f with median }\nsplit p into train 70%, test 30% stratify by y seed 7`, datasets: ["train", "test"] },
  dedupe: { text: `${data}\nprepare p = d { drop duplicates }\nprepare q = d { drop duplicates on y }`, datasets: ["p", "q"] },
  plain: { text: `${data}\nprepare p = d { fill f with mean }\nsplit p into a 50%, b 30%, c 20% seed 3`, datasets: ["a", "b", "c"] },
  time: { text: `${data}\nsplit d into past 80%, recent 20% by time on t`, datasets: ["past", "recent"] },
};

/** The rows of a dataset (a table or a view) in the order a scan gives them. */
const inOrder = (name: string) => `(SELECT *, row_number() OVER () AS __pos FROM "${name}")`;

/** A digest of a dataset's rows in their order. */
async function digest(session: Session, name: string): Promise<string> {
  const [r] = await session.executor.db.rows(`SELECT count(*) AS n, md5(string_agg(concat_ws(',', k, x, f, y, t), ';' ORDER BY __pos)) AS h FROM ${inOrder(name)}`);
  return `${r.n}:${r.h}`;
}

describe("every step's output order is a function of the data and the seed", () => {
  it.each(Object.keys(programs))("%s: 20 runs on 1 and on 4 threads give the same rows in the same order", async (name) => {
    const { text, datasets } = programs[name];
    const seen = new Set<string>();
    for (const threads of [1, 4]) {
      const session = await Session.open({ baseDir: dir, record: false, root: `${dir}/.lathe` });
      sessions.push(session);
      await session.executor.db.exec(`SET threads = ${threads}`);
      for (let run = 0; run < 10; run++) {
        const outcome = await session.run(text);
        expect(outcome.ok, outcome.error?.message).toBe(true);
        seen.add((await Promise.all(datasets.map((d) => digest(session, d)))).join(" "));
      }
    }
    expect([...seen]).toHaveLength(1);
  });

  it("drop duplicates keeps the first occurrence and the input order", async () => {
    const session = await Session.open({ baseDir: dir, record: false, root: `${dir}/.lathe` });
    sessions.push(session);
    await session.run(`source d = sql "select * from (values (3, 'a', 1), (1, 'b', 2), (3, 'a', 3), (2, 'c', 4), (1, 'b', 5), (1, 'z', 6)) v(k, s, pos)"
prepare all_cols = d { drop columns pos
  drop duplicates }
prepare on_key = d { drop duplicates on k }`);
    expect(await session.executor.db.rows(`SELECT * EXCLUDE (__pos) FROM ${inOrder("all_cols")} ORDER BY __pos`)).toEqual([
      { k: 3, s: "a" },
      { k: 1, s: "b" },
      { k: 2, s: "c" },
      { k: 1, s: "z" },
    ]);
    expect((await session.executor.db.rows(`SELECT pos FROM ${inOrder("on_key")} ORDER BY __pos`)).map((r) => r.pos)).toEqual([1, 2, 4]);
  });
});
