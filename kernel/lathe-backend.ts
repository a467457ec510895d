import { partDisplay } from "../api/index.js";
import { runMetadata, type Display } from "../api/display.js";
import type { LiteralValue } from "../language/ast.js";
import { renderResult } from "../runtime/ops/index.js";
import { Session } from "../api/session.js";
import { charts, formatDiagnostic, parse, type Program } from "../language/index.js";
import type { RunEvent, StepResult } from "../runtime/results.js";
import { CellError, type CompletionResult, type ExecuteContext, type IsCompleteResult, type KernelBackend, type MimeBundle } from "./jupyter/backend.js";
import { completeCell, inspectCell } from "./lathe-help.js";
import { latheInfo } from "./lathe-info.js";
import { isCommandCell, runCommandCell } from "./lathe-command.js";
import { ServerSet } from "../runtime/serve/server-set.js";

/** The Lathe language in Jupyter: each cell is Lathe code run in one Session, so state lives across cells. */
export class LatheBackend implements KernelBackend {
  readonly languageInfo = latheInfo.languageInfo;
  readonly implementation = latheInfo.implementation;
  readonly implementationVersion = latheInfo.implementationVersion;
  readonly banner = latheInfo.banner;
  readonly helpLinks = latheInfo.helpLinks;

  /** Servers `serve` statements started: they run in the background until the kernel shuts down. */
  readonly servers: ServerSet;

  private constructor(readonly session: Session) {
    this.servers = new ServerSet(session.store.root, (m) => process.stderr.write(`lathe serve: ${m}\n`));
  }

  /**
   * Opens the backend's session; the run store is `store`, else `.lathe` under the kernel's working
   * directory. Under `lathe notebook run`, `notebookRun` is the run every cell is recorded in and
   * `params` the values its `param` statements take.
   */
  static async create(options: { store?: string; notebookRun?: string; params?: Record<string, LiteralValue> } = {}): Promise<LatheBackend> {
    return new LatheBackend(await Session.open({ root: options.store, notebookRun: options.notebookRun, params: options.params }));
  }

  async execute(code: string, ctx: ExecuteContext): Promise<MimeBundle | undefined> {
    if (!code.trim()) return undefined;
    if (isCommandCell(code)) return void (await runCommandCell(code, this.session.store.root, ctx));
    const file = `cell[${ctx.executionCount}]`;
    const progressId = `lathe-progress-${ctx.executionCount}-${Date.now()}`;
    let progressShown = false;
    let lastProgress = 0;
    let lastStep = false;
    // The last statement's result, held back: shown as the cell's Out[n] when it is one bundle.
    let held: Display[] = [];
    const runId: { id?: string } = {};
    const show = (d: Display) => ctx.display(d.data, { metadata: { ...d.metadata, ...runMetadata(runId.id) } });
    const onEvent = (e: RunEvent) => {
      if (ctx.silent) return;
      if (e.type === "step-start") lastStep = e.index === e.total - 1;
      else if (e.type === "progress") {
        const now = Date.now();
        // Frontends choke on hundreds of updates a second; a few per second reads as live.
        if (progressShown && now - lastProgress < 200 && e.step < e.total) return;
        lastProgress = now;
        const text = `${e.unit} ${e.step}/${e.total}${e.loss !== undefined ? `  loss ${e.loss.toFixed(4)}` : ""}${e.valLoss !== undefined ? `  validation loss ${e.valLoss.toFixed(4)}` : ""}`;
        const pct = Math.round((100 * e.step) / Math.max(1, e.total));
        ctx.display({ "text/plain": text, "text/html": `<progress value="${pct}" max="100"></progress> <code>${escapeHtml(text)}</code>` }, { displayId: progressId, update: progressShown });
        progressShown = true;
      } else if (e.type === "step-end") {
        ctx.stream("stdout", `${e.label}${e.failed ? ": failed" : summary(e.result)} (${Math.round(e.ms)} ms)\n`);
        // Each statement's output is shown as it completes, so what ran before a failure (or an
        // interrupt, or during a long later step) is on screen; only the last one waits for the end.
        const displays = e.result ? displaysOf(e.result) : [];
        if (lastStep) held = displays;
        else displays.forEach(show);
      }
    };
    const program = parse(code).program;
    // In a notebook run every cell belongs to the run; otherwise only those worth a record of their own.
    const record = this.session.notebookRun !== undefined || worthRecording(program);
    // The run's id (for each output's metadata) is known before any step ends: it is drawn up front.
    const outcome = await this.session.run(code, { file, signal: ctx.signal, onEvent, record, serving: { start: (spec) => this.servers.start(spec) }, onRunId: (id) => (runId.id = id) });
    const metadata = runMetadata(outcome.runId);
    if (outcome.runId && trainsOrEvaluates(program)) ctx.stream("stdout", this.session.notebookRun ? `recorded in run ${outcome.runId} (the notebook's run)\n` : `recorded as run ${outcome.runId}\n`);
    const errors = outcome.diagnostics.filter((d) => d.severity === "error");
    for (const w of outcome.diagnostics.filter((d) => d.severity !== "error")) ctx.stream("stderr", formatDiagnostic(w, file, code) + "\n");
    if (errors.length) {
      const rendered = errors.map((d) => formatDiagnostic(d, file, code));
      throw new CellError("LatheError", `${errors.length} error${errors.length > 1 ? "s" : ""} in the cell: ${errors[0].message}`, rendered.flatMap((r) => r.split("\n")));
    }
    if (outcome.error) {
      held.forEach(show);
      if (outcome.error.kind === "interrupted") throw new CellError("KeyboardInterrupt", "execution was interrupted; the session and earlier results are intact");
      const ename = outcome.error.kind === "assert" ? "AssertionFailed" : outcome.error.kind === "data" ? "DataError" : "InternalError";
      const traceback = outcome.error.diagnostic ? formatDiagnostic(outcome.error.diagnostic, file, code).split("\n") : [`${ename}: ${outcome.error.message}`];
      throw new CellError(ename, outcome.error.message, traceback);
    }
    // The last statement's result becomes the cell's Out[n] when it is one bundle; a result of several
    // (describe: table, then charts) is shown as displays in its own order instead.
    if (held.length !== 1) {
      held.forEach(show);
      return undefined;
    }
    const last = held[0];
    if (ctx.resultMetadata) Object.assign(ctx.resultMetadata, last.metadata, metadata);
    return last.data;
  }

  complete(code: string, cursorPos: number): CompletionResult {
    return completeCell(this.session, code, cursorPos);
  }

  inspect(code: string, cursorPos: number): MimeBundle | undefined {
    return inspectCell(code, cursorPos);
  }

  isComplete(code: string): IsCompleteResult {
    if (!code.trim() || isCommandCell(code)) return { status: "complete" };
    const errors = parse(code).diagnostics.filter((d) => d.severity === "error");
    if (!errors.length) return { status: "complete" };
    // Incomplete when the text is a valid beginning: its first error is that the input ran out
    // (an open brace, a statement cut short), not a wrong token earlier on. An open string is
    // invalid: a string ends on its own line, so no further line can close it.
    const first = errors.reduce((a, b) => (b.span.start < a.span.start ? b : a));
    if (first.message.startsWith("unexpected end of file")) {
      const open = (code.match(/\{/g) ?? []).length - (code.match(/\}/g) ?? []).length;
      return { status: "incomplete", indent: open > 0 ? "  " : "" };
    }
    return { status: "invalid" };
  }

  private closed = false;

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.servers.closeAll();
    this.session.close();
  }
}

/**
 * Whether a cell becomes a run in the run store: when it trains, measures or plots a model (and for
 * any statement this list does not know). Cells that only define or look at data are not recorded:
 * a record is a journal file under .lathe/runs (cheap), but holds nothing worth reproducing.
 */
function worthRecording(program: Program): boolean {
  const dataOnly = new Set(["param", "source", "prepare", "split", "show", "describe"]);
  return program.statements.some((s) => !(dataOnly.has(s.kind) || (s.kind === "plot" && charts[s.chart.text]?.needs === "dataset")));
}

/** Whether a cell trains or measures a model: its output then says which run recorded it. */
function trainsOrEvaluates(program: Program): boolean {
  const kinds = new Set(["model", "tune", "evaluate", "assert"]);
  return program.statements.some((s) => kinds.has(s.kind) || (s.kind === "plot" && charts[s.chart.text]?.needs !== "dataset"));
}

/** A result's summary for its progress line, unless the displays that follow say it all. */
function summary(r: StepResult | undefined): string {
  if (!r) return "";
  const rendered = renderResult(r);
  return rendered.partsSuffice && rendered.parts.length && !r.reused ? "" : `: ${rendered.summary}`;
}

/** The displays of a result: its op's parts (tables as HTML + text, charts as their multi-MIME bundle). */
function displaysOf(r: StepResult): Display[] {
  return renderResult(r).parts.map(partDisplay);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
