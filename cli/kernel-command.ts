import { fileProblem } from "../runtime/data/file-access.js";
import { exitCodes } from "./exit-codes.js";

/**
 * `lathe kernel install|uninstall|start`. What goes wrong here is the user's setup — Jupyter missing
 * or refusing, a kernel that is not installed, a connection file that is not there — and is said in
 * one line, never as an internal error.
 */

/** `lathe kernel install`: registers the Lathe kernel; returns the exit code. */
export async function kernelInstallCommand(opts: { user?: boolean; prefix?: string; name: string }): Promise<number> {
  const { installLatheKernel } = await import("../kernel/main.js");
  return jupyterCommand(async () => {
    const dir = await installLatheKernel(opts);
    process.stdout.write(`installed the Lathe kernel in ${dir}\n`);
  });
}

/** `lathe kernel uninstall`: removes it; one that is not installed is said, and nothing is left to do (exit 0). */
export async function kernelUninstallCommand(opts: { prefix?: string; name: string }): Promise<number> {
  const { uninstallLatheKernel } = await import("../kernel/main.js");
  const { KernelSpecNotInstalled } = await import("../kernel/jupyter/kernelspec.js");
  try {
    return await jupyterCommand(async () => {
      await uninstallLatheKernel(opts);
      process.stdout.write(`removed the ${opts.name} kernel\n`);
    });
  } catch (e) {
    if (!(e instanceof KernelSpecNotInstalled)) throw e;
    process.stderr.write(`lathe: ${e.message}; nothing to remove (\`jupyter kernelspec list\` shows what is)\n`);
    return exitCodes.ok;
  }
}

/** `lathe kernel start -f FILE`: runs the kernel; a connection file that cannot be read or is not one is a usage error. */
export async function kernelStartCommand(connectionFile: string): Promise<number> {
  const { readConnectionFile } = await import("../kernel/jupyter/connection.js");
  try {
    await readConnectionFile(connectionFile);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code ? `cannot read ${connectionFile}: ${fileProblem(err)}` : err.message;
    process.stderr.write(`lathe: error[bad-connection-file]: ${why} (Jupyter writes this file and passes it with -f when it starts a kernel)\n`);
    return exitCodes.usage;
  }
  const { runKernel } = await import("../kernel/main.js");
  await runKernel(connectionFile);
  return exitCodes.ok;
}

/** Runs a step that calls Jupyter; its refusals (and a kernel name it would refuse) become `lathe: error[kernelspec]: ...`, exit 2. */
async function jupyterCommand(step: () => Promise<void>): Promise<number> {
  const { KernelSpecError, KernelSpecNotInstalled } = await import("../kernel/jupyter/kernelspec.js");
  try {
    await step();
    return exitCodes.ok;
  } catch (e) {
    if (!(e instanceof KernelSpecError) || e instanceof KernelSpecNotInstalled) throw e;
    process.stderr.write(`lathe: error[kernelspec]: ${e.message}\n`);
    return exitCodes.usage;
  }
}
