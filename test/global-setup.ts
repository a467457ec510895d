// The whole run's temporary files go to a folder of its own (TMPDIR, inherited by the test workers and
// every process they start: the CLI, kernels, Jupyter), so what this run leaves behind can be told
// apart from other runs on the same machine. At the end the run fails if any lathe-* folder is left
// there (code or a test that does not clean up after itself); the folder is removed either way.
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** vitest globalSetup: sets TMPDIR; its teardown checks for leftovers and removes the folder. */
export default function setup(): () => void {
  // vitest runs it once for each project: the first makes the folder, the others use it.
  if (process.env.LATHE_SUITE_TMPDIR) return () => {};
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(path.join(tmpdir(), "lathe-suite-"));
  // As open as the system's temp folder (mkdtemp makes it 0700): tests run the CLI as another user.
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  process.env.LATHE_SUITE_TMPDIR = root;
  return () => {
    delete process.env.LATHE_SUITE_TMPDIR;
    const left = readdirSync(root).filter((name) => name.startsWith("lathe-"));
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (left.length) {
      // vitest reports an error thrown here but still exits 0: set the exit code as well.
      process.exitCode = 1;
      throw new Error(`the tests left ${left.length} lathe-* folder(s) in the temp directory: ${left.join(", ")}`);
    }
  };
}
