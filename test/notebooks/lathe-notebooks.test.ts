// The Lathe-kernel notebooks executed headlessly by real Jupyter (`jupyter nbconvert --execute`),
// with the kernel installed in a temporary prefix, and their outputs checked: no errors, the metrics
// tables, and every chart as one bundle whose PNG shows without JavaScript (GitHub's viewer, nbconvert's HTML).
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { runProcess } from "../kernel/jupyter/run-process.js";
import { installTestKernel, type InstalledKernel } from "../kernel/lathe/install.js";
import { repo, tempDir } from "../helpers.js";

const jupyter = "/usr/bin/jupyter";

/** nbformat stores multi-line strings as lists of lines. */
const text = (v: unknown): string => (Array.isArray(v) ? v.join("") : String(v ?? ""));

interface Output {
  output_type: string;
  name?: string;
  data?: Record<string, unknown>;
  metadata?: { "image/png"?: { width: number; height: number } };
  text?: string | string[];
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: Output[];
}

describe.skipIf(!existsSync(jupyter))("the Lathe notebooks through nbconvert", () => {
  let kernel: InstalledKernel;
  let out: string;

  beforeAll(async () => {
    kernel = await installTestKernel("lathe-nbtest");
    out = tempDir("lathe-notebooks-");
    made.push(out);
  }, 60_000);

  /** Temporary folders made here, removed at the end. */
  const made: string[] = [];
  afterAll(() => {
    kernel?.cleanup();
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Executes notebooks/NAME with the Lathe kernel; returns the executed cells. A notebook that writes
   * files runs in a scratch copy (`scratch`), with the repository's node_modules for its data.
   */
  async function execute(name: string, scratch = false): Promise<Cell[]> {
    let cwd = path.join(repo, "notebooks");
    if (scratch) {
      const scratchDir = tempDir("lathe-notebook-scratch-");
      made.push(scratchDir);
      cwd = path.join(scratchDir, "notebooks");
      mkdirSync(cwd);
      copyFileSync(path.join(repo, "notebooks", name), path.join(cwd, name));
      symlinkSync(path.join(repo, "node_modules"), path.join(cwd, "node_modules"));
    }
    const r = await runProcess(
      jupyter,
      ["nbconvert", "--to", "notebook", "--execute", `--ExecutePreprocessor.kernel_name=${kernel.name}`, "--ExecutePreprocessor.timeout=300", name, "--output-dir", out],
      { cwd, env: kernel.env, timeoutMs: 330_000 },
    );
    if (r.code !== 0) throw new Error(`nbconvert ${name} exited ${r.code}:\n${r.stderr}`);
    const nb = JSON.parse(readFileSync(path.join(out, name), "utf8")) as { cells: Cell[] };
    return nb.cells;
  }

  /** Checks what every executed notebook must show; returns its outputs. */
  function common(cells: Cell[], expect: (v: unknown, m?: string) => any): Output[] {
    const code = cells.filter((c) => c.cell_type === "code");
    expect(code.every((c) => typeof c.execution_count === "number"), "every code cell ran").toBe(true);
    const outputs = code.flatMap((c) => c.outputs ?? []);
    expect(outputs.filter((o) => o.output_type === "error").map((o) => `${o.ename}: ${o.evalue}`)).toEqual([]);
    // Warnings are stderr; a well-written example has none.
    expect(outputs.filter((o) => o.name === "stderr").map((o) => text(o.text))).toEqual([]);
    for (const chart of outputs.filter((o) => o.data?.["application/vnd.vegalite.v5+json"])) {
      const d = chart.data!;
      expect((d["application/vnd.vegalite.v5+json"] as { $schema: string }).$schema).toMatch(/vega-lite\/v5/);
      // No SVG, which nbconvert's HTML export would prefer and strip to a blank; a PNG with the size to show it at.
      expect(d["image/svg+xml"]).toBeUndefined();
      expect(text(d["image/png"]).replace(/\s/g, "").startsWith("iVBORw0KGgo"), "chart has a PNG").toBe(true);
      expect(chart.metadata?.["image/png"]?.width).toBeGreaterThan(0);
      expect(text(d["text/plain"]).length).toBeGreaterThan(0);
    }
    return outputs;
  }

  const charts = (outputs: Output[]) => outputs.filter((o) => o.data?.["application/vnd.vegalite.v5+json"]).map((o) => text(o.data!["text/plain"]).split("\n")[0]);
  const tables = (outputs: Output[]) => outputs.map((o) => text(o.data?.["text/html"])).filter((h) => h.includes("<table"));
  const stdout = (outputs: Output[]) => outputs.filter((o) => o.name === "stdout").map((o) => text(o.text)).join("");
  /** The value of `metric` for `model` in the printed metrics tables (text/plain: |model|data|metric|value|). */
  const metric = (outputs: Output[], model: string, data: string, name: string): number => {
    const rows = outputs.flatMap((o) => text(o.data?.["text/plain"]).split("\n"));
    const row = rows.find((r) => r.startsWith(`|${model}|${data}|${name}|`));
    return Number(row?.split("|")[4]);
  };

  it.concurrent("lathe-penguins.ipynb: every stage, every chart as Vega-Lite and PNG", async ({ expect }) => {
    const outputs = common(await execute("lathe-penguins.ipynb"), expect);
    const titles = charts(outputs);
    for (const t of [/^Confusion matrix/, /^ROC/, /importance/i, /loss/i, /Flipper Length/, /Beak Length/]) {
      expect(titles.some((title) => t.test(title)), `a chart titled ${t}: ${titles.join(" / ")}`).toBe(true);
    }
    for (const step of ["collect penguins: 344 rows", "prepare clean", "split clean", "train linear", "train forest", "train network", "assert linear on test: passed"]) {
      expect(stdout(outputs)).toContain(step);
    }
    expect(tables(outputs).some((h) => ["accuracy", "precision", "recall", "f1", "roc_auc"].every((m) => h.includes(m)))).toBe(true);
    expect(metric(outputs, "linear", "test", "accuracy")).toBeGreaterThanOrEqual(0.9);
    // The network's progress display was updated in place to its last epoch.
    expect(outputs.some((o) => /^epoch 60\/60/.test(text(o.data?.["text/plain"])))).toBe(true);
  }, 340_000);

  it.concurrent("cars.ipynb: regression models compared, residuals and predicted charts", async ({ expect }) => {
    const outputs = common(await execute("cars.ipynb"), expect);
    for (const m of ["ols", "ridge", "shallow", "deep", "forest", "net"]) {
      expect(metric(outputs, m, "validation", "rmse"), m).toBeGreaterThan(0);
    }
    expect(metric(outputs, "forest", "test", "r2")).toBeGreaterThanOrEqual(0.75);
    const titles = charts(outputs);
    for (const t of [/residual/i, /predicted/i, /importance/i, /tuning forest/i]) expect(titles.some((title) => t.test(title)), titles.join(" / ")).toBe(true);
    expect(stdout(outputs)).toMatch(/tune forest by rmse on validation: best rmse [\d.]+ with max_depth: \d+, min_samples_leaf: \d \(9 trials\)/);
  }, 340_000);

  it.concurrent("flights.ipynb: 3M rows prepared, models trained on a sample with progress", async ({ expect }) => {
    const outputs = common(await execute("flights.ipynb"), expect);
    const printed = stdout(outputs);
    expect(printed).toContain("collect flights: 3000000 rows");
    expect(printed).toContain("prepare trips: 3000000 rows");
    expect(printed).toMatch(/split trips into train, validation, test, rest: train \d{6}, validation \d{6}, test \d{6}, rest \d{7}/);
    expect(outputs.some((o) => /^(iteration|tree) /.test(text(o.data?.["text/plain"])))).toBe(true);
    expect(metric(outputs, "tree", "test", "roc_auc")).toBeGreaterThan(0.55);
    expect(charts(outputs).length).toBe(3);
  }, 340_000);

  it.concurrent("monitoring.ipynb: served, replayed over HTTP, drift and live accuracy, a retrain that wins and one that does not", async ({ expect }) => {
    const cells = await execute("monitoring.ipynb", true);
    const outputs = common(cells, expect);
    const printed = stdout(outputs);
    expect(printed).toMatch(/serve "flight-delay" port 8765: serving flight-delay \(version 1\) at http:\/\/127\.0\.0\.1:8765/);
    // Every replayed row answered and labelled, through the real server.
    const replays = [...printed.matchAll(/replayed (\d+) rows of flights-(\w+)\.parquet .* answered by version (\d) \(\1 rows\); \1 labels sent to \/feedback; \d+ of \1 answers \(([\d.]+)%\) matched/g)];
    expect(replays.map((m) => [m[2], m[3]])).toEqual([["february", "1"], ["march", "1"], ["april", "2"], ["may", "2"], ["june", "2"]]);
    for (const m of replays) expect(Number(m[4])).toBeGreaterThan(70);
    // The monitor's drift table: month (never seen) and weekday drift, hour and distance do not.
    const driftTables = outputs.map((o) => text(o.data?.["text/plain"])).filter((t) => t.includes("|feature|"));
    expect(driftTables.length).toBe(2);
    const drifted = (t: string, f: string) => t.split("\n").find((r) => r.startsWith(`|${f}|`))?.split("|").includes("true");
    expect([drifted(driftTables[0], "month"), drifted(driftTables[0], "weekday"), drifted(driftTables[0], "hour"), drifted(driftTables[0], "distance")]).toEqual([true, true, false, false]);
    expect(drifted(driftTables[1], "month")).toBe(true);
    // The verdicts: half the features drifted in February–March (the dataset drifted), a quarter against version 2's reference.
    expect(printed).toMatch(/monitor "flight-delay" version 1: no alerts — \d+ request\(s\) from .* drift 50% of 4 feature\(s\) \(dataset drifted\)/);
    expect(printed).toMatch(/monitor "flight-delay" version 2: no alerts — \d+ request\(s\) from .* drift 25% of 4 feature\(s\) \(/);
    // Each monitor shows drift per feature, live accuracy, latency, and the server's memory and CPU over time.
    const titles = outputs.flatMap((o) => (o.data?.["application/vnd.vegalite.v5+json"] ? [String((o.data["application/vnd.vegalite.v5+json"] as { title: unknown }).title)] : []));
    for (const t of [/^Drift per feature/, /^Live accuracy/, /^Latency/, /^Memory and CPU/]) expect(titles.filter((x) => t.test(x)).length, `${t}: ${titles.join(" / ")}`).toBe(2);
    // Live metrics from the feedback.
    const signals = outputs.map((o) => text(o.data?.["text/plain"])).filter((t) => t.includes("|accuracy|"));
    expect(signals.length).toBe(2);
    for (const t of signals) {
      const accuracy = Number(t.split("\n").find((r) => r.startsWith("|accuracy|"))!.split("|")[2]);
      expect(accuracy).toBeGreaterThan(0.7);
      expect(accuracy).toBeLessThan(0.9);
    }
    // The rule fired, the challenger won and was promoted; the second retrain tied and was kept.
    expect(printed).toMatch(/retraining "flight-delay": drift > 0\.25 \(drift = 0\.5\)/);
    expect(printed).toMatch(/decision: promoted version 2 \(champion was version 1\): the challenger is better and every assert passed: roc_auc on test: challenger 0\.\d+, champion 0\.\d+/);
    expect(printed).toMatch(/decision: kept version 2 \(challenger version 3 registered, not promoted\): the challenger is not better/);
    expect(printed).toMatch(/retrain 1 .*trigger: drift > 0\.25 .*promoted version 2/);
  }, 340_000);
});
