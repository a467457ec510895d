import { describe, expect, it } from "vitest";
import { cellSource, NotebookParamError, parameterCell, prepareNotebook, type Notebook } from "../../cli/notebook-params.js";

/** A notebook of code cells (`tags` optional) in `language`. */
function notebook(language: string, cells: { source: string; tags?: string[] }[]): Notebook {
  return {
    cells: cells.map((c, i) => ({ cell_type: "code", id: `c${i}`, metadata: c.tags ? { tags: c.tags } : {}, source: c.source, execution_count: null, outputs: [] })),
    metadata: { kernelspec: { name: language, language } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}
const shape = (nb: Notebook) => nb.cells.map((c) => [cellSource(c), c.metadata.tags ?? []]);

describe("parameterCell", () => {
  it("writes Lathe params and TypeScript constants, and refuses other languages", () => {
    expect(parameterCell("lathe", { seed: 7, name: "a b", fast: true })).toBe('param seed = 7\nparam name = "a b"\nparam fast = true');
    expect(parameterCell("typescript", { seed: 7, name: "x" })).toBe('const seed = 7;\nconst name = "x";');
    expect(parameterCell("lathe", {})).toBe("");
    expect(() => parameterCell("python", { a: 1 })).toThrow(/Lathe, TypeScript and JavaScript notebooks/);
  });
});

describe("prepareNotebook", () => {
  const options = { params: { seed: 7 }, runId: "20260101-000000-abcdef", file: "nb.ipynb" };

  it("puts the values right after the `parameters` cell, replacing an earlier injection, and records them in the metadata", () => {
    const nb = notebook("lathe", [{ source: "param seed = 1", tags: ["parameters"] }, { source: "param seed = 3", tags: ["injected-parameters"] }, { source: "param other = 2" }]);
    const p = prepareNotebook(nb, { ...options, language: "lathe" });
    expect(shape(p.notebook)).toEqual([
      ["param seed = 1", ["parameters"]],
      ["param seed = 7", ["injected-parameters"]],
      ["param other = 2", []],
    ]);
    expect(p.notebook.cells[1].id).toBe("injected-parameters");
    expect(p.warning).toBeUndefined();
    expect(p.notebook.metadata.papermill).toEqual({ parameters: { seed: 7 } });
    expect(p.notebook.metadata.lathe).toEqual({ run_id: options.runId });
    expect(p.programText).toBe("param seed = 1\n\nparam seed = 7\n\nparam other = 2");
  });

  it("without a `parameters` cell: a Lathe notebook gets no cell (its kernel pins the values), a TypeScript one a first cell; both a warning", () => {
    const lathe = prepareNotebook(notebook("lathe", [{ source: "source r = sql \"select 1 as x\"" }, { source: "param seed = 1" }]), { ...options, language: "lathe" });
    expect(shape(lathe.notebook)).toEqual([
      ['source r = sql "select 1 as x"', []],
      ["param seed = 1", []],
    ]);
    expect(lathe.warning).toMatch(/^nb\.ipynb has no cell tagged "parameters": every `param` statement named seed takes the value given; tag the cell/);

    const ts = prepareNotebook(notebook("typescript", [{ source: "const seed = 1;" }]), { ...options, language: "typescript" });
    expect(shape(ts.notebook)).toEqual([
      ["const seed = 7;", ["injected-parameters"]],
      ["const seed = 1;", []],
    ]);
    expect(ts.warning).toMatch(/a later declaration of the same name overrides them/);
  });

  it("no values: nothing injected, no warning, an empty `parameters` record", () => {
    const p = prepareNotebook(notebook("lathe", [{ source: "param seed = 1" }]), { ...options, params: {}, language: "lathe" });
    expect(shape(p.notebook)).toEqual([["param seed = 1", []]]);
    expect(p.warning).toBeUndefined();
    expect(p.notebook.metadata.papermill).toEqual({ parameters: {} });
  });

  it("a value no `param` of a Lathe notebook declares is `unknown-param`", () => {
    const nb = notebook("lathe", [{ source: "param seed = 1", tags: ["parameters"] }]);
    const e = (() => {
      try {
        prepareNotebook(nb, { ...options, params: { seed: 2, rate: 0.1 }, language: "lathe" });
      } catch (err) {
        return err as NotebookParamError;
      }
    })();
    expect(e).toBeInstanceOf(NotebookParamError);
    expect(e?.code).toBe("unknown-param");
    expect(e?.message).toBe("--param rate does not match any `param` in nb.ipynb (its params: seed)");
  });
});
