import type { LiteralValue } from "../language/ast.js";
import { parse } from "../language/index.js";

/** The parts of an nbformat 4 notebook that `lathe notebook run` reads and writes. */
export interface Notebook {
  cells: NotebookCell[];
  metadata: { kernelspec?: { name?: string; language?: string }; language_info?: { name?: string }; [key: string]: unknown };
  nbformat: number;
  nbformat_minor: number;
}

export interface NotebookCell {
  cell_type: string;
  id?: string;
  source: string | string[];
  metadata: { tags?: string[]; [key: string]: unknown };
  [key: string]: unknown;
}

/** A notebook ready to execute, with what the run records of it and what the user should hear. */
export interface PreparedNotebook {
  notebook: Notebook;
  /** The code cells' text, in order (the run's program text). */
  programText: string;
  /** Said on stderr before running, e.g. that no cell is tagged `parameters`. */
  warning?: string;
}

/** A `--param` the notebook cannot take: exit 2 with its code. */
export class NotebookParamError extends Error {
  constructor(
    message: string,
    readonly code: "unknown-param" | "unsupported-language",
  ) {
    super(message);
  }
}

/** A cell's source as one string (nbformat allows a list of lines). */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** The injected cell's code for a kernel language. */
export function parameterCell(language: string, params: Record<string, LiteralValue>): string {
  const entries = Object.entries(params);
  if (!entries.length) return "";
  if (language === "lathe") return entries.map(([k, v]) => `param ${k} = ${typeof v === "string" ? JSON.stringify(v) : String(v)}`).join("\n");
  if (language === "typescript" || language === "javascript") return entries.map(([k, v]) => `const ${k} = ${JSON.stringify(v)};`).join("\n");
  throw new NotebookParamError(`cannot inject parameters into a ${language || "notebook of unknown language"}: Lathe, TypeScript and JavaScript notebooks are supported`, "unsupported-language");
}

const tagged = (cell: NotebookCell, tag: string) => (cell.metadata?.tags ?? []).includes(tag);

/**
 * Prepares a notebook for `lathe notebook run`, papermill's way: a previous `injected-parameters`
 * cell is dropped, and the values go into a new one right after the cell tagged `parameters`; the
 * values are written to `metadata.papermill.parameters` and the run id to `metadata.lathe.run_id`.
 * Without a `parameters` cell a Lathe notebook gets no cell (its kernel gives every `param` of a
 * given name the value, wherever it is) and a TypeScript one gets it first, where a later
 * declaration would override it; either way with a warning. In a Lathe notebook a value no
 * `param` declares is an error, as it is for `lathe run`.
 */
export function prepareNotebook(nb: Notebook, options: { language: string; params: Record<string, LiteralValue>; runId: string; file: string }): PreparedNotebook {
  const { language, params, file } = options;
  const cells = nb.cells.filter((c) => !tagged(c, "injected-parameters"));
  const names = Object.keys(params);
  let warning: string | undefined;
  if (names.length) {
    const source = parameterCell(language, params);
    if (language === "lathe") {
      const declared = new Set(cells.filter((c) => c.cell_type === "code").flatMap((c) => parse(cellSource(c)).program.statements.flatMap((s) => (s.kind === "param" ? [s.name.text] : []))));
      const unknown = names.filter((n) => !declared.has(n));
      if (unknown.length) throw new NotebookParamError(`--param ${unknown.join(", ")} ${unknown.length === 1 ? "does" : "do"} not match any \`param\` in ${file}${declared.size ? ` (its params: ${[...declared].join(", ")})` : ""}`, "unknown-param");
    }
    const at = cells.findIndex((c) => tagged(c, "parameters"));
    const injected: NotebookCell = {
      cell_type: "code",
      ...(nb.nbformat > 4 || nb.nbformat_minor >= 5 ? { id: "injected-parameters" } : {}),
      metadata: { tags: ["injected-parameters"] },
      source,
      execution_count: null,
      outputs: [],
    };
    const advice = 'tag the cell that sets them "parameters" (papermill\'s convention) to have the values set right after it';
    if (at >= 0) cells.splice(at + 1, 0, injected);
    else if (language === "lathe") warning = `${file} has no cell tagged "parameters": every \`param\` statement named ${names.join(", ")} takes the value given; ${advice}`;
    else {
      cells.unshift(injected);
      warning = `${file} has no cell tagged "parameters": the values (${names.join(", ")}) are set in a first cell, where a later declaration of the same name overrides them; ${advice}`;
    }
  }
  const notebook: Notebook = { ...nb, cells, metadata: { ...nb.metadata, papermill: { parameters: params }, lathe: { run_id: options.runId } } };
  const programText = cells.filter((c) => c.cell_type === "code").map(cellSource).join("\n\n");
  return { notebook, programText, ...(warning ? { warning } : {}) };
}
