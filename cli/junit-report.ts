import { hostname } from "node:os";
import path from "node:path";
import type { RunOutcome } from "../api/session.js";
import { formatDiagnostic } from "../language/diagnostic.js";
import { valueText as fmt, type RunEvent, type StepResult } from "../runtime/results.js";

type StepEnd = Extract<RunEvent, { type: "step-end" }>;

/** One `<testcase>`: where it comes from, how long it took, and how it ended. */
interface TestCase {
  name: string;
  classname: string;
  seconds: number;
  line?: number;
  outcome?: { kind: "failure" | "error" | "skipped"; message: string; type: string; detail?: string };
}

/** What a run left for its report: the outcome, each finished step, when it started and how long it took. */
export interface RunForReport {
  file: string;
  outcome: RunOutcome;
  steps: StepEnd[];
  startedAt: Date;
  ms: number;
  exitCode: number;
}

/**
 * A JUnit XML report of one run (`lathe run --junit FILE`), so CI shows gates as tests: one
 * `<testsuite>` for the program, a `<testcase>` per `assert` condition (a `<failure>` with the
 * observed value and the bound when it does not hold) and per `monitor` rule, one per step that
 * failed (an `<error>` with its code and message), one for program errors (nothing ran). Conditions
 * of steps that never ran are `<skipped>`. The attributes are those the JUnit schema requires
 * (testsuite: name, tests, failures, errors, time, timestamp, hostname; testcase: name, classname,
 * time; failure and error: type, message).
 */
export function junitReport(r: RunForReport): string {
  const program = path.basename(r.file).replace(/\.lathe$/, "");
  const cases = testCases(r, program);
  const count = (k: string) => cases.filter((c) => c.outcome?.kind === k).length;
  const seconds = (r.ms / 1000).toFixed(3);
  const suite = {
    name: r.file,
    tests: cases.length,
    failures: count("failure"),
    errors: count("error"),
    skipped: count("skipped"),
    time: seconds,
    timestamp: r.startedAt.toISOString().slice(0, 19),
    hostname: hostname(),
    id: 0,
    package: "lathe",
  };
  const props = [["program", r.file], ["exit-code", String(r.exitCode)], ...(r.outcome.runId ? [["run", r.outcome.runId]] : [])];
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites${attrs({ name: "lathe", tests: suite.tests, failures: suite.failures, errors: suite.errors, skipped: suite.skipped, time: seconds })}>`,
    `  <testsuite${attrs(suite)}>`,
    `    <properties>`,
    ...props.map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    `    </properties>`,
    ...cases.map((c) => testCaseXml(c, r.file)),
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}

function testCases(r: RunForReport, program: string): TestCase[] {
  const { outcome } = r;
  const errors = outcome.diagnostics.filter((d) => d.severity === "error");
  if (errors.length || !outcome.plan) {
    const detail = errors.map((d) => formatDiagnostic(d, r.file, outcome.text)).join("\n\n");
    const message = errors.length ? `${errors.length} error${errors.length === 1 ? "" : "s"} in the program; nothing ran` : outcome.error?.message ?? "the program did not run";
    return [{ name: `check ${r.file}`, classname: `${program}.check`, seconds: r.ms / 1000, outcome: { kind: "error", message, type: errors[0]?.code ?? outcome.error?.code ?? "program-error", detail: detail || undefined } }];
  }
  const ended = new Map(r.steps.map((e) => [e.id, e]));
  const cases: TestCase[] = [];
  let failedStep = false;
  for (const step of outcome.plan.steps) {
    const end = ended.get(step.id);
    const line = step.span?.line;
    const seconds = (end?.ms ?? 0) / 1000;
    if (end?.failed) {
      failedStep = true;
      const e = outcome.error;
      cases.push({ name: step.label, classname: `${program}.${step.op}`, seconds, line, outcome: { kind: "error", message: e?.message ?? "the step failed", type: e?.code ?? e?.kind ?? "error", detail: e?.diagnostic ? formatDiagnostic(e.diagnostic, r.file, outcome.text) : undefined } });
    }
    if (step.op === "assert") cases.push(...assertCases(step as typeof step & { model: string; data: string; conditions: { metric: string; op: string; bound: number }[] }, end, program, line));
    if (end?.result?.kind === "monitor") cases.push(...monitorCases(end.result, program, seconds, line));
  }
  // A failure outside every step (the store could not record the run, an interruption between steps).
  if (outcome.error && !failedStep && outcome.error.kind !== "assert") {
    cases.push({ name: "run", classname: `${program}.run`, seconds: r.ms / 1000, outcome: { kind: "error", message: outcome.error.message, type: outcome.error.code ?? outcome.error.kind } });
  }
  return cases;
}

/** A test case per condition of an `assert`: passed, failed (observed vs bound), or skipped when the step did not run. */
function assertCases(step: { label: string; model: string; data: string; conditions: { metric: string; op: string; bound: number }[] }, end: StepEnd | undefined, program: string, line?: number): TestCase[] {
  const result = end?.result?.kind === "assert" ? end.result : undefined;
  const share = (end?.ms ?? 0) / 1000 / Math.max(1, step.conditions.length);
  return step.conditions.map((c, i) => {
    const name = `${step.label}: ${c.metric} ${c.op} ${c.bound}`;
    const base = { name, classname: `${program}.assert`, seconds: share, line };
    const check = result?.checks[i];
    if (!check) return { ...base, outcome: { kind: "skipped" as const, message: end?.failed ? "the assert step failed" : "not run: an earlier step failed", type: "skipped" } };
    if (check.passed) return base;
    const message = `${c.metric} = ${fmt(check.value)}, required ${c.op} ${c.bound}`;
    return { ...base, outcome: { kind: "failure" as const, message, type: "assert", detail: `${step.model} on ${step.data}: observed ${c.metric} = ${check.value}; the bound is ${c.metric} ${c.op} ${c.bound}` } };
  });
}

/** A test case per rule of a `monitor`: an alert is a failure, a rule with no data to judge is skipped. */
function monitorCases(result: Extract<StepResult, { kind: "monitor" }>, program: string, seconds: number, line?: number): TestCase[] {
  const m = result.run.result;
  const share = seconds / Math.max(1, m.rules.length);
  return m.rules.map((rule) => {
    const base = { name: `monitor ${JSON.stringify(m.name)}: ${rule.rule}`, classname: `${program}.monitor`, seconds: share, line };
    if (rule.passed === undefined) return { ...base, outcome: { kind: "skipped" as const, message: "no data in the window to judge it", type: "skipped" } };
    if (rule.passed) return base;
    return { ...base, outcome: { kind: "failure" as const, message: `${rule.signal} = ${fmt(rule.observed ?? NaN)}, required ${rule.op} ${rule.bound}`, type: "monitor" } };
  });
}

function testCaseXml(c: TestCase, file: string): string {
  const head = `    <testcase${attrs({ name: c.name, classname: c.classname, time: c.seconds.toFixed(3), file, ...(c.line !== undefined ? { line: c.line } : {}) })}`;
  if (!c.outcome) return `${head}/>`;
  const o = c.outcome;
  const tag = o.kind;
  const inner = o.kind === "skipped" ? `<skipped${attrs({ message: o.message })}/>` : `<${tag}${attrs({ message: o.message, type: o.type })}>${o.detail ? text(o.detail) : ""}</${tag}>`;
  return `${head}>\n      ${inner}\n    </testcase>`;
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values).map(([k, v]) => ` ${k}="${text(String(v)).replace(/"/g, "&quot;").replace(/\n/g, "&#10;")}"`).join("");
}

/** Text as XML character data: markup escaped, characters XML 1.0 cannot hold (most control characters) dropped. */
function text(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
