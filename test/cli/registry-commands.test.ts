import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataset, latheSync, tempDir } from "../helpers.js";

// One store for the file: run A registers version 1 (champion and staging), run B version 2
// (champion); the cases then move aliases from the command line and read the audit log.
const program = `param seed = 42
source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins { drop rows where "Body Mass (g)" is missing }
split clean into train 70%, test 30% stratify by Species seed seed
model species = decision_tree predicting Species from train { features: "Body Mass (g)", "Flipper Length (mm)", "Beak Length (mm)"; max_depth: 4 }
assert species on test: accuracy >= 0.8
register species as "birds"
promote "birds"
promote "birds" to staging
`;

let dir: string;
let runA: string;
const lathe = (...args: string[]) => latheSync(args, dir);
const runIdOf = (out: string) => /run (\d{8}-\d{6}-[0-9a-f]{6}) recorded/.exec(out)![1];

/** Every file of the registry with a hash of its content: what "unchanged" means. */
function registryFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(path.join(dir, ".lathe", "registry"));
  return out;
}

beforeAll(() => {
  dir = tempDir();
  writeFileSync(path.join(dir, "job.lathe"), program);
  writeFileSync(path.join(dir, "one.json"), JSON.stringify([{ "Body Mass (g)": 5000, "Flipper Length (mm)": 220, "Beak Length (mm)": 47 }]));
  const a = lathe("run", "job.lathe");
  expect(a.code, a.out + a.err).toBe(0);
  expect(a.out).toMatch(/promote "birds" to staging: "birds@staging" names version 1 \(none before\)/);
  runA = runIdOf(a.out);
  // Version 2 from a second run: the champion moves, `promote "birds@champion" to staging` is left to the command line.
  writeFileSync(path.join(dir, "job2.lathe"), program.replace('promote "birds" to staging\n', ""));
  const b = lathe("run", "job2.lathe", "--param", "seed=3");
  expect(b.code, b.out + b.err).toBe(0);
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("aliases from the command line", () => {
  it("NAME@ALIAS names the version the alias names, for predict, export and retrain alike", () => {
    // The champion is version 2 now; staging still names 1.
    expect(JSON.parse(lathe("predict", "birds@staging", "-i", "one.json").out).model_version).toBe(1);
    const exported = lathe("export", "birds@staging", "--to", "edge");
    expect(exported.code, exported.err).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, "edge", "lathe-export.json"), "utf8"))).toMatchObject({ name: "birds", version: 1 });
    expect(lathe("retrain", "birds@production", "--now")).toMatchObject({ code: 2, err: expect.stringContaining('error[unknown-alias]: "birds" has no alias "production" to retrain') });
  }, 240_000);

  it("models promote --run / rollback move an alias, each on its own history; the audit log says who, which run and why", () => {
    const promoted = lathe("models", "promote", "birds", "--run", runA, "--to", "production", "--reason", "release 1");
    expect(promoted.out).toBe('"birds@production" names version 1 (none before)\n');
    expect(lathe("models", "promote", "birds@champion", "--to", "production").out).toBe('"birds@production" names version 2 (was 1)\n');
    expect(lathe("models", "rollback", "birds@production").out).toBe('"birds@production" names version 1 (was 2)\n');
    expect(lathe("models", "promote", "birds", "--to", "latest")).toMatchObject({ code: 2, err: expect.stringContaining("error[invalid-alias]") });
    // The champion did not move with production.
    expect(JSON.parse(lathe("models", "show", "birds", "--json").out).map((v: { version: number; aliases: string[] }) => [v.version, v.aliases])).toEqual([[1, ["production", "staging"]], [2, ["champion"]]]);

    const history = lathe("models", "history", "birds").out.split("\n");
    expect(history[0].split(/\s{2,}/)).toEqual(["time", "user@host", "action", "version", "alias", "run", "reason"]);
    const row = (re: RegExp) => history.find((l) => re.test(l));
    expect(row(new RegExp(`register\\s+1\\s+${runA}`))).toBeDefined();
    expect(row(new RegExp(`promote\\s+1 \\(was none\\)\\s+staging\\s+${runA}\\s+asserts passed: species on test: accuracy = 0\\.\\d{4} \\(>= 0\\.8\\)$`))).toBeDefined();
    expect(row(/promote\s+1 \(was none\)\s+production\s+command line\s+release 1$/)).toMatch(/^\S+Z\s+\S+@\S+\s/);
    expect(row(/rollback\s+1 \(was 2\)\s+production\s+command line/)).toBeDefined();
    const json = JSON.parse(lathe("models", "history", "birds", "--json").out);
    expect(json.entries.map((e: { action: string; version: number; alias?: string }) => [e.action, e.version, e.alias])).toEqual([
      ["register", 1, undefined], ["promote", 1, "champion"], ["promote", 1, "staging"], ["register", 2, undefined], ["promote", 2, "champion"],
      ["promote", 1, "production"], ["promote", 2, "production"], ["rollback", 1, "production"],
    ]);
    expect(json.entries[5]).toMatchObject({ user: expect.any(String), host: expect.any(String), reason: "release 1", at: expect.any(String) });
    expect(json.entries[5]).not.toHaveProperty("run");
    expect(json.entries[1]).toMatchObject({ run: runA, runStatus: "succeeded", reason: expect.stringMatching(/^asserts passed: /) });
  }, 240_000);

  it("runs show lists the registry changes its run made", () => {
    const shown = lathe("runs", "show", runA);
    expect(shown.out).toMatch(/registry changes:\n.*\n.*\n.*birds\s+register\s+1\s*\n.*birds\s+promote\s+1\s+champion\s+asserts passed/);
    const json = JSON.parse(lathe("runs", "show", runA, "--json").out);
    expect(json.registry.map((e: { action: string; alias?: string; run: string }) => [e.action, e.alias ?? null, e.run])).toEqual([["register", null, runA], ["promote", "champion", runA], ["promote", "staging", runA]]);
  }, 240_000);

  it("neither `lathe reproduce` nor `lathe run --no-registry` changes a byte of the registry", () => {
    const before = registryFiles();
    const again = lathe("reproduce", runA);
    expect(again.code, again.out + again.err).toBe(0);
    expect(again.out).toMatch(/promote "birds" to staging: not run: `promote` changes the registry or a deployment, which a reproduction leaves alone/);
    const branch = lathe("run", "job.lathe", "--no-registry");
    expect(branch.code, branch.out + branch.err).toBe(0);
    expect(branch.out).toMatch(/register species as "birds": not run: `register` changes the model registry, which this run leaves alone \(--no-registry\)/);
    expect(registryFiles()).toEqual(before);
  }, 240_000);
});
