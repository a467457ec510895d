import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { dataset, latheSync, repo, tempDir } from "../helpers.js";
import { junitStructure } from "./junit-structure.js";

// A project as a user has it once `npm ci` installed Lathe: the program in examples/, lathe in
// node_modules/.bin. `npx lathe` resolves to that bin; a small `npx` first on PATH does only that
// (the real npx would too, after a few seconds of npm start-up per call).
const program = `source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins { drop rows where "Body Mass (g)" is missing }
split clean into train 70%, test 30% stratify by Species seed 7
model species = decision_tree predicting Species from train { features: "Body Mass (g)", "Flipper Length (mm)", "Beak Length (mm)"; max_depth: 4 }
assert species on test: accuracy >= 0.8 and f1 >= 0.8
register species as "birds"
promote "birds" to staging
`;

let project: string;
let shims: string;
const lathe = (...args: string[]) => latheSync(args, project);

beforeAll(() => {
  project = tempDir();
  mkdirSync(path.join(project, "examples"));
  writeFileSync(path.join(project, "examples", "job.lathe"), program);
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "ci-project", private: true }));
  mkdirSync(path.join(project, "node_modules", ".bin"), { recursive: true });
  symlinkSync(path.join(repo, "bin", "lathe.js"), path.join(project, "node_modules", ".bin", "lathe"));
  shims = path.join(project, "shims");
  mkdirSync(shims);
  writeFileSync(path.join(shims, "npx"), '#!/bin/sh\ncmd="$1"; shift\nexec "$PWD/node_modules/.bin/$cmd" "$@"\n');
  chmodSync(path.join(shims, "npx"), 0o755);
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** Runs a pipeline's shell text in the project as the CI would (bash, stop at the first failure). */
function sh(script: string, env: Record<string, string>) {
  const r = spawnSync("bash", ["-e", "-c", script], { cwd: project, encoding: "utf8", timeout: 300_000, env: { ...process.env, ...env, PATH: `${shims}:${process.env.PATH}` } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const registered = () => JSON.parse(lathe("models", "show", "birds", "--json").out || "[]") as { version: number; runId: string; aliases: string[] }[];

describe("lathe ci init", () => {
  it("github: writes a workflow that installs, checks, runs with a JUnit report, reproduces and promotes on main; refuses to overwrite without --force", () => {
    const w = lathe("ci", "init", "github");
    expect(w.code, w.err).toBe(0);
    expect(w.out).toMatch(/wrote \.github\/workflows\/lathe\.yml: .* on main promote "birds" to production/);
    const file = path.join(project, ".github/workflows/lathe.yml");
    const workflow = parse(readFileSync(file, "utf8"));
    expect(Object.keys(workflow.on)).toEqual(["push", "pull_request"]);
    expect(workflow.on.push.branches).toEqual(["main"]);
    const job = workflow.jobs.lathe;
    expect(job.env).toEqual({ LATHE_PROGRAM: "examples/job.lathe", LATHE_MAIN: "${{ github.ref == 'refs/heads/main' }}" });
    const steps = job.steps as { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> }[];
    expect(steps.map((s) => s.name ?? s.uses)).toEqual(["actions/checkout@v4", "actions/setup-node@v4", "Install", "Check", "Run (its asserts gate the job)", "Publish the JUnit report", "Show the gates as tests", "Reproduce the run", "Promote (main only)"]);
    const step = (name: string) => steps.find((s) => s.name === name)!;
    expect(step("Install").run).toBe("npm ci");
    expect(step("Run (its asserts gate the job)").run).toMatch(/npx lathe run "\$LATHE_PROGRAM" --junit lathe-report\.xml --run-id-file lathe-run-id \$registry/);
    expect(step("Publish the JUnit report")).toMatchObject({ if: "always()", uses: "actions/upload-artifact@v4", with: { path: "lathe-report.xml" } });
    expect(step("Show the gates as tests")).toMatchObject({ if: "always()", with: { report_paths: "lathe-report.xml" } });
    expect(step("Promote (main only)")).toMatchObject({ if: "env.LATHE_MAIN == 'true'", run: expect.stringContaining('npx lathe models promote "birds" --run "$(cat lathe-run-id)" --to production') });

    const before = readFileSync(file, "utf8");
    expect(lathe("ci", "init", "github", "--program", "examples/job.lathe", "--to", "live")).toMatchObject({ code: 2, err: expect.stringContaining("exists; not overwriting it (--force replaces it)") });
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(lathe("ci", "init", "github", "--program", "examples/job.lathe", "--to", "live", "--force").code).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/--to live/);
  }, 240_000);

  it("github on main: the workflow's commands pass in sequence, the run's version is promoted, and the JUnit report is valid", () => {
    expect(lathe("ci", "init", "github", "--force").code).toBe(0);
    const job = parse(readFileSync(path.join(project, ".github/workflows/lathe.yml"), "utf8")).jobs.lathe;
    const env = { LATHE_PROGRAM: job.env.LATHE_PROGRAM, LATHE_MAIN: "true", GITHUB_SHA: "0123abc" };
    // Every `run` step but the install (done above), each as its own shell like a step; `if:` evaluated for main.
    for (const s of (job.steps as { name?: string; run?: string; if?: string }[]).filter((x) => x.run && x.name !== "Install")) {
      expect(s.if === undefined || s.if === "env.LATHE_MAIN == 'true'", s.if).toBe(true);
      const r = sh(s.run!, env);
      expect(r.code, `${s.name}\n${r.out}\n${r.err}`).toBe(0);
    }
    const runId = readFileSync(path.join(project, "lathe-run-id"), "utf8").trim();
    expect(registered().map((v) => [v.version, v.runId, v.aliases])).toEqual([[1, runId, ["production", "staging"]]]);
    const history = JSON.parse(lathe("models", "history", "birds", "--json").out).entries;
    expect(history.at(-1)).toMatchObject({ action: "promote", alias: "production", version: 1, reason: `CI: 0123abc passed its asserts and reproduced` });
    const report = junitStructure(path.join(project, "lathe-report.xml"));
    expect(report.problems).toEqual([]);
    expect(report.suites).toEqual([{ name: "examples/job.lathe", tests: 2, failures: 0, errors: 0, cases: ["assert species on test: accuracy >= 0.8", "assert species on test: f1 >= 0.8"] }]);
  }, 240_000);

  it("gitlab on a branch: the script passes in sequence and leaves the registry alone", () => {
    rmSync(path.join(project, ".lathe"), { recursive: true, force: true });
    const w = lathe("ci", "init", "gitlab", "--program", "examples/job.lathe");
    expect(w.code, w.err).toBe(0);
    const pipeline = parse(readFileSync(path.join(project, ".gitlab-ci.yml"), "utf8"));
    const job = pipeline.lathe;
    expect(job.artifacts).toMatchObject({ when: "always", reports: { junit: "lathe-report.xml" } });
    const script = job.script as string[];
    expect(script[0]).toMatch(/^npm ci/);
    expect(script.slice(1).map((l) => /npx lathe (\w+)(?: (\w+))?/.exec(l)?.slice(1).filter(Boolean).join(" "))).toEqual(["check", undefined, "run", "reproduce", "models promote"]);
    // The lines run in one shell, as GitLab runs a job's script; the install is done.
    const r = sh(script.slice(1).join("\n"), { LATHE_PROGRAM: job.variables.LATHE_PROGRAM, CI_COMMIT_BRANCH: "feature-x", CI_COMMIT_SHA: "4567def" });
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/register species as "birds": not run: `register` changes the model registry, which this run leaves alone \(--no-registry\)/);
    expect(r.out).toMatch(/reproduced: run \S+ matches run \S+/);
    const registry = path.join(project, ".lathe", "registry");
    expect(existsSync(registry) ? readdirSync(registry) : []).toEqual([]);
    expect(junitStructure(path.join(project, "lathe-report.xml")).problems).toEqual([]);
  }, 240_000);
});
