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

// Where nobody displays charts (the CLI), a plot is drawn only for what keeps its image.
describe("plot with displayCharts: false", () => {
  const sessions: Session[] = [];
  afterAll(() => sessions.forEach((s) => s.close()));
  const dir = tempDir();
  const program = `source penguins = read "${dataset("penguins.json")}"
plot histogram of penguins columns "Body Mass (g)"
plot histogram of penguins columns "Body Mass (g)" to "kept/mass.vl.json"
plot histogram of penguins columns "Body Mass (g)" to "kept/mass.png"`;
  const charts = async (record: boolean) => {
    const s = await Session.open({ root: path.join(dir, "store"), record, baseDir: dir });
    sessions.push(s);
    const r = await s.run(program, { file: path.join(dir, "job.lathe"), displayCharts: false });
    expect(r.error).toBeUndefined();
    return r.output!.results.flatMap((x) => (x.kind === "chart" ? [x] : []));
  };

  it("not recorded: only a file that is an image draws; the others keep the spec and the text", async () => {
    const [shown, json, png] = await charts(false);
    expect(shown.bundle["image/svg+xml"]).toBeUndefined();
    expect(shown.bundle["image/png"]).toBeUndefined();
    expect(shown.bundle["text/plain"]).toMatch(/^Distribution of Body Mass \(g\) in penguins/);
    expect(shown.bundle["application/vnd.vegalite.v5+json"].$schema).toMatch(/vega-lite\/v5/);
    expect(shown.files).toEqual([]);
    expect(json.bundle["image/svg+xml"]).toBeUndefined();
    expect(JSON.parse(readFileSync(path.join(dir, "kept/mass.vl.json"), "utf8"))).toEqual(json.bundle["application/vnd.vegalite.v5+json"]);
    expect(png.bundle["image/svg+xml"]).toMatch(/^<svg/);
    expect(readFileSync(path.join(dir, "kept/mass.png")).subarray(1, 4).toString()).toBe("PNG");
  });

  it("recorded: every plot is drawn into the run's artifacts (SVG, Vega-Lite, PNG)", async () => {
    const [shown] = await charts(true);
    expect(shown.bundle["image/svg+xml"]).toMatch(/^<svg/);
    expect(shown.files.map((f) => path.extname(f)).sort()).toEqual([".json", ".png", ".svg"]);
  });
});
