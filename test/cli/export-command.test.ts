import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { dataset, repo, tempDir } from "../helpers.js";

// `lathe export` end to end, each step a fresh process: train and register, export from the
// registry, then load the folder in a Node process that has nothing of Lathe and compare with
// `lathe predict` on the same raw rows.
function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 240_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const lathe = (args: string[], cwd: string) => run([path.join(repo, "bin/lathe.js"), ...args], cwd);

const dir = tempDir();
beforeAll(() => {
  writeFileSync(
    path.join(dir, "train.lathe"),
    `source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins {
  drop rows where Species is missing
  fill "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)" with median
  onehot Island
}
split clean into train 70%, test 30% stratify by Species
model forest = random_forest predicting Species from train {
  features: "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", Island
  trees: 15
}
assert forest on test: accuracy >= 0.9
register forest as "penguin-species"
promote "penguin-species"
`,
  );
  const r = lathe(["run", "train.lathe"], dir);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
}, 240_000);

describe("lathe export", () => {
  it("writes the champion's folder; a new Node process predicts from it what `lathe predict` predicts", () => {
    const e = lathe(["export", "penguin-species", "--to", "edge"], dir);
    expect(e.err).toBe("");
    expect(e.code).toBe(0);
    expect(e.out).toMatch(/^penguin-species \(version 1\) exported for the edge to edge \(\d+ files\)\n$/);
    const rows = (JSON.parse(readFileSync(dataset("penguins.json"), "utf8")) as Record<string, unknown>[]).filter((r) => r.Species !== null);
    writeFileSync(path.join(dir, "rows.json"), JSON.stringify(rows));
    const p = lathe(["predict", "penguin-species", "-i", "rows.json"], dir);
    expect(p.code).toBe(0);
    const batch = p.out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, number | string>);
    const elsewhere = tempDir();
    const script = `import { readFileSync } from "node:fs"; const { predict } = await import(${JSON.stringify(pathToFileURL(path.join(dir, "edge/index.js")).href)}); console.log(JSON.stringify(predict(JSON.parse(readFileSync(${JSON.stringify(path.join(dir, "rows.json"))}, "utf8")))));`;
    const n = run(["--input-type=module", "-e", script], elsewhere);
    expect(n.err).toBe("");
    const got = JSON.parse(n.out) as { prediction: string; probabilities: Record<string, number> }[];
    expect(got.map((g) => g.prediction)).toEqual(batch.map((b) => b.predicted_Species));
    got.forEach((g, i) => {
      for (const c of ["Adelie", "Chinstrap", "Gentoo"]) expect(Math.abs(g.probabilities[c] - (batch[i][`probability_${c}`] as number))).toBeLessThanOrEqual(1e-12);
    });
  });

  it("--for container adds the server, Dockerfile, manifests and handler; a version by --version", () => {
    const e = lathe(["export", "penguin-species", "--version", "1", "--to", "cloud", "--for", "container"], dir);
    expect(e.code).toBe(0);
    for (const f of ["Dockerfile", "kubernetes.yaml", "server.js", "handler.js", "index.js"]) expect(existsSync(path.join(dir, "cloud", f)), f).toBe(true);
  });

  it("coded errors: unknown model or version exit 4, a folder that is not an export exit 4, bad flags exit 2", () => {
    expect(lathe(["export", "nope", "--to", "x"], dir)).toMatchObject({ code: 4, err: 'lathe: error[unknown-model-name]: no model is registered as "nope"; the registry has "penguin-species"\n' });
    expect(lathe(["export", "penguin-species", "--version", "7", "--to", "x"], dir)).toMatchObject({ code: 4, err: expect.stringMatching(/error\[unknown-version\]/) });
    mkdirSync(path.join(dir, "taken"));
    writeFileSync(path.join(dir, "taken", "keep.txt"), "mine");
    expect(lathe(["export", "penguin-species", "--to", "taken"], dir)).toMatchObject({ code: 4, err: expect.stringMatching(/error\[export-target-exists\]/) });
    expect(lathe(["export", "penguin-species", "--to", "x", "--for", "lambda"], dir).code).toBe(2);
    expect(lathe(["export", "penguin-species@stag ing", "--to", "x"], dir)).toMatchObject({ code: 2, err: expect.stringMatching(/invalid-alias/) });
    expect(lathe(["export", "penguin-species@staging", "--to", "x"], dir)).toMatchObject({ code: 4, err: expect.stringMatching(/unknown-alias/) });
    expect(existsSync(path.join(dir, "x"))).toBe(false);
  });
});
