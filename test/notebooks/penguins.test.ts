import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RunStore } from "../../runtime/run-store.js";
import { repo, tempDir } from "../helpers.js";

const jupyter = "/usr/bin/jupyter";

/** nbformat stores multi-line strings as lists of lines. */
const text = (v: unknown): string => (Array.isArray(v) ? v.join("") : String(v ?? ""));

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  metadata?: { lathe?: { run_id?: string }; "image/png"?: { width: number; height: number } };
  text?: string | string[];
  ename?: string;
  evalue?: string;
}

// The README's recipe, as a new user runs it: register tslab with `lathe kernel install --typescript`,
// then `lathe notebook run`, with no node_modules/.bin on the PATH (where `npx tslab install`'s bare
// `tslab` command only happens to start).
describe.skipIf(!existsSync(jupyter))("notebooks/penguins.ipynb: the README's TypeScript recipe", () => {
  const prefix = tempDir("lathe-jupyter-");
  afterAll(() => rmSync(prefix, { recursive: true, force: true }));

  it("registers tslab with absolute paths and runs the notebook as one run: the metrics table and one chart bundle", async () => {
    const env = { ...process.env, JUPYTER_PATH: path.join(prefix, "share/jupyter"), PYDEVD_DISABLE_FILE_VALIDATION: "1", PATH: "/usr/bin:/bin" };
    const lathe = (args: string[]) => spawnSync(process.execPath, [path.join(repo, "bin/lathe.js"), ...args], { cwd: repo, env, encoding: "utf8", timeout: 300_000 });

    const install = lathe(["kernel", "install", "--typescript", "--prefix", prefix]);
    expect(install.stderr).toBe("");
    expect(install.stdout).toMatch(/installed tslab's TypeScript kernel in .*tslab\ninstalled tslab's JavaScript kernel in .*jslab\n/);
    const spec = JSON.parse(readFileSync(path.join(prefix, "share/jupyter/kernels/tslab/kernel.json"), "utf8")) as { argv: string[]; language: string };
    expect(spec.argv).toEqual([process.execPath, realpathSync(path.join(repo, "node_modules/tslab/bin/tslab")), "kernel", "--config-path", "{connection_file}"]);
    expect(spec.language).toBe("typescript");

    const store = path.join(prefix, "store");
    const out = path.join(prefix, "penguins.run.ipynb");
    const r = lathe(["notebook", "run", "notebooks/penguins.ipynb", "-o", out, "--store", store]);
    expect(r.status, r.stderr).toBe(0);
    const nb = JSON.parse(readFileSync(out, "utf8")) as { cells: { cell_type: string; outputs?: Output[] }[] };
    const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
    expect(outputs.filter((o) => o.output_type === "error")).toEqual([]);

    const charts = outputs.filter((o) => o.data?.["application/vnd.vegalite.v5+json"]);
    expect(charts).toHaveLength(1);
    const bundle = charts[0].data!;
    expect(Object.keys(bundle).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
    const spec5 = bundle["application/vnd.vegalite.v5+json"] as { $schema: string; data: { values: { actual: string; predicted: string; count: number }[] } };
    expect(spec5.$schema).toMatch(/vega-lite\/v5/);
    // One confusion-matrix cell per (actual, predicted) pair of the 3 species.
    expect(spec5.data.values).toHaveLength(9);
    expect(text(bundle["text/plain"])).toMatch(/Confusion matrix/);
    const png = Buffer.from(text(bundle["image/png"]), "base64");
    expect(png.readUInt32BE(16)).toBe(2 * charts[0].metadata!["image/png"]!.width);

    const tables = outputs.filter((o) => text(o.data?.["text/html"]).includes("<table"));
    expect(tables.length).toBeGreaterThanOrEqual(1);
    const html = text(tables[0].data!["text/html"]);
    for (const m of ["accuracy", "precision", "recall", "f1"]) expect(html).toContain(m);
    const printed = outputs.flatMap((o) => (o.output_type === "stream" ? [text(o.text)] : [])).join("");
    const shown = /test accuracy: ([\d.]+)/.exec(printed)?.[1];
    const acc = Number(shown);
    expect(acc).toBeGreaterThanOrEqual(0.95);

    // Every `lathe.run` of the notebook went into the notebook's one run.
    const runs = new RunStore(store);
    expect(runs.runIds()).toHaveLength(1);
    const run = (await runs.load(runs.runIds()[0]))!;
    expect(run.status).toBe("succeeded");
    // The notebook prints three decimals: the recorded metric is the same number, unrounded.
    expect(run.metrics.find((m) => m.metric === "accuracy")?.value.toFixed(3)).toBe(shown);
    expect(run.steps?.map((s) => s.label)).toContain("collect penguins");
    expect(run.artifacts.map((a) => a.kind)).toContain("notebook");
    expect(charts[0].metadata?.lathe).toEqual({ run_id: run.id });
  }, 400_000);
});
