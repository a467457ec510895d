import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { storeMonitorResult } from "../runtime/monitor/monitor-result-fixture.js";
import { describe, expect, it } from "vitest";
import { repo, tempDir } from "../helpers.js";

const bin = path.join(repo, "bin/lathe.js");

function lathe(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", timeout: 180_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts lathe; `until(re)` resolves once stdout matches. */
function start(args: string[], cwd: string, env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const until = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (re.test(out) ? resolve() : undefined);
      child.stdout!.on("data", check);
      exited.then(() => (re.test(out) ? resolve() : reject(new Error(`exited before ${re}: ${out}\n${err}`))));
      check();
    });
  return { child, until, exited, out: () => out, err: () => err };
}

const penguins = JSON.parse(readFileSync(path.join(repo, "node_modules/vega-datasets/data/penguins.json"), "utf8")).filter((r: Record<string, unknown>) => r["Body Mass (g)"] != null && r["Flipper Length (mm)"] != null && r["Beak Length (mm)"] != null);

/**
 * The data a retrain reads again: `part` says each row's part (70% train). `noisy` scrambles the
 * training labels (a model learns nothing), so scores move in a known direction between runs;
 * `badChecks` swaps the labels of the rows an assert checks.
 */
function writeData(dir: string, how: { noisy: boolean; badChecks?: boolean }) {
  const rows = penguins.map((r: Record<string, unknown>, i: number) => ({ ...r, part: i % 10 < 7 ? "train" : "test" }));
  const train = rows.filter((r: Record<string, unknown>) => r.part === "train");
  if (how.noisy) {
    const species = train.map((r: Record<string, unknown>) => r.Species);
    train.forEach((r: Record<string, unknown>, i: number) => (r.Species = species[(i * 7 + 3) % species.length]));
  }
  writeFileSync(path.join(dir, "data.json"), JSON.stringify(rows));
  const checks = penguins.slice(0, 60).map((r: Record<string, unknown>) => (how.badChecks ? { ...r, Species: r.Species === "Adelie" ? "Gentoo" : "Adelie" } : r));
  writeFileSync(path.join(dir, "checks.json"), JSON.stringify(checks));
}

// A fitted step (scale) before the split: the champion's constants differ from the challenger's, and both are still scored on the same rows.
const program = `source penguins = read "data.json"
source checks = read "checks.json"
prepare clean = penguins { drop rows where "Body Mass (g)" is missing; scale "Body Mass (g)", "Flipper Length (mm)" }
split clean into train, test by column part
model species = decision_tree predicting Species from train { features: "Body Mass (g)", "Flipper Length (mm)", "Beak Length (mm)"; max_depth: 4 }
evaluate species on test metrics accuracy
assert species on checks: accuracy >= 0.3
assert species on test: accuracy >= 0.1
register species as "penguin-species"
promote "penguin-species"
retrain "penguin-species" every week or when accuracy < 0.85
`;

function setup(noisy: boolean): string {
  const dir = tempDir();
  writeData(dir, { noisy });
  writeFileSync(path.join(dir, "job.lathe"), program);
  const first = lathe(["run", "job.lathe"], dir);
  expect(first.code, first.out + first.err).toBe(0);
  expect(first.out).toMatch(/retrain "penguin-species" every week or when accuracy < 0.85: .*recorded in/);
  return dir;
}

const champion = (dir: string) => JSON.parse(lathe(["models", "show", "penguin-species", "--json"], dir).out).find((v: { champion: boolean }) => v.champion)?.version;

describe("lathe retrain NAME --now", () => {
  it("promotes a challenger that wins, keeps the champion against one that loses or fails an assert, and logs every decision", () => {
    const dir = setup(true);
    const spec = JSON.parse(readFileSync(path.join(dir, ".lathe/retrain/penguin-species.json"), "utf8"));
    expect(spec).toMatchObject({ name: "penguin-species", schedule: { unit: "week", pattern: "0 0 * * 1" }, conditions: [{ key: "accuracy", op: "<", bound: 0.85 }] });

    // Clean labels now: the challenger wins on the new holdout.
    writeData(dir, { noisy: false });
    const win = lathe(["retrain", "penguin-species", "--now"], dir);
    expect(win.code, win.out + win.err).toBe(0);
    expect(win.out).toMatch(/promote "penguin-species": deferred to the retrain decision/);
    const won = /decision: promoted version 2 \(champion was version 1\): .*accuracy on test: challenger (0\.\d+), champion (0\.\d+) \(higher is better\)/.exec(win.out);
    expect(won, win.out).not.toBeNull();
    expect(Number(won![1])).toBeGreaterThan(Number(won![2]));
    expect(champion(dir)).toBe(2);

    // Scrambled again: the challenger is worse, registered as version 3, not promoted.
    writeData(dir, { noisy: true });
    const lose = lathe(["retrain", "penguin-species", "--now"], dir);
    expect(lose.code, lose.out + lose.err).toBe(0);
    const lost = /decision: kept version 2 \(challenger version 3 registered, not promoted\): the challenger is not better: accuracy on test: challenger (0\.\d+), champion (0\.\d+)/.exec(lose.out);
    expect(lost, lose.out).not.toBeNull();
    expect(Number(lost![1])).toBeLessThan(Number(lost![2]));
    expect(champion(dir)).toBe(2);

    // Clean training data (a better model) but the checked rows are wrong: the assert fails, nothing is registered or promoted, exit 3.
    writeData(dir, { noisy: false, badChecks: true });
    const gated = lathe(["retrain", "penguin-species", "--now"], dir);
    expect(gated.code, gated.out + gated.err).toBe(3);
    expect(gated.out).toMatch(/decision: kept version 2: an assert of the retrain's run failed \(species on checks: accuracy = 0(\.\d+)?, required >= 0.3\)/);
    expect(champion(dir)).toBe(2);
    expect(JSON.parse(lathe(["models", "show", "penguin-species", "--json"], dir).out)).toHaveLength(3);

    const history = lathe(["models", "history", "penguin-species"], dir);
    expect(history.code).toBe(0);
    expect(history.out).toMatch(/retrain 1 \(started [^)]*trigger: lathe retrain --now, run \S+\): promoted version 2/);
    expect(history.out).toMatch(/retrain 2 .*: kept version 2 \(challenger version 3 registered, not promoted\): the challenger is not better/);
    expect(history.out).toMatch(/retrain 3 .*: kept version 2: an assert of the retrain's run failed/);
    expect(history.out).toMatch(/promote\s+2 \(was 1\)\s+champion\s+\S+\s+retrain 1 \(lathe retrain --now\): the challenger is better and every assert passed/);
    const json = JSON.parse(lathe(["models", "history", "penguin-species", "--json"], dir).out);
    expect(json.retrains.map((r: { decision: { outcome: string } }) => r.decision.outcome)).toEqual(["promoted", "kept", "kept"]);
    expect(json.retrains[0].decision).toMatchObject({ metric: "accuracy", data: "test", higherIsBetter: true, champion: { version: 1 }, challenger: { version: 2 } });

    expect(lathe(["retrain", "nope", "--now"], dir).code).toBe(2);
    expect(lathe(["retrain", "penguin-species"], dir).code).toBe(2);
  }, 240_000);

  it("two retrains at once: the second does not start while the first holds the lock", async () => {
    const dir = setup(true);
    writeData(dir, { noisy: false });
    // The first one pauses 8 s holding the lock (as a long training would).
    const a = start(["retrain", "penguin-species", "--now"], dir, { LATHE_FAULTS: "pause-at=retrain-claimed:8000" });
    await a.until(/retrain 1 of "penguin-species"/);
    const b = lathe(["retrain", "penguin-species", "--now"], dir);
    expect(b.code, b.out + b.err).toBe(0);
    expect(b.out).toMatch(/a retrain of "penguin-species" is already running \(retrain 1, pid \d+/);
    const { code } = await a.exited;
    expect(code, a.out() + a.err()).toBe(0);
    expect(a.out()).toMatch(/decision: promoted version 2 \(champion was version 1\)/);
    const json = JSON.parse(lathe(["models", "history", "penguin-species", "--json"], dir).out);
    expect(json.retrains).toHaveLength(1);
  }, 240_000);

  it("kill -9 just before the promotion leaves the champion unchanged; the dead process's lock does not block the next retrain", () => {
    const dir = setup(true);
    writeData(dir, { noisy: false });
    const crashed = lathe(["retrain", "penguin-species", "--now"], dir, { LATHE_FAULTS: "crash-at=retrain-before-promote" });
    expect(crashed.code).toBeNull(); // killed by SIGKILL
    expect(champion(dir)).toBe(1);
    const history = lathe(["models", "history", "penguin-species"], dir).out;
    expect(history).toMatch(/retrain 1 .*crashed: its process \(pid \d+\) died before deciding; the champion was not changed by it/);
    // Its run had registered the challenger (version 2) before the crash: registered, not champion.
    expect(JSON.parse(lathe(["models", "show", "penguin-species", "--json"], dir).out).map((v: { version: number; champion: boolean }) => [v.version, v.champion])).toEqual([[1, true], [2, false]]);
    const again = lathe(["retrain", "penguin-species", "--now"], dir);
    expect(again.code, again.out + again.err).toBe(0);
    expect(again.out).toMatch(/retrain 2 of "penguin-species"/);
    expect(again.out).toMatch(/decision: promoted version 3 \(champion was version 1\)/);
  }, 240_000);
});

describe("lathe watch", () => {
  it("retrains when a monitor result meets a condition, and stops cleanly on SIGTERM mid-retrain (exit 0, champion unchanged)", async () => {
    const dir = setup(true);
    writeData(dir, { noisy: false });
    storeMonitorResult(path.join(dir, ".lathe"), "penguin-species", new Date().toISOString(), { accuracy: 0.5 });
    // The retrain holds still once claimed, so the signal lands mid-retrain however fast its run is.
    const w = start(["watch", "--poll", "200ms"], dir, { LATHE_FAULTS: "pause-at=retrain-claimed:1500" });
    await w.until(/retrain 1 of "penguin-species" \(accuracy < 0.85 \(accuracy = 0.5\)\)/);
    w.child.kill("SIGTERM");
    const { code } = await w.exited;
    expect(code, w.out() + w.err()).toBe(0);
    expect(w.out()).toMatch(/stopping \(SIGTERM\)/);
    expect(champion(dir)).toBe(1);
    const json = JSON.parse(lathe(["models", "history", "penguin-species", "--json"], dir).out);
    expect(json.retrains).toHaveLength(1);
    expect(json.retrains[0]).toMatchObject({ status: "decided", trigger: { kind: "condition" }, decision: { outcome: "failed", reason: "interrupted before a decision; the champion is unchanged" } });
  }, 240_000);
});
