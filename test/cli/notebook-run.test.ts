import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunStore } from "../../runtime/run-store.js";
import { repo, tempDir } from "../helpers.js";
import { installTestKernel, type InstalledKernel } from "../kernel/lathe/install.js";
import { countColour, decodePng } from "../png-pixels.js";

/** A small notebook of code cells, with a Lathe kernel unless told otherwise. */
function notebook(cells: { source: string; tags?: string[] }[], kernelspec: Record<string, string> = { display_name: "Lathe", language: "lathe", name: "lathe" }): string {
  return JSON.stringify({
    cells: cells.map((c, i) => ({ cell_type: "code", id: `c${i}`, metadata: c.tags ? { tags: c.tags } : {}, source: c.source, execution_count: null, outputs: [] })),
    metadata: { kernelspec },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: { lathe?: { run_id?: string }; "image/png"?: { width: number; height: number } };
}
interface Cell {
  source: string | string[];
  execution_count: number | null;
  metadata: { tags?: string[]; lathe?: { run_id?: string } };
  outputs: Output[];
}
interface ExecutedNotebook {
  cells: Cell[];
  metadata: { papermill?: { parameters?: unknown }; lathe?: { run_id?: string }; language_info?: { pygments_lexer?: string } };
}
const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("") : (v ?? ""));
const stdout = (cells: Cell[]) => cells.flatMap((c) => c.outputs).filter((o) => o.name === "stdout").map((o) => text(o.text)).join("");
const data = 'source r = sql "select i as x, (i * 7919) % 3 as y from range(1000) t(i)"';

describe.skipIf(!existsSync("/usr/bin/jupyter"))("lathe notebook run", () => {
  let kernel: InstalledKernel;
  let dir: string;
  let store: RunStore;
  /** The split line of the first notebook, run with seed 7. */
  let seven: string | undefined;
  beforeAll(async () => {
    kernel = await installTestKernel("lathe-nbrun");
    dir = tempDir();
    store = new RunStore(kernel.env.LATHE_STORE!);
  }, 60_000);
  afterAll(() => {
    kernel?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const lathe = (args: string[], env: NodeJS.ProcessEnv = kernel.env) => {
    const r = spawnSync(process.execPath, [path.join(repo, "bin/lathe.js"), ...args], { cwd: dir, env, encoding: "utf8", timeout: 240_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const read = (file: string) => JSON.parse(readFileSync(path.join(dir, file), "utf8")) as ExecutedNotebook;

  it("records the whole notebook as one run: the values after the `parameters` cell and in the metadata, the run id on every cell, the executed notebook stored with the run", async () => {
    writeFileSync(path.join(dir, "nb.ipynb"), notebook([
      { source: "param seed = 1", tags: ["parameters"] },
      { source: `${data}\nsplit r into a 50%, b 50% seed seed\nplot histogram of r columns x` },
      { source: "model m = decision_tree predicting y from a {\n  features: x\n  task: classification\n}\nevaluate m on b metrics accuracy" },
    ]).replace('"name":"lathe"', `"name":"${kernel.name}"`));
    const r = lathe(["notebook", "run", "nb.ipynb", "--param", "seed=7", "-o", "seven.ipynb"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const id = /^run (\S+) recorded in /m.exec(r.out)?.[1];
    expect(store.runIds()).toEqual([id]);

    const nb = read("seven.ipynb");
    expect(nb.cells.map((c) => [text(c.source), c.metadata.tags ?? []])).toEqual([
      ["param seed = 1", ["parameters"]],
      ["param seed = 7", ["injected-parameters"]],
      [`${data}\nsplit r into a 50%, b 50% seed seed\nplot histogram of r columns x`, []],
      ["model m = decision_tree predicting y from a {\n  features: x\n  task: classification\n}\nevaluate m on b metrics accuracy", []],
    ]);
    expect(nb.metadata.papermill).toEqual({ parameters: { seed: 7 } });
    expect(nb.metadata.lathe).toEqual({ run_id: id });
    expect(nb.metadata.language_info?.pygments_lexer).toBe("python");
    for (const c of nb.cells) {
      expect(c.metadata.lathe).toEqual({ run_id: id });
      for (const o of c.outputs.filter((o) => o.output_type === "display_data" || o.output_type === "execute_result")) expect(o.metadata?.lathe).toEqual({ run_id: id });
    }
    seven = /split r into a, b: (a \d+, b \d+)/.exec(stdout(nb.cells))?.[1];
    expect(seven).toBeDefined();
    expect(stdout([nb.cells[3]])).toContain(`recorded in run ${id} (the notebook's run)`);
    // The chart: Vega-Lite for JupyterLab and VS Code, a 2× PNG shown at 1× for the rest, no SVG.
    const chart = nb.cells[2].outputs.find((o) => o.data?.["application/vnd.vegalite.v5+json"])!;
    expect(Object.keys(chart.data!).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
    const png = Buffer.from(text(chart.data!["image/png"] as string), "base64");
    expect(png.readUInt32BE(16)).toBe(2 * chart.metadata!["image/png"]!.width);

    const run = (await store.load(id!))!;
    expect(run).toMatchObject({ status: "succeeded", programPath: path.join(dir, "nb.ipynb"), params: { seed: 7 }, seed: 7 });
    expect(run.programText).toContain("param seed = 7\n\nsource r = sql");
    expect(run.steps?.map((s) => s.label)).toEqual(["collect r", "split r into a, b", "plot histogram of r", "train m (decision_tree)", "evaluate m on b"]);
    expect(run.metrics.map((m) => [m.model, m.data, m.metric])).toEqual([["m", "b", "accuracy"]]);
    const stored = run.artifacts.find((a) => a.kind === "notebook")!;
    expect(stored.name).toBe("seven.ipynb");
    expect(readFileSync(stored.path, "utf8")).toBe(readFileSync(path.join(dir, "seven.ipynb"), "utf8"));
  }, 300_000);

  it("exports to HTML with nbconvert showing the chart (headless Chromium's screenshot has its bars) and highlighting the code", () => {
    const convert = spawnSync("/usr/bin/jupyter", ["nbconvert", "--to", "html", "seven.ipynb"], { cwd: dir, env: kernel.env, encoding: "utf8", timeout: 120_000 });
    expect(convert.status, convert.stderr).toBe(0);
    const html = readFileSync(path.join(dir, "seven.html"), "utf8");
    expect(html).toMatch(/<img src="data:image\/png;base64,[^"]+"\s*width=\d+\s*height=\d+/);
    expect(html).toContain('<span class="s2">"select i as x');
    // No network: the page's MathJax fails at once instead of being waited for.
    const shot = path.join(dir, "seven.png");
    const r = spawnSync("chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND", `--screenshot=${shot}`, "--window-size=1000,1200", `file://${path.join(dir, "seven.html")}`], { encoding: "utf8", timeout: 120_000 });
    expect(existsSync(shot), r.stderr).toBe(true);
    // The histogram's bars are Vega's first category colour, #4c78a8; a blank chart has none.
    expect(countColour(decodePng(readFileSync(shot)), [0x4c, 0x78, 0xa8])).toBeGreaterThan(20_000);
  }, 180_000);

  it("without a `parameters` cell, warns and still gives every `param` of that name the value; a failing cell ends the run as failed, its notebook stored", async () => {
    expect(seven).toBeDefined();
    writeFileSync(path.join(dir, "loose.ipynb"), notebook([
      { source: data },
      { source: "param seed = 1\nsplit r into a 50%, b 50% seed seed\nsplit r into c 50%, d 50% seed 1" },
      { source: "show nothing_here" },
      { source: "param never = 2" },
    ]).replace('"name":"lathe"', `"name":"${kernel.name}"`));
    const r = lathe(["notebook", "run", "loose.ipynb", "--param", "seed=7"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('lathe: warning[no-parameters-cell]: loose.ipynb has no cell tagged "parameters": every `param` statement named seed takes the value given');
    expect(r.err).toMatch(/lathe: cell 3 of loose\.ipynb failed \(LatheError: .*nothing_here.*\); the notebook up to it is in loose\.run\.ipynb/);
    const nb = read("loose.run.ipynb");
    const printed = stdout(nb.cells);
    expect(/split r into a, b: (a \d+, b \d+)/.exec(printed)?.[1]).toBe(seven);
    expect(/split r into c, d: c (\d+), d (\d+)/.exec(printed)?.slice(1).join()).not.toBe(/a (\d+), b (\d+)/.exec(seven!)?.slice(1).join());
    expect(nb.cells[3].execution_count).toBeNull();
    expect(nb.cells[3].metadata.lathe).toBeUndefined();

    const id = nb.metadata.lathe!.run_id!;
    expect(store.runIds()).toHaveLength(2);
    const run = (await store.load(id))!;
    expect(run).toMatchObject({ status: "failed", errorCode: "cell-failed" });
    expect(run.error).toMatch(/^cell 3 of loose\.ipynb failed/);
    expect(run.artifacts.map((a) => a.kind)).toEqual(["notebook"]);
  }, 300_000);

  it("a parameter no `param` declares, a missing notebook and a kernel Jupyter cannot start are coded errors (exit 2) that record no run; `reproduce` of a notebook run is one too", () => {
    const before = store.runIds().length;
    const unknown = lathe(["notebook", "run", "nb.ipynb", "--param", "rate=0.5"]);
    expect([unknown.code, unknown.err]).toEqual([2, "lathe: error[unknown-param]: --param rate does not match any `param` in nb.ipynb (its params: seed)\n"]);
    expect(lathe(["notebook", "run", "missing.ipynb"]).code).toBe(2);

    // A TypeScript notebook whose kernel is not registered (Jupyter's own folders are left empty).
    const empty = path.join(dir, "jupyter-empty");
    mkdirSync(empty);
    const bare = { ...kernel.env, JUPYTER_PATH: empty, JUPYTER_DATA_DIR: empty };
    writeFileSync(path.join(dir, "ts.ipynb"), notebook([{ source: "1 + 1" }], { display_name: "TypeScript", language: "typescript", name: "lathe-test-no-such-kernel" }));
    const missing = lathe(["notebook", "run", "ts.ipynb"], bare);
    expect([missing.code, missing.err]).toEqual([2, 'lathe: error[kernel-not-installed]: no Jupyter kernel named "lathe-test-no-such-kernel" is installed; register it with `npx lathe kernel install --typescript`\n']);

    // What `npx tslab install` registers: a bare `tslab` command, which Jupyter cannot start where it is not on PATH.
    const spec = path.join(empty, "kernels", "lathe-test-stale-tslab");
    mkdirSync(spec, { recursive: true });
    writeFileSync(path.join(spec, "kernel.json"), JSON.stringify({ argv: ["tslab", "kernel", "--config-path", "{connection_file}"], display_name: "TypeScript", language: "typescript" }));
    const stale = lathe(["notebook", "run", "ts.ipynb", "--kernel", "lathe-test-stale-tslab"], { ...bare, PATH: "/usr/bin:/bin" });
    expect(stale.code).toBe(2);
    expect(stale.err).toBe(`lathe: error[kernel-failed-to-start]: the kernel "lathe-test-stale-tslab" cannot start: its command "tslab" (${spec}/kernel.json) is not an executable file nor on PATH; register it again with \`npx lathe kernel install --typescript\`, which writes absolute paths\n`);
    expect(store.runIds()).toHaveLength(before);

    // `reproduce` cannot run a notebook's cells: it says what to run instead.
    const again = lathe(["reproduce", store.runIds()[0]]);
    expect(again.code).toBe(2);
    expect(again.err).toContain(`lathe: error[notebook-run]: run ${store.runIds()[0]} ran the notebook ${path.join(dir, "nb.ipynb")}, whose cells only its kernel can run again: \`lathe notebook run ${path.join(dir, "nb.ipynb")} --param seed=7\``);
  }, 120_000);
});
