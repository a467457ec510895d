import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "../../language/index.js";
import { renderBundle } from "../../runtime/charts/render-bundle.js";
import { pendingStatementKinds } from "../../runtime/ops/index.js";
import { registeredStore } from "../runtime/serve/fixture.js";
import { repo, tempDir } from "../helpers.js";

// Recorded runs here draw on the chart thread whatever the machine's load (by default it starts only
// with a core to spare), so the thread's path is the one these tests hold to the in-process bytes.
process.env.LATHE_CHART_THREAD = "on";

// The CLI as a user runs it: the compiled bin (npm test builds dist/ first), in a scratch folder.
function lathe(args: string[], cwd = tempDir()) {
  const r = spawnSync(process.execPath, [path.join(repo, "bin/lathe.js"), ...args], { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, cwd };
}

describe("lathe run", () => {
  it("runs the penguins example: progress per stage, metrics, where things were written, exit 0", async () => {
    const r = lathe(["run", path.join(repo, "examples/penguins.lathe")]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\[1\/6\] collect penguins: 344 rows/);
    expect(r.out).toMatch(/\[3\/6\] split clean into train, validation, test: train \d+, validation \d+, test \d+/);
    // Linear models train on Lathe's own L-BFGS: no TensorFlow.js engine to name.
    expect(r.out).toMatch(/\[4\/6\] train species \(logistic_regression\): 241 rows, 8 features, 3 classes \(\d+ ms\)/);
    const acc = Number(/accuracy\s+([\d.]+)/.exec(r.out)?.[1]);
    expect(acc).toBeGreaterThanOrEqual(0.95);
    expect(r.out).toMatch(/\.lathe\/artifacts\/[0-9a-f]{64}\.svg/);
    expect(r.out).toMatch(/run \d{8}-\d{6}-[0-9a-f]{6} recorded in \.lathe\/runs \(artifacts in \.lathe\/artifacts\)/);
    const list = lathe(["runs", "list"], r.cwd);
    expect(list.code).toBe(0);
    expect(list.out).toContain("succeeded");
    // The chart was drawn on the run's chart thread: the same bytes as drawing its recorded spec here.
    const artifact = (ext: string) => readFileSync(path.join(r.cwd, new RegExp(`\\.lathe/artifacts/[0-9a-f]{64}\\.${ext}`).exec(r.out)![0]));
    const here = await renderBundle(JSON.parse(artifact("vl\\.json").toString("utf8")));
    expect(artifact("svg").toString("utf8")).toBe(here["image/svg+xml"]);
    expect(artifact("png").toString("base64")).toBe(here["image/png"]);
  });

  it("a run that would draw a chart and fails before it ends at once, with its coded error", () => {
    const dir = tempDir();
    const plot = "plot confusion of m on d\n";
    // A checker error (the chart thread started ahead, from the program's text, is closed unused) and a step that fails while it loads Vega.
    writeFileSync(path.join(dir, "check.lathe"), `source d = sql "select 1.0 as x, 'a' as y"\nmodel m = decision_tree predicting nope from d { features: x }\n${plot}`);
    writeFileSync(path.join(dir, "step.lathe"), `source d = sql "select case when i = 3 then null else i::double end as x, (i % 2)::varchar as y from range(40) t(i)"\nmodel m = logistic_regression predicting y from d {\n  features: x\n}\n${plot}`);
    const checked = lathe(["run", "check.lathe"], dir);
    expect(checked.code).toBe(1);
    expect(checked.err).toContain("check.lathe:2:");
    const failed = lathe(["run", "step.lathe"], dir);
    expect(failed.code).toBe(4);
    expect(failed.err).toMatch(/step\.lathe:2:1: error\[[a-z-]+\]: feature `x` has 1 missing values in `d`/);
    for (const r of [checked, failed]) expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("SIGTERM while the chart thread loads: the run is recorded as interrupted and the process exits (143)", async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [path.join(repo, "bin/lathe.js"), "run", path.join(repo, "examples/penguins.lathe")], { cwd: dir });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes("[1/6]")) child.kill("SIGTERM");
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(143);
    const list = lathe(["runs", "list"], dir);
    expect(list.out).toContain("interrupted");
  });

  it("is a one-shot run: a source only a prepare reads is read from its file, never a table; the saved file holds the prepared rows", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "d.csv"), "k,v\n1,a\n1,a\n2,b\n");
    writeFileSync(path.join(dir, "job.lathe"), `source d = read "d.csv"\nprepare p = d { drop duplicates\n onehot v }\nsave p to "p.csv"\n`);
    const r = lathe(["run", "--no-record", "job.lathe"], dir);
    expect(r.err).toBe("");
    expect(r.out).toContain("[1/3] collect d: 2 columns; read from its file by the steps that use it");
    expect(r.out).toMatch(/\[2\/3\] prepare p: 2 rows, 4 columns/);
    expect(readFileSync(path.join(dir, "p.csv"), "utf8")).toBe("k,v_a,v_b,v__other\n1,1.0,0.0,0.0\n2,0.0,1.0,0.0\n");
  });

  it("--no-record: a plot no file keeps is not drawn; the terminal shows its numbers and how to keep it", () => {
    const r = lathe(["run", "--no-record", path.join(repo, "examples/penguins.lathe")]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\[6\/6\] plot confusion of species on test: Confusion matrix: species on test/);
    expect(r.out).toMatch(/actual \\ predicted\s+Adelie\s+Chinstrap\s+Gentoo\n.*\n\s+Adelie\s+\d+/);
    expect(r.out).toContain('not saved: the run is not recorded (--no-record) and the plot names no file; `plot ... to "chart.svg"`');
    expect(r.out).not.toContain(".svg,");
    expect(readdirSync(r.cwd)).toEqual([]);
  });

  it("a missing program file is a usage error (exit 2) saying why", () => {
    const r = lathe(["run", "does-not-exist.lathe"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("lathe: error[file-not-found]: cannot read does-not-exist.lathe: no such file\n");
  });

  it("fails with file:line:col and a caret for a missing data file", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "job.lathe"), 'source d = read "missing.csv"\nshow d\n');
    const r = lathe(["run", "job.lathe"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("job.lathe:1:17: error[file-not-found]: file not found: missing.csv");
    expect(r.err).toContain("^^^^^^^^^^^^^");
  });

  it("a failure inside a step is a coded diagnostic at its statement, exit 4, no stack trace", () => {
    const dir = tempDir();
    // Missing feature values pass the checker (it knows types, not values); a linear learner's training refuses them.
    writeFileSync(path.join(dir, "job.lathe"), `source d = sql "select case when i = 3 then null else i::double end as x, (i % 2)::varchar as y from range(40) t(i)"\nmodel m = logistic_regression predicting y from d {\n  features: x\n}\n`);
    const r = lathe(["run", "job.lathe", "--no-record"], dir);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/job\.lathe:2:1: error\[[a-z-]+\]: feature `x` has 1 missing values in `d`/);
    expect(r.err).toContain("2 | model m = logistic_regression");
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.out).toContain("[2/2] train m (logistic_regression): failed");
  });

  it("quotes every dataset name in SQL: a dataset called `group` trains and evaluates", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "job.lathe"), `source d = sql "select i::double as x, (i % 2)::varchar as label from range(40) t(i)"\nprepare group = d { derive y = x * 2 }\nmodel m = decision_tree predicting label from group { features: x, y }\nevaluate m on group\n`);
    const r = lathe(["run", "job.lathe", "--no-record"], dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
  });
});

describe("lathe --version", () => {
  it("prints the package's version, exit 0", () => {
    const version = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")).version;
    for (const flag of ["--version", "-V"]) expect(lathe([flag])).toMatchObject({ code: 0, out: `${version}\n`, err: "" });
    // After a command, --version is that command's (serve, predict, replay: a model version), never Lathe's.
    expect(lathe(["fmt", "--version", "x.lathe"])).toMatchObject({ code: 2, out: "", err: expect.stringContaining("unknown option '--version'") });
  });
});

describe("lathe check", () => {
  it("reports every error and exits 1; --json gives the diagnostics", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "bad.lathe"), 'sorce a = read "x.csv"\nsplit b into train 50%, test 40%\n');
    const r = lathe(["check", "bad.lathe"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("bad.lathe:1:1: error[syntax-error]");
    expect(r.err).toContain("did you mean `source`");
    const j = lathe(["check", "--json", "bad.lathe"], dir);
    expect(j.code).toBe(1);
    const parsed = JSON.parse(j.out) as { diagnostics: { code: string }[] };
    expect(parsed.diagnostics.length).toBeGreaterThanOrEqual(2);
  });

  it("passes the examples", () => {
    const r = lathe(["check", path.join(repo, "examples/penguins.lathe")]);
    expect(r.code).toBe(0);
  });
});

describe("the run store: --store, else $LATHE_STORE, else .lathe", () => {
  const withStore = (args: string[], store: string | undefined, cwd = tempDir()) => {
    const r = spawnSync(process.execPath, [path.join(repo, "bin/lathe.js"), ...args], { cwd, encoding: "utf8", timeout: 120_000, env: { ...process.env, LATHE_STORE: store ?? "" } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("a command without --store uses $LATHE_STORE; --store wins over it; an empty $LATHE_STORE is .lathe", async () => {
    const root = await registeredStore();
    const fromEnv = withStore(["models", "list"], root);
    expect(fromEnv.code, fromEnv.err).toBe(0);
    expect(fromEnv.out).toMatch(/penguins/);
    const flag = withStore(["models", "list", "--store", tempDir()], root);
    expect([flag.code, flag.out]).toEqual([0, "no models registered yet\n"]);
    // With neither, the folder's own .lathe: a run recorded there, nothing in $LATHE_STORE's.
    const cwd = tempDir();
    expect(withStore(["run", path.join(repo, "examples/penguins.lathe")], "", cwd).code).toBe(0);
    expect(withStore(["runs", "list"], "", cwd).out).toMatch(/penguins\.lathe/);
    expect(withStore(["runs", "list"], root, cwd).out).not.toMatch(/penguins\.lathe/);
  }, 240_000);
});

describe("the examples", () => {
  // One folder for all, in name order, as a user runs them: penguins-monitor.lathe watches the model penguins-deploy.lathe registers.
  const folder = tempDir();
  // `lathe check` passing is not enough: an example whose assert gate fails (exit 3) teaches the wrong thing.
  for (const file of readdirSync(path.join(repo, "examples")).filter((f) => /^[^.].*\.lathe$/.test(f)).sort()) {
    const text = readFileSync(path.join(repo, "examples", file), "utf8");
    // An example using a statement the runtime cannot execute yet must say so and do nothing, not exit 0:
    // once the statement's op lands, the example is held to exit 0 like the others.
    const pending = pendingStatementKinds().filter((k) => parse(text).program.statements.some((s) => s.kind === k));
    it(pending.length ? `${file} is refused with not-implemented (${pending.join(", ")})` : `${file} runs to exit 0`, () => {
      const r = lathe(["run", path.join(repo, "examples", file)], folder);
      if (pending.length) {
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/error\[not-implemented\]/);
        expect(r.out).not.toMatch(/\[1\//);
        return;
      }
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
    });
  }
});
