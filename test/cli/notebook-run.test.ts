import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parameterCell } from "../../cli/notebook-run.js";
import { repo, tempDir } from "../helpers.js";
import { installTestKernel, type InstalledKernel } from "../kernel/lathe/install.js";

/** A small Lathe notebook: a `parameters` cell, then a split whose part sizes depend on the seed. */
function notebook(cells: { source: string; tags?: string[] }[]): string {
  return JSON.stringify({
    cells: cells.map((c, i) => ({ cell_type: "code", id: `c${i}`, metadata: c.tags ? { tags: c.tags } : {}, source: c.source, execution_count: null, outputs: [] })),
    metadata: { kernelspec: { display_name: "Lathe", language: "lathe", name: "lathe" } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

interface Cell {
  source: string | string[];
  metadata: { tags?: string[] };
  outputs: { output_type: string; text?: string | string[]; ename?: string }[];
}
const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("") : (v ?? ""));

describe("parameterCell", () => {
  it("writes Lathe params and TypeScript constants, and refuses other languages", () => {
    expect(parameterCell("lathe", { seed: 7, name: "a b", fast: true })).toBe('param seed = 7\nparam name = "a b"\nparam fast = true');
    expect(parameterCell("typescript", { seed: 7, name: "x" })).toBe('const seed = 7;\nconst name = "x";');
    expect(parameterCell("lathe", {})).toBe("");
    expect(() => parameterCell("python", { a: 1 })).toThrow(/Lathe, TypeScript and JavaScript notebooks/);
  });
});

describe.skipIf(!existsSync("/usr/bin/jupyter"))("lathe notebook run", () => {
  let kernel: InstalledKernel;
  beforeAll(async () => {
    kernel = await installTestKernel("lathe-nbrun");
  }, 60_000);
  afterAll(() => kernel?.cleanup());

  const lathe = (args: string[], cwd: string) => {
    const r = spawnSync(process.execPath, [path.join(repo, "bin/lathe.js"), ...args], { cwd, env: kernel.env, encoding: "utf8", timeout: 180_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("runs every cell with the values given after the `parameters` cell, and writes the executed notebook", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "nb.ipynb"), notebook([
      { source: "param seed = 1", tags: ["parameters"] },
      { source: 'source r = sql "select i as x from range(1000) t(i)"\nsplit r into a 50%, b 50% seed seed' },
    ]));
    const split = (file: string) => {
      const cells = (JSON.parse(readFileSync(path.join(dir, file), "utf8")) as { cells: Cell[] }).cells;
      return { cells, line: /split r into a, b: (a \d+, b \d+)/.exec(cells.flatMap((c) => c.outputs).map((o) => text(o.text)).join(""))?.[1] };
    };

    const plain = lathe(["notebook", "run", "nb.ipynb", "--kernel", kernel.name], dir);
    expect(plain.err).toBe("");
    expect(plain.code).toBe(0);
    expect(plain.out).toContain("executed notebook written to nb.run.ipynb");
    const a = split("nb.run.ipynb");
    expect(a.cells).toHaveLength(2);

    const seven = lathe(["notebook", "run", "nb.ipynb", "--kernel", kernel.name, "--param", "seed=7", "-o", "seven.ipynb"], dir);
    expect(seven.code).toBe(0);
    const b = split("seven.ipynb");
    expect(b.cells.map((c) => [text(c.source), c.metadata.tags ?? []])).toEqual([
      ["param seed = 1", ["parameters"]],
      ["param seed = 7", ["injected-parameters"]],
      ['source r = sql "select i as x from range(1000) t(i)"\nsplit r into a 50%, b 50% seed seed', []],
    ]);
    expect(a.line).toBeDefined();
    expect(b.line).toBeDefined();
    expect(b.line).not.toBe(a.line);
  });

  it("exits 1 naming the failing cell, and keeps the notebook run so far", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "bad.ipynb"), notebook([{ source: "param k = 1" }, { source: "show nothing_here" }, { source: "param never = 2" }]));
    const r = lathe(["notebook", "run", "bad.ipynb", "--kernel", kernel.name], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown-dataset|nothing_here/);
    expect(r.err).toContain("a cell of bad.ipynb failed; the notebook up to it is in bad.run.ipynb");
    const cells = (JSON.parse(readFileSync(path.join(dir, "bad.run.ipynb"), "utf8")) as { cells: Cell[] }).cells;
    expect(cells[1].outputs.some((o) => o.output_type === "error")).toBe(true);
    expect(lathe(["notebook", "run", "missing.ipynb"], dir).code).toBe(2);
  });
});
