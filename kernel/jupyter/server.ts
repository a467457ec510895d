/**
 * A Jupyter kernel server (messaging spec 5.3) for any {@link KernelBackend}.
 *
 *   connection file ─▶ bind shell/control/stdin (ROUTER), iopub (PUB), hb (REP, worker thread)
 *   shell   ─▶ one queue, strictly in order: each request is wrapped in busy/idle on iopub
 *   control ─▶ handled at once, even while a cell runs (interrupt, shutdown, kernel_info)
 *   stdin   ─▶ input_reply for a pending ExecuteContext.input
 *
 * After a failed cell with `stop_on_error`, execute requests queued, or arriving
 * until the shell channel has been quiet for a moment, are answered `aborted`
 * without running, as ipykernel does, so "run all" stops at the first error.
 * Shutdown interrupts the running cell and lets it end before the backend
 * closes what it uses.
 */
import * as zmq from "zeromq";
import { CellError, type ExecuteContext, type KernelBackend, type MimeBundle } from "./backend.js";
import { endpoint, readConnectionFile, type ConnectionInfo } from "./connection.js";
import { startHeartbeat, type Heartbeat } from "./heartbeat.js";
import { History, type HistoryQuery } from "./history.js";
import { Session } from "./session.js";
import { decodeMessage, PROTOCOL_VERSION, Signer, type JupyterMessage } from "./wire.js";

/** Options for {@link startKernel}. */
export interface KernelServerOptions {
  /** Interrupt the running cell on SIGINT (kernelspec interrupt_mode "signal"). Default true. */
  handleSigint?: boolean;
  /** Diagnostics sink; defaults to stderr. */
  log?: (message: string) => void;
  /** Called as soon as a shutdown begins (a shutdown_request or {@link KernelServer.shutdown}), before anything is closed. */
  onShutdown?: () => void;
}

/** A running kernel. */
export interface KernelServer {
  readonly connection: ConnectionInfo;
  /** The session id in every header this kernel sends. */
  readonly sessionId: string;
  /** Resolves once the kernel has shut down (after a shutdown_request, or {@link close}). */
  readonly closed: Promise<{ restart: boolean }>;
  /** Aborts the running cell's signal, as interrupt_request does. */
  interrupt(): void;
  /** Shuts down as a shutdown_request does (interrupt, let the cell end, backend shutdown, close), without replying to anyone. */
  shutdown(restart?: boolean): Promise<void>;
  /** Closes every socket and stops the heartbeat. */
  close(): Promise<void>;
}

/** Reads `connectionFile`, binds the five channels and serves `backend` until shut down. */
export async function startKernel(
  connectionFile: string,
  backend: KernelBackend,
  options: KernelServerOptions = {},
): Promise<KernelServer> {
  return serveKernel(await readConnectionFile(connectionFile), backend, options);
}

/** Like {@link startKernel}, from already-parsed connection info. */
export async function serveKernel(
  connection: ConnectionInfo,
  backend: KernelBackend,
  options: KernelServerOptions = {},
): Promise<KernelServer> {
  const kernel = new JupyterKernel(connection, backend, options);
  await kernel.start();
  return kernel;
}

type RouterChannel = "shell" | "control" | "stdin";

interface Running {
  request: JupyterMessage;
  controller: AbortController;
  /** Settles when the cell's execute has returned or thrown. */
  done: Promise<void>;
}

interface PendingInput {
  resolve(value: string): void;
  reject(err: Error): void;
}

const interrupted = (): CellError => new CellError("Interrupted", "execution was interrupted");

class JupyterKernel implements KernelServer {
  readonly sessionId: string;
  readonly closed: Promise<{ restart: boolean }>;

  private readonly session: Session;
  private readonly log: (message: string) => void;
  private readonly routers: Record<RouterChannel, zmq.Router>;
  private readonly iopub: zmq.Publisher;
  private heartbeat: Heartbeat | undefined;
  // zeromq@6 allows one pending send per socket; chaining keeps sends ordered and never concurrent.
  private readonly sendChains = new Map<zmq.Socket, Promise<void>>();

  private readonly history = new History();
  private executionCount = 0;
  private readonly queue: JupyterMessage[] = [];
  private readonly abortedRequests = new WeakSet<JupyterMessage>();
  private draining = false;
  /** Shell messages received so far (to tell when the channel has gone quiet). */
  private shellReceived = 0;
  private running: Running | undefined;
  private pendingInput: PendingInput | undefined;

  private closing = false;
  private restartRequested = false;
  private resolveClosed!: (value: { restart: boolean }) => void;
  private readonly onSigint = (): void => this.interrupt();

  constructor(
    readonly connection: ConnectionInfo,
    private readonly backend: KernelBackend,
    private readonly options: KernelServerOptions,
  ) {
    this.session = new Session(new Signer(connection.key, connection.signature_scheme));
    this.sessionId = this.session.id;
    this.log = options.log ?? ((message) => process.stderr.write(`[${backend.implementation} kernel] ${message}\n`));
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    // Linger lets replies queued just before shutdown reach the frontend.
    this.routers = {
      shell: new zmq.Router({ linger: 1000 }),
      control: new zmq.Router({ linger: 1000 }),
      stdin: new zmq.Router({ linger: 1000 }),
    };
    this.iopub = new zmq.Publisher({ linger: 1000, sendHighWaterMark: 100_000 });
  }

  async start(): Promise<void> {
    try {
      for (const channel of ["shell", "control", "stdin"] as const) {
        await this.routers[channel].bind(endpoint(this.connection, channel));
      }
      await this.iopub.bind(endpoint(this.connection, "iopub"));
      this.heartbeat = await startHeartbeat(endpoint(this.connection, "hb"));
    } catch (err) {
      await this.close();
      throw err;
    }
    if (this.options.handleSigint !== false) process.on("SIGINT", this.onSigint);
    for (const channel of ["shell", "control", "stdin"] as const) void this.receive(channel);
    this.publish("status", { execution_state: "starting" }, undefined);
  }

  interrupt(): void {
    this.running?.controller.abort(interrupted());
  }

  async close(): Promise<void> {
    if (this.closing) {
      await this.closed;
      return;
    }
    this.closing = true;
    process.off("SIGINT", this.onSigint);
    this.running?.controller.abort(interrupted());
    await Promise.allSettled(this.sendChains.values());
    for (const socket of [...Object.values(this.routers), this.iopub]) socket.close();
    await this.heartbeat?.stop();
    this.resolveClosed({ restart: this.restartRequested });
  }

  // ── transport ────────────────────────────────────────────────────────────

  private async receive(channel: RouterChannel): Promise<void> {
    try {
      for await (const frames of this.routers[channel]) {
        let msg: JupyterMessage;
        try {
          msg = decodeMessage(frames, this.session.signer);
        } catch (err) {
          this.log(`${channel}: dropped a message: ${(err as Error).message}`);
          continue;
        }
        if (channel === "shell") {
          this.shellReceived += 1;
          this.enqueue(msg);
        }
        else if (channel === "control") void this.dispatchControl(msg);
        else this.receiveInput(msg);
      }
    } catch (err) {
      if (!this.closing) this.log(`${channel}: receive failed: ${(err as Error).stack ?? String(err)}`);
    }
  }

  private send(socket: zmq.Socket & zmq.Writable, frames: Buffer[]): Promise<void> {
    const previous = this.sendChains.get(socket) ?? Promise.resolve();
    const next = previous.then(() => socket.send(frames)).catch((err: unknown) => {
      if (!this.closing) this.log(`send failed: ${(err as Error).message}`);
    });
    this.sendChains.set(socket, next);
    return next;
  }

  private reply(channel: RouterChannel, request: JupyterMessage, msgType: string, content: unknown): Promise<void> {
    if (this.closing) return Promise.resolve();
    return this.send(this.routers[channel], this.session.frames(msgType, content, request, { identities: request.identities }));
  }

  private publish(msgType: string, content: unknown, parent: JupyterMessage | undefined): void {
    if (this.closing) return;
    const topic = Buffer.from(`kernel.${this.session.id}.${msgType}`, "utf8");
    void this.send(this.iopub, this.session.frames(msgType, content, parent, { identities: [topic] }));
  }

  // ── dispatch ─────────────────────────────────────────────────────────────

  private enqueue(msg: JupyterMessage): void {
    this.queue.push(msg);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let msg = this.queue.shift(); msg && !this.closing; msg = this.queue.shift()) {
        const request = msg;
        try {
          await this.withStatus(request, () =>
            request.header.msg_type === "execute_request" && this.abortedRequests.has(request)
              ? this.reply("shell", request, "execute_reply", { status: "aborted" })
              : this.handle("shell", request),
          );
        } catch (err) {
          // One broken request must not stall the requests queued behind it.
          this.log(`shell: ${request.header.msg_type} failed: ${(err as Error).stack ?? String(err)}`);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Resolves once no shell message has arrived for {@link quietMs} (at most {@link quietMaxMs} in all). */
  private async shellQuiet(): Promise<void> {
    const until = Date.now() + quietMaxMs;
    for (let seen = -1; seen !== this.shellReceived && Date.now() < until; ) {
      seen = this.shellReceived;
      await delay(quietMs);
    }
  }

  private async dispatchControl(msg: JupyterMessage): Promise<void> {
    // A busy/idle pair from control while a cell runs would tell frontends the kernel is idle; skip it then.
    if (this.running) await this.handle("control", msg);
    else await this.withStatus(msg, () => this.handle("control", msg));
  }

  private async withStatus(msg: JupyterMessage, body: () => Promise<void>): Promise<void> {
    this.publish("status", { execution_state: "busy" }, msg);
    try {
      await body();
    } finally {
      this.publish("status", { execution_state: "idle" }, msg);
    }
  }

  private async handle(channel: RouterChannel, msg: JupyterMessage): Promise<void> {
    const type = msg.header.msg_type;
    const content = msg.content;
    try {
      switch (type) {
        case "kernel_info_request":
          return await this.reply(channel, msg, "kernel_info_reply", this.kernelInfo());
        case "execute_request":
          return await this.execute(channel, msg);
        case "complete_request":
          return await this.complete(channel, msg);
        case "inspect_request":
          return await this.inspect(channel, msg);
        case "is_complete_request": {
          const result = await this.backend.isComplete(stringField(content, "code"));
          const reply: Record<string, unknown> = { status: result.status };
          if (result.status === "incomplete") reply.indent = result.indent ?? "";
          return await this.reply(channel, msg, "is_complete_reply", reply);
        }
        case "history_request":
          return await this.reply(channel, msg, "history_reply", {
            status: "ok",
            history: this.history.query(content as HistoryQuery),
          });
        case "comm_info_request":
          return await this.reply(channel, msg, "comm_info_reply", { status: "ok", comms: {} });
        case "comm_open":
          // No comm targets exist: closing the comm tells the frontend at once instead of leaving it dangling.
          this.publish("comm_close", { comm_id: content.comm_id, data: {} }, msg);
          return;
        case "comm_msg":
        case "comm_close":
          return;
        case "connect_request":
          return await this.reply(channel, msg, "connect_reply", {
            status: "ok",
            shell_port: this.connection.shell_port,
            iopub_port: this.connection.iopub_port,
            stdin_port: this.connection.stdin_port,
            control_port: this.connection.control_port,
            hb_port: this.connection.hb_port,
          });
        case "interrupt_request":
          this.interrupt();
          return await this.reply(channel, msg, "interrupt_reply", { status: "ok" });
        case "shutdown_request":
          return await this.shutdownRequest(channel, msg);
        default:
          this.log(`${channel}: ignoring unknown message type ${JSON.stringify(type)}`);
      }
    } catch (err) {
      // A backend bug in complete/inspect/is_complete must not kill the kernel or leave the frontend waiting.
      this.log(`${type} failed: ${(err as Error).stack ?? String(err)}`);
      if (type.endsWith("_request")) {
        const e = toCellError(err, false);
        await this.reply(channel, msg, type.replace(/_request$/, "_reply"), {
          status: "error",
          ename: e.ename,
          evalue: e.evalue,
          traceback: e.traceback,
        });
      }
    }
  }

  // ── handlers ─────────────────────────────────────────────────────────────

  private kernelInfo(): Record<string, unknown> {
    const b = this.backend;
    return {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: b.implementation,
      implementation_version: b.implementationVersion,
      language_info: b.languageInfo,
      banner: b.banner,
      help_links: b.helpLinks ?? [],
      debugger: false,
    };
  }

  private async execute(channel: RouterChannel, msg: JupyterMessage): Promise<void> {
    const c = msg.content;
    const code = stringField(c, "code");
    const silent = c.silent === true;
    const storeHistory = !silent && c.store_history !== false;
    const stopOnError = c.stop_on_error !== false;
    if (storeHistory) {
      this.executionCount += 1;
      this.history.add(this.executionCount, code);
    }
    const count = this.executionCount;
    if (!silent) this.publish("execute_input", { code, execution_count: count }, msg);

    const controller = new AbortController();
    let ended!: () => void;
    this.running = { request: msg, controller, done: new Promise<void>((resolve) => (ended = resolve)) };
    const ctx = this.context(msg, controller.signal, count, silent, c.allow_stdin === true);
    let reply: Record<string, unknown>;
    try {
      const result = await this.backend.execute(code, ctx);
      if (result !== undefined && !silent) {
        this.publish("execute_result", { execution_count: count, data: result, metadata: ctx.resultMetadata ?? {} }, msg);
        const text = result["text/plain"];
        if (storeHistory && typeof text === "string") this.history.setOutput(count, text);
      }
      const userExpressions = await this.userExpressions(c.user_expressions, count);
      reply = { status: "ok", execution_count: count, payload: [], user_expressions: userExpressions };
    } catch (err) {
      const e = toCellError(err, controller.signal.aborted);
      if (!silent) this.publish("error", { ename: e.ename, evalue: e.evalue, traceback: e.traceback }, msg);
      reply = { status: "error", execution_count: count, ename: e.ename, evalue: e.evalue, traceback: e.traceback };
      if (stopOnError) {
        // Cells sent back to back ("run all") may still be in the socket, or on their way, when a
        // cell fails fast: hold the error reply until the shell channel has been quiet for a moment,
        // and abort every execute request that arrived before it. A client that waits for the reply
        // before sending its next cell is never affected.
        await this.shellQuiet();
        for (const queued of this.queue) {
          if (queued.header.msg_type === "execute_request") this.abortedRequests.add(queued);
        }
      }
    } finally {
      this.running = undefined;
      ended();
      this.pendingInput?.reject(interrupted());
      this.pendingInput = undefined;
    }
    await this.reply(channel, msg, "execute_reply", reply);
  }

  private context(
    msg: JupyterMessage,
    signal: AbortSignal,
    executionCount: number,
    silent: boolean,
    allowStdin: boolean,
  ): ExecuteContext {
    const publish = (type: string, content: unknown): void => {
      if (!silent) this.publish(type, content, msg);
    };
    return {
      signal,
      executionCount,
      silent,
      resultMetadata: {},
      stream: (name, text) => {
        if (text) publish("stream", { name, text });
      },
      display: (data, opts = {}) => {
        if (opts.update && !opts.displayId) throw new Error("display: update needs a displayId");
        publish(opts.update ? "update_display_data" : "display_data", {
          data,
          metadata: opts.metadata ?? {},
          transient: opts.displayId ? { display_id: opts.displayId } : {},
        });
      },
      clearOutput: (wait = false) => publish("clear_output", { wait }),
      input: (prompt, opts = {}) => this.requestInput(msg, signal, allowStdin, prompt, opts.password === true),
    };
  }

  private requestInput(
    msg: JupyterMessage,
    signal: AbortSignal,
    allowStdin: boolean,
    prompt: string,
    password: boolean,
  ): Promise<string> {
    if (!allowStdin) {
      return Promise.reject(new CellError("StdinNotImplementedError", "input requests are not supported by this frontend"));
    }
    if (signal.aborted) return Promise.reject(interrupted());
    if (this.pendingInput) return Promise.reject(new Error("input: another input request is pending"));
    return new Promise<string>((resolve, reject) => {
      const onAbort = (): void => settle.reject(interrupted());
      const settle: PendingInput = {
        resolve: (value) => {
          signal.removeEventListener("abort", onAbort);
          this.pendingInput = undefined;
          resolve(value);
        },
        reject: (err) => {
          signal.removeEventListener("abort", onAbort);
          this.pendingInput = undefined;
          reject(err);
        },
      };
      this.pendingInput = settle;
      signal.addEventListener("abort", onAbort, { once: true });
      // The stdin socket shares the shell socket's identity in jupyter_client, so the shell envelope routes it.
      void this.send(
        this.routers.stdin,
        this.session.frames("input_request", { prompt, password }, msg, { identities: msg.identities }),
      );
    });
  }

  private receiveInput(msg: JupyterMessage): void {
    if (msg.header.msg_type !== "input_reply") {
      this.log(`stdin: ignoring ${msg.header.msg_type}`);
      return;
    }
    if (!this.pendingInput) {
      this.log("stdin: input_reply with no pending input request");
      return;
    }
    const value = msg.content.value;
    this.pendingInput.resolve(typeof value === "string" ? value : "");
  }

  private async userExpressions(raw: unknown, count: number): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    if (typeof raw !== "object" || raw === null) return out;
    const quiet: ExecuteContext = {
      signal: new AbortController().signal,
      executionCount: count,
      silent: true,
      stream: () => {},
      display: () => {},
      clearOutput: () => {},
      input: () => Promise.reject(new CellError("StdinNotImplementedError", "no input in user expressions")),
    };
    for (const [name, expr] of Object.entries(raw)) {
      try {
        const data: MimeBundle = (await this.backend.execute(String(expr), quiet)) ?? {};
        out[name] = { status: "ok", data, metadata: {} };
      } catch (err) {
        const e = toCellError(err, false);
        out[name] = { status: "error", ename: e.ename, evalue: e.evalue, traceback: e.traceback };
      }
    }
    return out;
  }

  private async complete(channel: RouterChannel, msg: JupyterMessage): Promise<void> {
    const code = stringField(msg.content, "code");
    const cursor = codePointToIndex(code, msg.content.cursor_pos);
    const r = await this.backend.complete(code, cursor);
    await this.reply(channel, msg, "complete_reply", {
      status: "ok",
      matches: r.matches,
      cursor_start: indexToCodePoint(code, r.cursorStart),
      cursor_end: indexToCodePoint(code, r.cursorEnd),
      metadata: r.metadata ?? {},
    });
  }

  private async inspect(channel: RouterChannel, msg: JupyterMessage): Promise<void> {
    const code = stringField(msg.content, "code");
    const cursor = codePointToIndex(code, msg.content.cursor_pos);
    const detail = typeof msg.content.detail_level === "number" ? msg.content.detail_level : 0;
    const data = await this.backend.inspect(code, cursor, detail);
    await this.reply(channel, msg, "inspect_reply", { status: "ok", found: data !== undefined, data: data ?? {}, metadata: {} });
  }

  async shutdown(restart = false): Promise<void> {
    await this.stopBackend(restart);
    await this.close();
  }

  private shuttingDown = false;

  /** Interrupts the running cell, lets it end (for a while), then shuts the backend down. */
  private async stopBackend(restart: boolean): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.options.onShutdown?.();
    this.restartRequested = restart;
    // Stop the running cell and let it end before the backend closes what it uses: closing a
    // DuckDB connection while its query still runs deadlocks the process on exit.
    const running = this.running;
    this.interrupt();
    if (running) await Promise.race([running.done, delay(shutdownWaitMs)]);
    try {
      await this.backend.shutdown?.(restart);
    } catch (err) {
      this.log(`backend shutdown failed: ${(err as Error).stack ?? String(err)}`);
    }
  }

  private async shutdownRequest(channel: RouterChannel, msg: JupyterMessage): Promise<void> {
    const restart = msg.content.restart === true;
    await this.stopBackend(restart);
    await this.reply(channel, msg, "shutdown_reply", { status: "ok", restart });
    // Also broadcast, so every connected frontend learns of the shutdown (later spec versions require it).
    this.publish("shutdown_reply", { status: "ok", restart }, msg);
    this.publish("status", { execution_state: "idle" }, msg);
    await this.close();
  }
}

/**
 * stop_on_error's window: after a failed cell, execute requests arriving until the shell channel has
 * been quiet this long are aborted (ipykernel flushes its socket the same way); the window never
 * outlasts quietMaxMs, whatever keeps arriving.
 */
const quietMs = 30;
const quietMaxMs = 500;

/** How long shutdown waits for an interrupted cell to end before closing the backend anyway. */
const shutdownWaitMs = 800;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function stringField(content: Record<string, unknown>, key: string): string {
  const value = content[key];
  return typeof value === "string" ? value : "";
}

function toCellError(err: unknown, aborted: boolean): CellError {
  // Duck-typed too: a backend may load CellError from another copy of this module (sources vs dist/).
  if (err instanceof CellError || isCellErrorLike(err)) return err as CellError;
  if (aborted) return interrupted();
  if (err instanceof Error) {
    return new CellError(err.name || "Error", err.message, (err.stack ?? `${err.name}: ${err.message}`).split("\n"));
  }
  return new CellError("Error", String(err));
}

function isCellErrorLike(err: unknown): boolean {
  const e = err as Partial<CellError> | null;
  return typeof e === "object" && e !== null && typeof e.ename === "string" && typeof e.evalue === "string" && Array.isArray(e.traceback);
}

/** Protocol cursors count Unicode code points (spec 5.2+); JavaScript strings index UTF-16 units. */
function codePointToIndex(code: string, cursorPos: unknown): number {
  if (typeof cursorPos !== "number" || cursorPos < 0) return code.length;
  let index = 0;
  for (let n = 0; n < cursorPos && index < code.length; n++) {
    index += code.codePointAt(index)! > 0xffff ? 2 : 1;
  }
  return index;
}

function indexToCodePoint(code: string, index: number): number {
  return [...code.slice(0, Math.max(0, index))].length;
}
