// End-to-end: the Lathe kernel installed as a real kernelspec and driven by Jupyter's own Python
// clients — a jupyter_client script (interrupts, completion, inspect, errors, progress, heartbeat)
// and the jupyter_kernel_test conformance suite. The kernel runs from the repository root, so
// "vega-datasets/data/..." paths resolve through node_modules.
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { ROOT } from "../jupyter/build-kernel.js";
import { runProcess } from "../jupyter/run-process.js";
import { installTestKernel, type InstalledKernel } from "./install.js";

const PYTHON = "/usr/bin/python3";
const HERE = join(ROOT, "test", "kernel", "lathe");

describe("the Lathe kernel through real Jupyter clients", () => {
  let kernel: InstalledKernel;

  beforeAll(async () => {
    kernel = await installTestKernel("lathe-test");
  }, 60_000);

  afterAll(() => kernel?.cleanup());

  // Concurrent: both mostly wait on their own kernel process.
  it.concurrent("passes every check of a jupyter_client session", async ({ expect }) => {
    const r = await runProcess(PYTHON, [join(HERE, "drive_lathe_kernel.py"), kernel.name, ROOT], {
      env: kernel.env,
      timeoutMs: 90_000,
    });
    expect(r.stdout + r.stderr, `exit ${r.code}`).toContain("ALL CHECKS PASSED");
    expect(r.code).toBe(0);
    for (const check of [
      "complete column names",
      "inspect algorithm, option, statement",
      "failing cell with line:col and caret, then a passing cell",
      "stop_on_error aborts queued cells",
      "progress as display_data then update_display_data",
      "heartbeat while training",
      "interrupt by SIGINT during training",
      "interrupt by interrupt_request during training",
      "chart bundle",
      "run id shown",
      "shutdown",
    ]) {
      expect(r.stdout).toContain(`ok ${check}`);
    }
  }, 100_000);

  it.concurrent("passes the jupyter_kernel_test conformance suite", async ({ expect }) => {
    const r = await runProcess(PYTHON, ["-m", "unittest", "-v", "test_lathe_kernel"], {
      cwd: ROOT,
      env: { ...kernel.env, PYTHONPATH: HERE, LATHE_KERNEL_NAME: kernel.name },
      timeoutMs: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    // unittest reports on stderr. Skipped: stdout (Lathe has no print), pager, clear_output.
    expect(r.stderr).toMatch(/Ran 12 tests/);
    expect(r.stderr).toMatch(/OK \(skipped=3\)/);
    for (const t of ["test_execute_stdout", "test_pager", "test_clear_output"]) expect(r.stderr).toMatch(new RegExp(`${t} .* skipped`));
  }, 100_000);
});
