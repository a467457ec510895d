import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { dataset, tempDir } from "../../helpers.js";

describe("plot ... to a file", () => {
  const sessions: Session[] = [];
  afterAll(() => sessions.forEach((s) => s.close()));
  const dir = tempDir();
  const base = `source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins { drop rows where "Body Mass (g)" is missing }`;

  async function run(body: string) {
    const s = await Session.open({ record: false, baseDir: dir });
    sessions.push(s);
    return s.run(`${base}\n${body}`, { file: path.join(dir, "job.lathe") });
  }

  it("writes the format its extension names, relative to the program's folder", async () => {
    const r = await run(`plot histogram of clean columns "Body Mass (g)" to "out/mass.svg"
plot histogram of clean columns "Body Mass (g)" to "out/mass.png"
plot histogram of clean columns "Body Mass (g)" to "out/mass.vl.json"
plot histogram of clean columns "Body Mass (g)" to "out/mass.html"`);
    expect(r.error).toBeUndefined();
    expect(readFileSync(path.join(dir, "out/mass.svg"), "utf8")).toMatch(/^<svg/);
    expect(readFileSync(path.join(dir, "out/mass.png")).subarray(1, 4).toString()).toBe("PNG");
    expect(JSON.parse(readFileSync(path.join(dir, "out/mass.vl.json"), "utf8")).$schema).toMatch(/vega-lite\/v5/);
    expect(readFileSync(path.join(dir, "out/mass.html"), "utf8")).toMatch(/<!doctype html>[\s\S]*<svg/);
    const chart = r.output!.results.find((x) => x.kind === "chart");
    expect(chart?.kind === "chart" && chart.files[0]).toBe(path.join(dir, "out/mass.svg"));
  });

  it("refuses an extension it cannot write, with a coded error at the statement", async () => {
    const r = await run(`plot histogram of clean columns "Body Mass (g)" to "out/mass.docx"`);
    expect(r.error?.code).toBe("unknown-chart-format");
    expect(r.error?.diagnostic?.span.line).toBe(3);
    expect(existsSync(path.join(dir, "out/mass.docx"))).toBe(false);
  });

  it("says why it cannot write (a folder in the way)", async () => {
    writeFileSync(path.join(dir, "blocked"), "a file, not a folder");
    const r = await run(`plot histogram of clean columns "Body Mass (g)" to "blocked/mass.svg"`);
    expect(r.error?.code).toBe("write-error");
  });
});
