/**
 * The contract between the Jupyter protocol layer (this folder) and a language.
 *
 * The server owns sockets, signing, ordering, status and history; a backend only
 * runs code and answers editor questions. Everything here is transport-free so a
 * backend can be unit-tested without ZeroMQ.
 */

/**
 * A MIME bundle: MIME type → representation. Text types are strings, `+json`
 * types plain JSON objects, binary types (image/png) base64 strings.
 */
export type MimeBundle = Record<string, unknown>;

/** Options for {@link ExecuteContext.display}. */
export interface DisplayOptions {
  metadata?: Record<string, unknown>;
  /** Names the output so a later call with `update: true` can replace it in place. */
  displayId?: string;
  /** Replace the output previously shown under `displayId` instead of adding one. */
  update?: boolean;
}

/** What a running cell may do besides returning a value. */
export interface ExecuteContext {
  /** Appends text to the cell's stdout or stderr. */
  stream(name: "stdout" | "stderr", text: string): void;
  /** Shows a rich output now (before the cell's result). */
  display(data: MimeBundle, opts?: DisplayOptions): void;
  /** Clears the cell's outputs; with `wait`, only once the next output arrives (avoids flicker). */
  clearOutput(wait?: boolean): void;
  /**
   * Asks the user for a line of text through the frontend's stdin channel.
   * Rejects with a {@link CellError} when the frontend does not allow stdin,
   * and when the cell is interrupted while waiting.
   */
  input(prompt: string, opts?: { password?: boolean }): Promise<string>;
  /** Aborted on interrupt_request or SIGINT; long computations must check it and stop. */
  signal: AbortSignal;
  /** The execution count of this cell (unchanged for silent cells). */
  executionCount: number;
  /** True for `silent` requests: outputs are dropped, so a backend may skip producing them. */
  silent: boolean;
  /** Metadata of the cell's execute_result (the bundle `execute` returns); a backend may add to it. */
  resultMetadata?: Record<string, unknown>;
}

/**
 * A user-facing failure of a cell (syntax error, failed assertion, interrupt).
 * The server reports it as an `error` output and an error reply; the kernel lives on.
 * Any other exception thrown by a backend is reported the same way, with its stack.
 */
export class CellError extends Error {
  readonly ename: string;
  readonly evalue: string;
  readonly traceback: string[];

  constructor(ename: string, evalue: string, traceback?: string[]) {
    super(evalue);
    this.name = "CellError";
    this.ename = ename;
    this.evalue = evalue;
    this.traceback = traceback ?? [`${ename}: ${evalue}`];
  }
}

/** Static facts about the language, sent in kernel_info_reply. */
export interface LanguageInfo {
  name: string;
  version: string;
  mimetype: string;
  file_extension: string;
  codemirror_mode?: string | Record<string, unknown>;
  pygments_lexer?: string;
  nbconvert_exporter?: string;
}

/** Completion candidates replacing `code.slice(cursorStart, cursorEnd)`. */
export interface CompletionResult {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
  metadata?: Record<string, unknown>;
}

/** Whether a frontend should run the code on Enter or keep editing (consoles use this). */
export interface IsCompleteResult {
  status: "complete" | "incomplete" | "invalid" | "unknown";
  /** For `incomplete`: the indentation to put on the next line. */
  indent?: string;
}

/** A language the Jupyter server can host. */
export interface KernelBackend {
  languageInfo: LanguageInfo;
  implementation: string;
  implementationVersion: string;
  banner: string;
  helpLinks?: { text: string; url: string }[];
  /**
   * Runs one cell. A returned bundle becomes the cell's `execute_result`.
   * Must yield to the event loop during long work (so interrupts and control
   * messages are seen) and throw {@link CellError} for user errors.
   */
  execute(code: string, ctx: ExecuteContext): Promise<MimeBundle | undefined>;
  /** Completions at `cursorPos` (a JavaScript string index into `code`). */
  complete(code: string, cursorPos: number): CompletionResult | Promise<CompletionResult>;
  /** Documentation for the thing at `cursorPos`; undefined when nothing is found. */
  inspect(
    code: string,
    cursorPos: number,
    detailLevel: number,
  ): MimeBundle | undefined | Promise<MimeBundle | undefined>;
  /** Whether `code` is ready to run. */
  isComplete(code: string): IsCompleteResult | Promise<IsCompleteResult>;
  /** Releases resources before the kernel exits (or restarts, when `restart`). */
  shutdown?(restart: boolean): Promise<void>;
}
