import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repo, tempDir } from "../helpers.js";

function lathe(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [path.join(repo, "bin/lathe.js"), ...args], { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const program = (bound: number) => `param seed = 42
source penguins = read "vega-datasets/data/penguins.json"
prepare clean = penguins { drop rows where "Body Mass (g)" is missing }
split clean into train 70%, test 30% stratify by Species seed seed
model species = decision_tree predicting Species from train { features: "Body Mass (g)", "Flipper Length (mm)", "Beak Length (mm)"; max_depth: 4 }
evaluate species on test metrics accuracy
assert species on test: accuracy >= ${bound}
register species as "penguin-species"
promote "penguin-species"
`;

describe("the model registry from the command line", () => {
  it("registers and promotes behind an assert gate, lists and shows versions, rolls back", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "job.lathe"), program(0.8).replace('"vega-datasets/', `"${repo}/node_modules/vega-datasets/`));
    const first = lathe(["run", "job.lathe"], dir);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/register species as "penguin-species": "penguin-species" version 1/);
    expect(first.out).toMatch(/promote "penguin-species": champion of "penguin-species" is version 1 \(none before\)/);
    expect(lathe(["run", "job.lathe", "--param", "seed=3"], dir).out).toMatch(/champion of "penguin-species" is version 2 \(was 1\)/);

    // A failed gate: exit 3, and neither register nor promote runs.
    writeFileSync(path.join(dir, "gated.lathe"), program(0.999).replace('"vega-datasets/', `"${repo}/node_modules/vega-datasets/`));
    const gated = lathe(["run", "gated.lathe"], dir);
    expect(gated.code).toBe(3);
    expect(gated.out).toMatch(/register species as "penguin-species": not run: an assert failed earlier/);
    expect(gated.out).toMatch(/promote "penguin-species": not run: an assert failed earlier/);

    const list = lathe(["models", "list"], dir);
    expect(list.out).toMatch(/penguin-species\s+2\s+2\s+2/);
    const show = lathe(["models", "show", "penguin-species"], dir);
    expect(show.out).toMatch(/^\s+1\s+\d{8}-/m);
    expect(show.out).toMatch(/^\s+2\s+\*\s+\d{8}-\d{6}-[0-9a-f]{6}\s+species \(decision_tree\)$/m);
    expect(show.out).toMatch(/^metrics:\nversion\s+data\s+metric\s+value\n/m);
    for (const v of [1, 2]) expect(show.out).toMatch(new RegExp(`^\\s+${v}\\s+test\\s+accuracy\\s+0\\.\\d{4}$`, "m"));
    // Readable in a 100-column terminal.
    expect(Math.max(...show.out.split("\n").map((l) => l.length))).toBeLessThanOrEqual(100);
    const json = JSON.parse(lathe(["models", "show", "penguin-species", "--json"], dir).out);
    expect(json.map((v: { version: number; champion: boolean }) => [v.version, v.champion])).toEqual([[1, false], [2, true]]);

    writeFileSync(path.join(dir, "rollback.lathe"), 'rollback "penguin-species"\n');
    expect(lathe(["run", "rollback.lathe"], dir).out).toMatch(/champion of "penguin-species" is version 1 \(was 2\)/);
    const again = lathe(["run", "rollback.lathe"], dir);
    expect(again.code).toBe(4);
    expect(again.err).toContain('"penguin-species" has no earlier champion than version 1 to roll back to');

    const unrecorded = lathe(["run", "job.lathe", "--no-record"], dir);
    expect(unrecorded.code).toBe(4);
    expect(unrecorded.err).toContain("`register` writes to the model registry, which needs a recorded run");
    expect(lathe(["models", "show", "nope"], dir)).toMatchObject({ code: 4, err: expect.stringMatching(/^lathe: error\[unknown-model-name\]: no model is registered as "nope"; the registry has "penguin-species"/) });
    expect(lathe(["models", "history", "nope"], dir)).toMatchObject({ code: 4, err: expect.stringMatching(/^lathe: error\[unknown-model-name\]/) });
  });
});
