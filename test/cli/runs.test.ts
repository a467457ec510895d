import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import { latheSync as lathe, tempDir } from "../helpers.js";

/**
 * The CLI's `main` in this process, in `cwd`, its output captured: the many read-only commands
 * here cost a DuckDB open each instead of a Node start and module load each (real processes run
 * the programs, and the store discovery from a process's working directory).
 */
async function cli(args: string[], cwd = project): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [stdout, stderr, before] = [process.stdout.write, process.stderr.write, process.cwd()];
  process.stdout.write = ((s: string | Uint8Array) => out.push(String(s)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => err.push(String(s)) > 0) as typeof process.stderr.write;
  process.chdir(cwd);
  try {
    const code = await main(["node", "lathe", ...args]);
    return { code, out: out.join(""), err: err.join("") };
  } finally {
    process.chdir(before);
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    process.exitCode = undefined;
  }
}

// One project (a git repository) with two programs, run once each in beforeAll: `train.lathe`
// (a neural network, tuned, registered) as "baseline", and `other.lathe` (a logistic regression)
// after an uncommitted change. Every case reads those two runs.
const data = `source d = sql "select (i % 7)::double as x, ((i * 13) % 11)::double as z, case when (i % 7) + ((i * 13) % 11) > 8 then 'hi' else 'lo' end as y from range(200) t(i)"`;
const train = `param seed = 1
${data}
split d into train 60%, validation 20%, test 20% seed seed
model net = neural_network predicting y from train { features: x, z; layers: [4]; epochs: 8 }
tune net over { learning_rate: [0.01, 0.05] } by accuracy on validation
evaluate net on test metrics accuracy, f1
register net as "demo"
`;
const other = `param seed = 1
${data}
split d into train 70%, test 30% seed seed
model lin = logistic_regression predicting y from train { features: x, z }
evaluate lin on test metrics accuracy
`;

const project = tempDir("lathe-runs-");
const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: project, encoding: "utf8" }).trim();
const runId = (out: string) => /run (\d{8}-\d{6}-[0-9a-f]{6}) recorded/.exec(out)![1];
const json = async (args: string[], cwd = project) => {
  const r = await cli(args, cwd);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out);
};
let a: string;
let b: string;
let commit: string;

beforeAll(() => {
  writeFileSync(path.join(project, "train.lathe"), train);
  writeFileSync(path.join(project, "other.lathe"), other);
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("commit", "-qm", "programs");
  commit = git("rev-parse", "HEAD");
  const first = lathe(["run", "train.lathe", "--name", "baseline", "--tag", "team=x", "--tag", "stage=try"], project);
  expect(first.code, first.err).toBe(0);
  a = runId(first.out);
  appendFileSync(path.join(project, "other.lathe"), "# changed, not committed\n");
  const second = lathe(["run", "other.lathe", "--param", "seed=7", "--tag", "team=y"], project);
  expect(second.code, second.err).toBe(0);
  b = runId(second.out);
}, 180_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("a run's record", () => {
  it("holds its name, tags, git commit and dirty state, user and host; --json is nested JSON, plan included", async () => {
    const ra = await json(["runs", "show", a, "--json"]);
    expect(ra).toMatchObject({ id: a, name: "baseline", tags: { team: "x", stage: "try" }, git: { commit, branch: "main", dirty: false }, host: hostname(), params: { seed: 1 } });
    expect(typeof ra.user).toBe("string");
    for (const field of ["params", "versions", "data", "plan"]) expect(typeof ra[field], field).toBe("object");
    expect(ra.plan.steps.map((s: { op: string }) => s.op)).toContain("tune");
    // The store itself is untracked in the repository: it does not make the tree dirty; an edited program does.
    expect((await json(["runs", "show", b, "--json"])).git).toEqual({ commit, branch: "main", dirty: true });
  });

  it("records each tune trial as a child run with its params and score, and the loss curves as metric series", async () => {
    const ra = await json(["runs", "show", a, "--json"]);
    expect(ra.children.map((c: { id: string; params: unknown; metrics: { data: string; metric: string }[] }) => [c.id, c.params, c.metrics.map((m) => `${m.data}.${m.metric}`)])).toEqual([
      [`${a}/1`, { learning_rate: 0.01 }, ["validation.accuracy"]],
      [`${a}/2`, { learning_rate: 0.05 }, ["validation.accuracy"]],
    ]);
    const curves = ra.series.map((s: { model: string; data: string; metric: string; unit: string; steps: number[]; values: number[] }) => [s.model, s.data, s.metric, s.unit, s.steps.length === s.values.length && s.values.length > 0]);
    expect(curves).toEqual([
      ["net", "train", "loss", "epoch", true],
      ["net", "validation", "loss", "epoch", true],
    ]);
    const text = (await cli(["runs", "show", a], project)).out;
    expect(text).toMatch(/^run \S+ "baseline"  succeeded/);
    expect(text).toContain(`git ${commit.slice(0, 12)} on main`);
    expect(text).toMatch(/tags team=x, stage=try/);
    expect(text).toMatch(/2 trials of tune net by accuracy on validation/);
    expect(text).toMatch(new RegExp(`${a}/2\\s+2\\s+0\\.05\\s+[01]\\.?\\d*`));
    expect(text).toMatch(/net loss on validation: \d+ epochs, [\d.]+ → [\d.]+ \(lowest/);
    const child = await cli(["runs", "show", `${a.slice(0, 18)}/2`], project);
    expect(child.code).toBe(0);
    expect(child.out).toMatch(new RegExp(`trial 2 of tune net by accuracy on validation, a child run of run ${a}`));
    expect(child.out).toMatch(/params seed: 1, learning_rate: 0.05/);
    expect(await cli(["runs", "show", `${a}/9`], project)).toMatchObject({ code: 2, err: `lathe: no run ${a}/9\n` });
    expect(await cli(["reproduce", `${a}/1`], project)).toMatchObject({ code: 2, err: expect.stringMatching(/is trial 1 of tune net .* not a run of its own: reproduce run/) });
  });
});

describe("lathe runs list", () => {
  const ids = async (args: string[]) => (await json(["runs", "list", "--json", ...args])).map((r: { id: string }) => r.id);

  it("filters by program, status, time, name, tag and metric bounds; --children adds the trials after their run", async () => {
    expect(await ids([])).toEqual([b, a]);
    expect(await ids(["--program", "other.lathe"])).toEqual([b]);
    expect(await ids(["--program", path.join(project, "train.lathe")])).toEqual([a]);
    expect(await ids(["--status", "failed,crashed"])).toEqual([]);
    expect(await ids(["--status", "succeeded", "--since", "1h"])).toEqual([b, a]);
    expect(await ids(["--since", "2999-01-01"])).toEqual([]);
    expect(await ids(["--name", "baseline"])).toEqual([a]);
    expect(await ids(["--tag", "team=y"])).toEqual([b]);
    expect(await ids(["--tag", "stage"])).toEqual([a]);
    expect(await ids(["--where", "lin.test.accuracy >= 0", "--where", "accuracy<=1"])).toEqual([b]);
    expect(await ids(["--where", "accuracy>1"])).toEqual([]);
    expect(await ids(["--children", "--name", "baseline"])).toEqual([a, `${a}/1`, `${a}/2`]);
    const [row] = await json(["runs", "list", "--json", "--name", "baseline"]);
    expect(row).toMatchObject({ name: "baseline", tags: { team: "x" }, params: { seed: 1 }, git: { commit }, children: 2 });
    expect(row.programText).toBeUndefined();
  });

  it("shows names, commits and tags in the table; a filter that matches nothing says so; bad filters are usage errors", async () => {
    const table = (await cli(["runs", "list", "--children"], project)).out;
    expect(table).toMatch(new RegExp(`^${a}\\s+baseline\\s+\\S+\\s+succeeded\\s+\\S+train\\.lathe\\s+1\\s+\\S+\\s+${commit.slice(0, 10)}\\s+team=x, stage=try$`, "m"));
    expect(table).toMatch(new RegExp(`^  ${a}/1\\s+trial 1: learning_rate=0.01`, "m"));
    expect(table).toMatch(new RegExp(`${commit.slice(0, 10)} \\(dirty\\)\\s+team=y$`, "m"));
    expect(await cli(["runs", "list", "--where", "f1>2"], project)).toMatchObject({ code: 0, out: "no recorded run matches\n" });
    expect(await cli(["runs", "list", "--where", "accuracy>>1"], project)).toMatchObject({ code: 2, err: expect.stringMatching(/--where takes METRIC OP NUMBER/) });
    expect(await cli(["runs", "list", "--status", "done"], project)).toMatchObject({ code: 2, err: expect.stringMatching(/--status takes running, succeeded/) });
    expect(await cli(["runs", "list", "--since", "yesterday"], project)).toMatchObject({ code: 2, err: expect.stringMatching(/--since takes a time/) });
    expect(await cli(["run", "other.lathe", "--tag", "oops"], project)).toMatchObject({ code: 2, err: expect.stringMatching(/--tag takes key=value/) });
  });
});

describe("lathe runs compare", () => {
  it("puts every metric, param and tag side by side, differences marked; --json; --chart writes SVG and PNG", async () => {
    const r = await cli(["runs", "compare", a, b], project);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`A = run ${a} "baseline" (succeeded`);
    expect(r.out).toMatch(/^param seed\s+1\s+7\s+\*$/m);
    expect(r.out).toMatch(/^tag team\s+x\s+y\s+\*$/m);
    expect(r.out).toMatch(/^net\.test\.f1\s+[\d.]+\s+-\s+\*$/m);
    expect(r.out).toMatch(/^lin\.test\.accuracy\s+-\s+[\d.]+\s+\*$/m);
    const c = await json(["runs", "compare", a, `${a}/1`, `${a}/2`, "--json"]);
    expect(c.runs.map((x: { label: string; id: string }) => [x.label, x.id])).toEqual([["A", a], ["B", `${a}/1`], ["C", `${a}/2`]]);
    expect(c.params).toEqual(["seed", "learning_rate"]);
    expect(c.differing.params).toEqual(["learning_rate"]);
    expect(c.runs[1].metrics).toEqual({ "net.validation.accuracy": expect.any(Number) });

    const svg = path.join(project, "charts", "accuracy.svg");
    expect((await cli(["runs", "compare", a, b, "--chart", "accuracy", "--out", svg], project)).out).toContain(`chart of accuracy across 2 runs written to ${svg}`);
    expect(readFileSync(svg, "utf8")).toMatch(/^<svg[\s\S]*A baseline[\s\S]*<\/svg>$/);
    const png = path.join(project, "charts", "loss.png");
    expect((await cli(["runs", "compare", a, b, "--chart", "loss", "--out", png], project)).code).toBe(0);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
    await json(["runs", "compare", a, b, "--chart", "loss", "--out", path.join(project, "charts", "loss.json"), "--json"]);
    const spec = JSON.parse(readFileSync(path.join(project, "charts", "loss.json"), "utf8"));
    // A line per run and curve: the network's training and validation loss, the regression's training loss.
    expect(new Set(spec.data.values.map((p: { run: string; key: string }) => `${p.run} ${p.key}`))).toEqual(new Set(["A baseline net.train.loss", "A baseline net.validation.loss", `B ${b} lin.train.loss`]));

    expect(await cli(["runs", "compare", a, b, "--chart", "auc", "--out", svg], project)).toMatchObject({ code: 2, err: expect.stringMatching(/^lathe: error\[unknown-metric\]: none of these runs recorded a metric "auc"; they have net\.test\.accuracy/) });
    expect(await cli(["runs", "compare", a, b, "--chart", "f1"], project)).toMatchObject({ code: 2, err: expect.stringMatching(/--chart needs --out FILE/) });
    expect(await cli(["runs", "compare", a, "nope"], project)).toMatchObject({ code: 2, err: "lathe: no run nope\n" });
  });
});

describe("one store per project, found like git's", () => {
  it("a command in a subfolder (a notebooks/ folder) uses the project's store; read-only commands in an empty folder create none", async () => {
    mkdirSync(path.join(project, "notebooks"), { recursive: true });
    // A process of its own, started in the subfolder.
    const sub = lathe(["runs", "list", "--json"], path.join(project, "notebooks"));
    expect(JSON.parse(sub.out).map((r: { id: string }) => r.id)).toEqual([b, a]);
    const empty = tempDir("lathe-runs-empty-");
    try {
      const none = { code: 0, out: expect.stringMatching(/^no runs recorded yet \(no run store: no \.lathe\/ here or in a folder above; `lathe run` creates .*\.lathe\)\n$/) };
      expect(lathe(["runs", "list"], empty)).toMatchObject(none);
      expect(await cli(["runs", "list", "--json"], empty)).toMatchObject({ code: 0, out: "[]\n" });
      expect(await cli(["models", "list"], empty)).toMatchObject({ code: 0, out: expect.stringMatching(/^no models registered yet \(no run store/) });
      expect(await cli(["gc"], empty)).toMatchObject({ code: 0, out: expect.stringMatching(/^nothing to collect \(no run store/) });
      for (const args of [["runs", "show", "x"], ["runs", "compare", "x", "y"], ["runs", "delete", "x"], ["runs", "diff", "x", "y"]]) expect(await cli(args, empty), args.join(" ")).toMatchObject({ code: 2, err: expect.stringMatching(/^lathe: no run x: no run store/) });
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("lathe runs delete and lathe gc", () => {
  it("refuses a run whose registered version is still in the registry unless --force; gc then keeps what the registry and the remaining runs reference", async () => {
    const artifacts = async (id: string) => ((await json(["runs", "show", id, "--json"])).artifacts as { name: string; path: string }[]).map((x) => x.path);
    const [aFiles, bFiles] = [await artifacts(a), await artifacts(b)];
    const version = (await json(["models", "show", "demo", "--json"]))[0] as { runId: string; artifact: string };
    expect(version.runId).toBe(a);

    const refused = await cli(["runs", "delete", b, a], project);
    expect(refused.code).toBe(4);
    expect(refused.err).toMatch(new RegExp(`^lathe: error\\[run-referenced\\]: run ${a} registered "demo" version 1, still in the registry; .*--force deletes it anyway`));
    expect(refused.err).toMatch(/lathe: no run was deleted\n$/);
    expect(existsSync(path.join(project, ".lathe", "runs", `${b}.jsonl`))).toBe(true);

    expect(await cli(["runs", "delete", `${a}/1`], project)).toMatchObject({ code: 2, err: expect.stringMatching(/is a trial \(a child run\) of run .*: trials go with their run/) });
    expect(await cli(["runs", "delete", b.slice(0, 20)], project)).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`^deleted 1 run: ${b}\n`)) });
    expect((await json(["runs", "list", "--json"])).map((r: { id: string }) => r.id)).toEqual([a]);
    const gc = await cli(["gc"], project);
    expect(gc.out).toMatch(new RegExp(`removed 0 temp files and ${bFiles.filter((f) => !aFiles.includes(f)).length} unreferenced artifacts?`));
    for (const f of bFiles) expect(existsSync(f), f).toBe(aFiles.includes(f));
    for (const f of aFiles) expect(existsSync(f), f).toBe(true);

    expect(await cli(["runs", "delete", a, "--force"], project)).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`^deleted 1 run \\(with 2 trials\\): ${a}\n`)) });
    expect((await cli(["runs", "list", "--children"], project)).out).toBe("no runs recorded yet\n");
    await cli(["gc"], project);
    // The registered version's model file stays; so does the version, flagged as coming from a run no longer in the store.
    for (const f of aFiles) expect(existsSync(f), f).toBe(f === version.artifact);
    expect(existsSync(version.artifact)).toBe(true);
    expect((await cli(["models", "show", "demo"], project)).out).toMatch(/version 1 was registered by run \S+, which is not in this store/);
  });
});

describe("runs recorded before names, tags and child runs", () => {
  it("list, show and compare read them: no name, no tags, no children", async () => {
    const store = tempDir("lathe-runs-old-");
    try {
      mkdirSync(path.join(store, "runs"));
      const begin = (id: string, accuracy: number) =>
        [
          { type: "begin", format: 1, run: { id, startedAt: `2025-01-0${id.slice(-1)}T00:00:00.000Z`, programPath: "/old/job.lathe", programText: "", programSha: "0".repeat(64), params: { seed: 1 }, seed: 1, versions: { node: "v20" }, data: {} }, plan: { steps: [] }, owner: { pid: 0, host: "" } },
          { type: "end", status: "succeeded", finishedAt: "2025-01-01T00:00:01.000Z", metrics: [{ model: "m", data: "test", metric: "accuracy", value: accuracy }] },
        ].map((l) => JSON.stringify(l) + "\n").join("");
      writeFileSync(path.join(store, "runs", "20250101-000000-aaaaa1.jsonl"), begin("20250101-000000-aaaaa1", 0.5));
      writeFileSync(path.join(store, "runs", "20250102-000000-aaaaa2.jsonl"), begin("20250102-000000-aaaaa2", 0.75));
      const list = await cli(["runs", "list", "--store", store], project);
      expect(list.out.split("\n")[0]).toMatch(/^id\s+started_at\s+status\s+program_path\s+seed\s+backend$/);
      expect((await json(["runs", "list", "--store", store, "--where", "accuracy>0.6", "--json"])).map((r: { id: string; tags: object }) => [r.id, r.tags])).toEqual([["20250102-000000-aaaaa2", {}]]);
      expect(await json(["runs", "show", "20250101", "--store", store, "--json"])).toMatchObject({ params: { seed: 1 }, plan: { steps: [] }, children: [], series: [] });
      expect((await cli(["runs", "compare", "20250101", "20250102", "--store", store], project)).out).toMatch(/^m\.test\.accuracy\s+0\.5\s+0\.75\s+\*$/m);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });
});
