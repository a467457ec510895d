/**
 * The kernel process's entry, `node dist/kernel/start.js --connection-file FILE`, as registered by
 * `lathe kernel install`. It imports only the Jupyter server up front (not the CLI, which loads the
 * whole runtime), so Jupyter sees the kernel ready within a fraction of a second.
 */
import { runKernel } from "./main.js";

const i = process.argv.findIndex((a) => a === "--connection-file" || a === "-f");
const file = i >= 0 ? process.argv[i + 1] : undefined;
if (!file) {
  process.stderr.write("usage: node start.js --connection-file FILE\n");
  process.exitCode = 2;
} else {
  await runKernel(file);
}
// Everything is closed by now; a worker pool or native handle left behind must not keep the process
// (and Jupyter's restart) waiting. Unref'd, this timer never delays a clean exit.
setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
