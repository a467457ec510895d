// The Lathe kernel where notebook users get hurt, driven through jupyter_client (drive_robustness.py):
// interrupts during a DuckDB query, an SVM fit and a wide describe; shutdown during a query;
// stop_on_error against cells sent back to back; outputs before a failure; bounded outputs; a
// frontend that dies. One kernel process per group; both groups run at once.
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { ROOT } from "../jupyter/build-kernel.js";
import { runProcess } from "../jupyter/run-process.js";
import { installTestKernel, type InstalledKernel } from "./install.js";

const PYTHON = "/usr/bin/python3";
const DRIVER = join(ROOT, "test", "kernel", "lathe", "drive_robustness.py");

describe("the Lathe kernel under interrupts, shutdowns, fast failures and a dying frontend", () => {
  let kernel: InstalledKernel;

  beforeAll(async () => {
    kernel = await installTestKernel("lathe-robustness");
  }, 60_000);

  afterAll(() => kernel?.cleanup());

  const group = (name: string) => runProcess(PYTHON, [DRIVER, kernel.name, ROOT, name], { env: kernel.env, timeoutMs: 120_000 });

  it.concurrent("stops DuckDB queries, fits and describes when interrupted, bounds outputs, aborts queued cells, exits during a query", async ({ expect }) => {
    const r = await group("session");
    expect(r.stdout + r.stderr, `exit ${r.code}`).toContain("ALL CHECKS PASSED");
    for (const check of [
      "DuckDB query stopped by interrupt_request",
      "DuckDB query stopped by SIGINT",
      "outputs before a failing statement are kept",
      "SVM fit: interrupt_reply in",
      "describe of 1,500 columns: interrupt_reply in",
      "show bounds its output and says what it leaves out",
      "stop_on_error: 0 queued cells ran in 20 trials",
      "completion of a quoted column, Unicode names, an emoji in a message",
      "shutdown during a DuckDB query: exited in",
    ]) {
      expect(r.stdout).toContain(`ok ${check}`);
    }
    expect(r.code).toBe(0);
  }, 130_000);

  it.concurrent("exits when its frontend's process dies", async ({ expect }) => {
    const r = await group("parent-death");
    expect(r.stdout + r.stderr, `exit ${r.code}`).toContain("ok the kernel exits when its frontend dies");
    expect(r.code).toBe(0);
  }, 130_000);
});
