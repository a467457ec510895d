import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { latheSync, tempDir } from "../helpers.js";
import { junitStructure } from "./junit-structure.js";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 80 points: the label follows x except for every 7th row (so no tree is perfect); y is missing in some rows.
const points = ["x,y,label", ...Array.from({ length: 80 }, (_, i) => `${i / 80},${i % 9 === 0 ? "" : i % 5},${(i >= 40) !== (i % 7 === 0) ? "b" : "a"}`)].join("\n");

// An assert with one condition that fails and one that holds, then a step that fails (y has missing
// values, which a linear learner refuses), then an assert that never runs.
const program = `source points = read "points.csv"
split points into train 70%, test 30% seed 1
model tree = decision_tree predicting label from train { features: x; max_depth: 1 }
assert tree on test: accuracy >= 0.99 and accuracy >= 0.1
model broken = logistic_regression predicting label from train { features: y }
assert broken on test: accuracy >= 0.5
`;

describe("lathe run --junit", () => {
  it("writes a report with the JUnit schema's structure, a failing assert as a failure, the failed step as an error, even when the run fails", () => {
    writeFileSync(path.join(dir, "points.csv"), points);
    writeFileSync(path.join(dir, "gates.lathe"), program);
    const r = latheSync(["run", "gates.lathe", "--junit", "report.xml", "--run-id-file", "run-id"], dir);
    // The run's own exit code: a data error in a step (4), the report written all the same.
    expect(r.code, r.out + r.err).toBe(4);
    const report = junitStructure(path.join(dir, "report.xml"));
    expect(report.problems).toEqual([]);
    expect(report.suites).toEqual([{ name: "gates.lathe", tests: 4, failures: 1, errors: 1, cases: ["assert tree on test: accuracy >= 0.99", "assert tree on test: accuracy >= 0.1", "train broken (logistic_regression)", "assert broken on test: accuracy >= 0.5"] }]);
    expect(report.failures).toEqual([
      { testcase: "assert tree on test: accuracy >= 0.99", type: "assert", message: expect.stringMatching(/^accuracy = 0\.\d{4}, required >= 0\.99$/) },
      { testcase: "train broken (logistic_regression)", type: "data-error", message: expect.stringContaining("feature `y` has") },
    ]);
    const xml = readFileSync(path.join(dir, "report.xml"), "utf8");
    const runId = readFileSync(path.join(dir, "run-id"), "utf8").trim();
    expect(xml).toContain(`<property name="run" value="${runId}"/>`);
    expect(xml).toContain(`<property name="exit-code" value="4"/>`);
    expect(xml).toMatch(/<testcase name="assert broken on test: accuracy &gt;= 0.5" classname="gates.assert" time="0.000" file="gates.lathe" line="6">\s*<skipped message="not run: an earlier step failed"\/>/);
    expect(xml).toMatch(/<testcase name="assert tree on test: accuracy &gt;= 0.99" classname="gates.assert" time="\d+\.\d{3}" file="gates.lathe" line="4">/);
    // A report that could not be written is said before anything runs (exit 2), not as an internal error after.
    expect(latheSync(["run", "gates.lathe", "--junit", "nowhere/report.xml"], dir)).toMatchObject({ code: 2, err: "lathe: --junit nowhere/report.xml: the folder nowhere does not exist\n" });
  });
});
