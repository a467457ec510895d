import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CompletionResult, ExecuteContext, IsCompleteResult, KernelBackend, MimeBundle } from "./jupyter/backend.js";
import { installKernelSpec, uninstallKernelSpec } from "./jupyter/kernelspec.js";
import { startKernel } from "./jupyter/server.js";
import { latheInfo } from "./lathe-info.js";
import { armExitWatchdog } from "./exit-watchdog.js";
import { watchParent } from "./parent-watch.js";

/** How long after a shutdown begins the kernel process is killed if it has not exited by itself. */
const exitDeadlineMs = 2000;

/**
 * A backend that answers kernel_info at once and loads the real one (DuckDB, TensorFlow.js, Vega:
 * about a second) in the background; requests that need it wait for it. Jupyter times a kernel's
 * start-up by its first kernel_info_reply, and a user typing the first cell hides the rest.
 */
export class DeferredBackend implements KernelBackend {
  readonly languageInfo = latheInfo.languageInfo;
  readonly implementation = latheInfo.implementation;
  readonly implementationVersion = latheInfo.implementationVersion;
  readonly banner = latheInfo.banner;
  readonly helpLinks = latheInfo.helpLinks;
  private loading: Promise<KernelBackend> | undefined;

  constructor(private readonly load: () => Promise<KernelBackend>) {}

  /** The real backend, loading it on first use. */
  ready(): Promise<KernelBackend> {
    return (this.loading ??= this.load());
  }

  async execute(code: string, ctx: ExecuteContext): Promise<MimeBundle | undefined> {
    return (await this.ready()).execute(code, ctx);
  }

  async complete(code: string, cursorPos: number): Promise<CompletionResult> {
    return (await this.ready()).complete(code, cursorPos);
  }

  async inspect(code: string, cursorPos: number, detailLevel: number): Promise<MimeBundle | undefined> {
    return (await this.ready()).inspect(code, cursorPos, detailLevel);
  }

  async isComplete(code: string): Promise<IsCompleteResult> {
    return (await this.ready()).isComplete(code);
  }

  async shutdown(restart: boolean): Promise<void> {
    // Nothing to release when no request ever needed the runtime.
    if (this.loading) await (await this.loading).shutdown?.(restart);
  }
}

/** Runs the Lathe kernel on a Jupyter connection file until Jupyter shuts it down. */
export async function runKernel(connectionFile: string): Promise<void> {
  const backend = new DeferredBackend(async () => {
    const { LatheBackend } = await import("./lathe-backend.js");
    const { sessionOptionsFromEnv } = await import("../api/notebook-run-env.js");
    const { root, ...notebookRun } = sessionOptionsFromEnv();
    return LatheBackend.create({ store: root, ...notebookRun });
  });
  // Shutdown lets an interrupted cell end and closes DuckDB in order, which takes well under a second;
  // should anything hang (a native thread on exit), the watchdog ends the process 2 s after the request.
  const server = await startKernel(connectionFile, backend, { onShutdown: () => armExitWatchdog(exitDeadlineMs) });
  // Loading evaluates a few hundred modules synchronously; starting it a moment after binding lets the
  // frontend's first kernel_info_request (sent as soon as it connects) be answered before that.
  setTimeout(() => void backend.ready().catch(() => {}), 150);
  const parent = Number(process.env.JPY_PARENT_PID);
  if (Number.isInteger(parent) && parent > 1) {
    watchParent(parent, () => {
      process.stderr.write(`[lathe kernel] the frontend (process ${parent}) is gone: shutting down\n`);
      void server.shutdown();
    });
  }
  // The server calls backend.shutdown itself; a restart is Jupyter starting a new process.
  await server.closed;
}

/** The repository (package) root: the nearest folder above this module holding package.json. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The command Jupyter runs to start the kernel: node on the compiled entry, with absolute paths. */
export function kernelArgv(): string[] {
  return [process.execPath, path.join(packageRoot(), "dist", "kernel", "start.js"), "--connection-file", "{connection_file}"];
}

/** Registers the Lathe kernel with Jupyter, with absolute paths so it starts from any notebook folder. */
export async function installLatheKernel(options: { user?: boolean; prefix?: string; name?: string }): Promise<string> {
  return installKernelSpec({
    name: options.name ?? "lathe",
    displayName: "Lathe",
    language: "lathe",
    argv: kernelArgv(),
    user: options.user,
    prefix: options.prefix,
  });
}

/** Removes the Lathe kernel from Jupyter. */
export async function uninstallLatheKernel(options: { name?: string; prefix?: string }): Promise<void> {
  await uninstallKernelSpec(options.name ?? "lathe", { prefix: options.prefix });
}
