import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repo, tempDir } from "../helpers.js";

function lathe(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [path.join(repo, "bin/lathe.js"), ...args], { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** 300 rows of two features and a label that depends on them, with `flip` labels inverted. */
function points(flip = 0): string {
  const rows = ["a,b,label"];
  for (let i = 0; i < 300; i++) {
    const a = (i * 37) % 101;
    const b = (i * 53) % 89;
    const label = (a + b > 95) !== i < flip ? "yes" : "no";
    rows.push(`${a},${b},${label}`);
  }
  return rows.join("\n") + "\n";
}

const program = `param seed = 42
source points = read "points.csv"
split points into train 70%, test 30% stratify by label seed seed
model tree = decision_tree predicting label from train { max_depth: 3 }
evaluate tree on test metrics accuracy, f1
`;

const runId = (out: string) => /run (\d{8}-\d{6}-[0-9a-f]{6}) recorded/.exec(out)?.[1] ?? "";

describe("lathe reproduce and lathe runs diff", () => {
  it("re-runs a recorded run, says it matches bit for bit, and exits 5 once its data has changed", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "points.csv"), points());
    writeFileSync(path.join(dir, "job.lathe"), program);
    const first = lathe(["run", "job.lathe"], dir);
    expect(first.code).toBe(0);
    const id = runId(first.out);

    const again = lathe(["reproduce", id], dir);
    expect(again.err).toBe("");
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/data: same files, same content/);
    expect(again.out).toMatch(/tree\s+test\s+accuracy\s+[\d.]+\s+[\d.]+\s+same/);
    expect(again.out).toMatch(new RegExp(`reproduced: run \\S+ matches run ${id} — same data, 2 metrics identical bit for bit`));

    writeFileSync(path.join(dir, "points.csv"), points(40));
    // A unique prefix is enough (the second run above may have started in the same second: keep hex digits).
    const changed = lathe(["reproduce", id.slice(0, -1)], dir);
    expect(changed.code).toBe(5);
    expect(changed.out).toMatch(/data that differs \(fingerprints\):\n.*\n.*\npoints\s+[0-9a-f]{12}\s+[0-9a-f]{12}/);
    expect(changed.err).toMatch(new RegExp(`not reproduced: run \\S+ differs from run ${id} \\(1 dataset changed, \\d metrics? differs?, 1 model file differs\\)`));

    const missing = lathe(["reproduce", "19990101-000000-000000"], dir);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("no run 19990101-000000-000000");
  });

  it("compares two runs: params, program text, metrics side by side; --json for tools", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "points.csv"), points());
    writeFileSync(path.join(dir, "job.lathe"), program);
    const a = runId(lathe(["run", "job.lathe"], dir).out);
    writeFileSync(path.join(dir, "job.lathe"), program.replace("max_depth: 3", "max_depth: 1"));
    const b = runId(lathe(["run", "job.lathe", "--param", "seed=7"], dir).out);

    const text = lathe(["runs", "diff", a, b], dir);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/program: changed\n--- .*job\.lathe\n\+\+\+ .*job\.lathe/);
    expect(text.out).toMatch(/^-model tree = .*max_depth: 3/m);
    expect(text.out).toMatch(/^\+model tree = .*max_depth: 1/m);
    expect(text.out).toMatch(/params that differ:\n.*\n.*\nseed\s+42\s+7/);
    expect(text.out).toMatch(/tree\s+test\s+f1\s/);

    const json = JSON.parse(lathe(["runs", "diff", a, b, "--json"], dir).out);
    expect(json.params).toEqual([{ name: "seed", a: 42, b: 7 }]);
    expect(json.data).toEqual([]);
    expect(json.metrics.map((m: { metric: string }) => m.metric).sort()).toEqual(["accuracy", "f1"]);
    expect(json.identical).toBe(false);
    expect(lathe(["runs", "diff", a, "nope"], dir).code).toBe(2);
  });
});

describe("lathe reproduce on other code", () => {
  const nn = program.replace("decision_tree predicting label from train { max_depth: 3 }", "neural_network predicting label from train { layers: [8]; epochs: 5 }");
  const withEnv = (args: string[], cwd: string, env: Record<string, string>) => {
    const r = spawnSync(process.execPath, [path.join(repo, "bin/lathe.js"), ...args], { cwd, encoding: "utf8", timeout: 120_000, env: { ...process.env, ...env } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("names the engine and CPU a run used, matches bit for bit on the baseline variant, and blames the engine when it differs", () => {
    const dir = tempDir();
    try {
      writeFileSync(path.join(dir, "points.csv"), points());
      writeFileSync(path.join(dir, "job.lathe"), nn);
      const first = lathe(["run", "job.lathe"], dir);
      expect(first.code, first.err).toBe(0);
      const id = runId(first.out);
      const record = JSON.parse(lathe(["runs", "show", id, "--json"], dir).out);
      expect(record.versions["native-mlp"]).toMatch(/^(avx2|x86-64|baseline) \((gcc|clang) [^;]+; -O3 .*-ffp-contract=off/);
      expect(record.versions.cpu).toContain(process.arch);

      // Another CPU's code path (the baseline build, as on a CPU without AVX2): the same weights.
      const baseline = withEnv(["reproduce", id], dir, { LATHE_NATIVE_ISA: process.arch === "x64" ? "x86-64" : "baseline" });
      expect(baseline.code, baseline.err).toBe(0);
      expect(baseline.out).toMatch(/reproduced: run \S+ matches/);

      // Another engine entirely: not reproduced, and the reason is named, not only the symptom.
      const tfjs = withEnv(["reproduce", id], dir, { LATHE_NN_ENGINE: "tfjs" });
      expect(tfjs.code).toBe(5);
      expect(tfjs.out).toMatch(/backend: native → \w+ \(bit-identical results are only promised on the same backend\)/);
      expect(tfjs.out).toMatch(/native-mlp\s+\S+ \(.*\s+off \(LATHE_NN_ENGINE=tfjs\)/);
      expect(tfjs.err).toMatch(/not reproduced: .*on other code: backend native → \w+, native-mlp\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("lathe reproduce leaves the world alone", () => {
  it("re-runs a run that registered and promoted without touching the registry, and compares model files", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "points.csv"), points());
    writeFileSync(path.join(dir, "job.lathe"), program + `assert tree on test: accuracy >= 0.5\nregister tree as "pts"\npromote "pts"\n`);
    const first = lathe(["run", "job.lathe"], dir);
    expect(first.code, first.err).toBe(0);
    const id = runId(first.out);
    const before = lathe(["models", "show", "pts", "--json"], dir).out;
    const again = lathe(["reproduce", id], dir);
    expect(again.err).toBe("");
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/register tree as "pts": not run: `register` changes the registry or a deployment, which a reproduction leaves alone/);
    expect(again.out).toMatch(/model files: same content/);
    expect(again.out).toMatch(/same model files/);
    // Same versions, same champion: the registry is as it was.
    expect(lathe(["models", "show", "pts", "--json"], dir).out).toBe(before);
    const record = JSON.parse(lathe(["runs", "show", runId(again.out), "--json"], dir).out);
    expect(record.reproduces).toBe(id);
  });

  it("takes a unique run-id prefix; an ambiguous one is an error listing the candidates (no wildcards)", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "points.csv"), points());
    writeFileSync(path.join(dir, "job.lathe"), program);
    const ids = [runId(lathe(["run", "job.lathe"], dir).out), runId(lathe(["run", "job.lathe"], dir).out)];
    const common = ids[0].slice(0, [...ids[0]].findIndex((c, i) => c !== ids[1][i]));
    for (const args of [["runs", "show", common], ["reproduce", common], ["runs", "diff", common, ids[0]]]) {
      const r = lathe(args, dir);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(new RegExp(`^lathe: error\\[ambiguous-run-id\\]: run id prefix ${common} matches 2 runs: (${ids[1]}, ${ids[0]}|${ids[0]}, ${ids[1]}); give more of the id`, "m"));
    }
    // `_` is a character, not a LIKE wildcard: it matches no run.
    expect(lathe(["runs", "show", ids[0].slice(0, 8) + "_"], dir).code).toBe(2);
    expect(lathe(["runs", "show", ids[0].slice(0, -1)], dir).out).toContain(`run ${ids[0]}`);
  });
});
