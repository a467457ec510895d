import path from "node:path";
import { fileURLToPath } from "node:url";
import { installKernelSpec, uninstallKernelSpec } from "./jupyter/kernelspec.js";
import { startKernel } from "./jupyter/server.js";
import { LatheBackend } from "./lathe-backend.js";

/** Runs the Lathe kernel on a Jupyter connection file until Jupyter shuts it down. */
export async function runKernel(connectionFile: string): Promise<void> {
  const backend = await LatheBackend.create();
  const server = await startKernel(connectionFile, backend);
  // The server calls backend.shutdown itself; a restart is Jupyter starting a new process.
  await server.closed;
}

/** Registers the Lathe kernel with Jupyter, with absolute paths so it starts from any notebook folder. */
export async function installLatheKernel(options: { user?: boolean; prefix?: string; name?: string }): Promise<string> {
  const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bin/lathe.js");
  return installKernelSpec({
    name: options.name ?? "lathe",
    displayName: "Lathe",
    language: "lathe",
    argv: [process.execPath, bin, "kernel", "start", "--connection-file", "{connection_file}"],
    user: options.user,
    prefix: options.prefix,
  });
}

/** Removes the Lathe kernel from Jupyter. */
export async function uninstallLatheKernel(options: { name?: string; prefix?: string }): Promise<void> {
  await uninstallKernelSpec(options.name ?? "lathe", { prefix: options.prefix });
}
