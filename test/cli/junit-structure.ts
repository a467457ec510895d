import { spawnSync } from "node:child_process";

/**
 * Checks a JUnit XML file against the structure of the JUnit schema (Apache Ant's, which CI
 * servers read), parsed by Python's xml.etree: `<testsuites>` of `<testsuite>` elements with
 * name, tests, failures, errors, time, timestamp and hostname; counts that match their test cases;
 * `<testcase>` with name, classname and a numeric time; `<failure>` and `<error>` with type and
 * message; no other children. Returns what is wrong, and each suite's counts and test case names.
 */
export function junitStructure(file: string): { problems: string[]; suites: { name: string; tests: number; failures: number; errors: number; cases: string[] }[]; failures: { testcase: string; message: string; type: string }[] } {
  const r = spawnSync("/usr/bin/python3", ["-c", script, file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`the validator failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const script = String.raw`
import json, re, sys
import xml.etree.ElementTree as ET

problems, suites, failures = [], [], []
root = ET.parse(sys.argv[1]).getroot()
if root.tag != "testsuites":
    problems.append("the root is <%s>, not <testsuites>" % root.tag)

def need(el, names, where):
    for n in names:
        if n not in el.attrib:
            problems.append("%s lacks %s" % (where, n))

def number(el, name, where, kind=int):
    try:
        return kind(el.attrib.get(name, ""))
    except ValueError:
        problems.append("%s: %s=%r is not a number" % (where, name, el.attrib.get(name)))
        return 0

for suite in root:
    if suite.tag != "testsuite":
        problems.append("<testsuites> holds <%s>" % suite.tag)
        continue
    where = "testsuite %s" % suite.attrib.get("name")
    need(suite, ["name", "tests", "failures", "errors", "time", "timestamp", "hostname"], where)
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", suite.attrib.get("timestamp", "")):
        problems.append("%s: timestamp %r is not ISO 8601 without a zone" % (where, suite.attrib.get("timestamp")))
    number(suite, "time", where, float)
    cases, counts = [], {"failure": 0, "error": 0, "skipped": 0}
    for child in suite:
        if child.tag in ("properties", "system-out", "system-err"):
            continue
        if child.tag != "testcase":
            problems.append("%s holds <%s>" % (where, child.tag))
            continue
        cw = "testcase %s" % child.attrib.get("name")
        need(child, ["name", "classname", "time"], cw)
        number(child, "time", cw, float)
        cases.append(child.attrib.get("name"))
        for outcome in child:
            if outcome.tag not in counts:
                problems.append("%s holds <%s>" % (cw, outcome.tag))
                continue
            counts[outcome.tag] += 1
            if outcome.tag != "skipped":
                need(outcome, ["type", "message"], "%s <%s>" % (cw, outcome.tag))
                failures.append({"testcase": child.attrib.get("name"), "message": outcome.attrib.get("message", ""), "type": outcome.attrib.get("type", "")})
    for attr, n in (("tests", len(cases)), ("failures", counts["failure"]), ("errors", counts["error"])):
        if number(suite, attr, where) != n:
            problems.append("%s: %s=%s but it holds %d" % (where, attr, suite.attrib.get(attr), n))
    suites.append({"name": suite.attrib.get("name"), "tests": len(cases), "failures": counts["failure"], "errors": counts["error"], "cases": cases})

print(json.dumps({"problems": problems, "suites": suites, "failures": failures}))
`;
