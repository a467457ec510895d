import { readdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reproduce } from "../../api/reproduce.js";
import { Session } from "../../api/session.js";
import { diffRuns } from "../../runtime/run-diff.js";
import { RunStore } from "../../runtime/run-store.js";
import { lathe, pointsCsv, type Exit } from "../reliability/store-harness.js";
import { tempDir } from "../helpers.js";

// `lathe run` with the step cache, `--no-cache`, `--snapshot` and `lathe reproduce` after the data
// changed or went, `lathe gc --cache` — real processes on a real store (gc's choices of entries:
// test/runtime/store/garbage.test.ts).
const program = `param seed = 42
source points = read "points.csv"
prepare scaled = points { scale a, b standard }
split scaled into train 70%, test 30% stratify by label seed seed
model forest = random_forest predicting label from train { trees: 8 }
evaluate forest on test metrics accuracy, f1
`;

const runIdOf = (e: Exit) => /run (\S+) recorded/.exec(e.out)?.[1] ?? "";
const entries = (dir: string) => readdirSync(path.join(dir, ".lathe", "cache"));

describe("the step cache from the command line", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("lathe-cli-cache-");
    writeFileSync(path.join(dir, "points.csv"), pointsCsv());
    writeFileSync(path.join(dir, "job.lathe"), program);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("two runs filling an empty cache at once both succeed; the next reuses every step, says so, matches bit for bit, and keeps a snapshot; --no-cache computes", async () => {
    const both = await Promise.all([lathe(["run", "job.lathe"], dir), lathe(["run", "job.lathe"], dir)]);
    for (const e of both) expect(e.code, e.err).toBe(0);
    expect(entries(dir)).toHaveLength(3); // prepare, split, train: one entry each, whole

    const third = await lathe(["run", "job.lathe", "--snapshot"], dir);
    expect(third.code, third.err).toBe(0);
    expect(third.out).toContain("[1/5] collect points: 240 rows, 3 columns; snapshot kept");
    expect(third.out).toMatch(/\[2\/5\] prepare scaled: 240 rows, 3 columns \(reused from run \S+\)/);
    expect(third.out).toMatch(/\[3\/5\] split scaled into train, test: train \d+, test \d+ \(reused from run \S+\)/);
    expect(third.out).toMatch(/\[4\/5\] train forest \(random_forest\): .* \(reused from run \S+\)/);
    expect(third.out).toMatch(/done in [\d.]+ s \(3 steps reused from the step cache; --no-cache computes every step\)/);

    const forced = await lathe(["run", "job.lathe", "--no-cache"], dir);
    expect(forced.code, forced.err).toBe(0);
    expect(forced.out).not.toContain("reused");
    const store = new RunStore(path.join(dir, ".lathe"));
    const [a, c, d] = await Promise.all([runIdOf(both[0]), runIdOf(third), runIdOf(forced)].map((id) => store.load(id)));
    expect(diffRuns(a!, c!).identical).toBe(true);
    expect(diffRuns(a!, d!).identical).toBe(true);
    snapshotRun = c!.id;
  });

  let snapshotRun: string;

  it("lathe reproduce reads a run's snapshot once the source has changed, and once it is gone (after gc --cache too)", async () => {
    writeFileSync(path.join(dir, "points.csv"), pointsCsv().replace(/yes/g, "no"));
    const changed = await lathe(["reproduce", snapshotRun], dir);
    expect(changed.code, changed.err).toBe(0);
    expect(changed.out).toContain(`collect points: 240 rows, 3 columns; read from the snapshot of run ${snapshotRun} (the source has changed since)`);
    expect(changed.out).toContain(`matches run ${snapshotRun}`);

    // The whole cache goes; the snapshot is the run's own and stays.
    const dropped = await lathe(["gc", "--cache"], dir);
    expect(dropped.out).toContain("step cache: removed 4 step-cache entries (--cache), kept 0");
    expect(entries(dir)).toEqual([]);
    unlinkSync(path.join(dir, "points.csv"));
    const session = await Session.open({ root: path.join(dir, ".lathe") });
    try {
      const { outcome, diff } = await reproduce(session, (await session.store.load(snapshotRun))!);
      expect(outcome.output?.results[0]).toMatchObject({ kind: "dataset", note: `read from the snapshot of run ${snapshotRun} (the source file is gone)` });
      expect(diff?.identical).toBe(true);
    } finally {
      session.close();
    }
  });
});
