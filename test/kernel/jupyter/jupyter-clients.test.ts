// End-to-end: the echo test kernel (fixtures/) installed as a real kernelspec and
// driven by Jupyter's own Python clients — a jupyter_client script and the
// jupyter_kernel_test conformance suite.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { installKernelSpec } from "../../../kernel/jupyter/kernelspec.js";
import { buildKernelModules, ROOT } from "./build-kernel.js";
import { runProcess } from "./run-process.js";

const PYTHON = "/usr/bin/python3";
const FIXTURES = join(ROOT, "test", "kernel", "jupyter", "fixtures");
const KERNEL_NAME = "lathe-echo-test";

describe("the Jupyter server through real Jupyter clients", () => {
  let build: { dir: string; cleanup(): void };
  let prefix: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    build = buildKernelModules();
    prefix = mkdtempSync(join(tmpdir(), "lathe-kernelspec-"));
    await installKernelSpec({
      name: KERNEL_NAME,
      displayName: "Echo (Lathe kernel test)",
      language: "echo",
      argv: [process.execPath, join(FIXTURES, "echo-kernel.mjs"), "--connection-file", "{connection_file}"],
      env: { LATHE_KERNEL_JUPYTER_DIR: build.dir },
      prefix,
    });
    env = {
      ...process.env,
      JUPYTER_PATH: join(prefix, "share", "jupyter"),
      ECHO_KERNEL_NAME: KERNEL_NAME,
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
    };
  }, 60_000);

  afterAll(() => {
    build?.cleanup();
    if (prefix) rmSync(prefix, { recursive: true, force: true });
  });

  // Concurrent: both mostly wait on the kernel, and each starts its own kernel process.
  it.concurrent("passes every check of a jupyter_client session", async ({ expect }) => {
    const r = await runProcess(PYTHON, [join(FIXTURES, "drive_echo_kernel.py"), KERNEL_NAME], {
      env,
      timeoutMs: 45_000,
    });
    expect(r.stdout + r.stderr, `exit ${r.code}`).toContain("ALL CHECKS PASSED");
    expect(r.code).toBe(0);
    for (const check of ["stop_on_error aborts queued cells", "interrupt by SIGINT", "heartbeat during blocking cell", "shutdown"]) {
      expect(r.stdout).toContain(`ok ${check}`);
    }
  }, 50_000);

  it.concurrent("passes the jupyter_kernel_test conformance suite", async ({ expect }) => {
    const r = await runProcess(PYTHON, ["-m", "unittest", "-v", "test_echo_kernel"], {
      cwd: FIXTURES,
      env,
      timeoutMs: 45_000,
    });
    expect(r.code, r.stderr).toBe(0);
    // unittest reports on stderr; only the pager test (no pager payloads) may be skipped.
    expect(r.stderr).toMatch(/Ran 12 tests/);
    expect(r.stderr).toMatch(/OK \(skipped=1\)/);
    expect(r.stderr).toMatch(/test_pager .* skipped/);
  }, 50_000);
});
