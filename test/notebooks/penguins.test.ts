import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repo, tempDir } from "../helpers.js";

const jupyter = "/usr/bin/jupyter";

/** nbformat stores multi-line strings as lists of lines. */
const text = (v: unknown): string => (Array.isArray(v) ? v.join("") : String(v ?? ""));

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  text?: string | string[];
  ename?: string;
  evalue?: string;
}

// Real Jupyter: nbconvert executes the notebook with the tslab kernel, registered in a temp prefix.
describe.skipIf(!existsSync(jupyter))("notebooks/penguins.ipynb through nbconvert", () => {
  it("renders the metrics table and one chart bundle with Vega-Lite v5, SVG marks and text", () => {
    const prefix = tempDir("lathe-jupyter-");
    const install = spawnSync(path.join(repo, "node_modules/.bin/tslab"), ["install", "--python=/usr/bin/python3", `--binary=${path.join(repo, "node_modules/.bin/tslab")}`, `--prefix=${prefix}`], { encoding: "utf8" });
    expect(install.status, install.stderr).toBe(0);
    const out = path.join(prefix, "penguins.out.ipynb");
    const env = { ...process.env, JUPYTER_PATH: path.join(prefix, "share/jupyter"), PYDEVD_DISABLE_FILE_VALIDATION: "1" };
    const r = spawnSync(jupyter, ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=180", "penguins.ipynb", "--output", out], { cwd: path.join(repo, "notebooks"), env, encoding: "utf8", timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const nb = JSON.parse(readFileSync(out, "utf8")) as { cells: { cell_type: string; outputs?: Output[] }[] };
    const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
    expect(outputs.filter((o) => o.output_type === "error")).toEqual([]);

    const charts = outputs.filter((o) => o.data?.["application/vnd.vegalite.v5+json"]);
    expect(charts).toHaveLength(1);
    const bundle = charts[0].data!;
    const spec = bundle["application/vnd.vegalite.v5+json"] as { $schema: string };
    expect(typeof spec).toBe("object");
    expect(spec.$schema).toMatch(/vega-lite\/v5/);
    const svg = text(bundle["image/svg+xml"]);
    expect(svg).toContain("<svg");
    // The plotted marks: one rect per confusion-matrix cell (3 species → 9) in Vega's rect mark group.
    const group = svg.slice(svg.indexOf("mark-rect"), svg.indexOf("</g>", svg.indexOf("mark-rect")));
    expect(group.match(/<path[^>]*aria-roledescription="rect mark"/g)).toHaveLength(9);
    expect(svg).toMatch(/Predicted: Adelie; Actual: Adelie; Count: \d+/);
    expect(text(bundle["text/plain"])).toMatch(/Confusion matrix/);

    const tables = outputs.filter((o) => text(o.data?.["text/html"]).includes("<table"));
    expect(tables.length).toBeGreaterThanOrEqual(1);
    const html = text(tables[0].data!["text/html"]);
    for (const m of ["accuracy", "precision", "recall", "f1"]) expect(html).toContain(m);
    const printed = outputs.flatMap((o) => (o.output_type === "stream" ? [text(o.text)] : [])).join("");
    const acc = Number(/test accuracy: ([\d.]+)/.exec(printed)?.[1]);
    expect(acc).toBeGreaterThanOrEqual(0.95);
  });
});
