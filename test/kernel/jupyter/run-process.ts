// Runs a child process to completion without blocking the vitest worker,
// killing it (and failing) after a timeout.
import { spawn } from "node:child_process";

/** The outcome of {@link runProcess}. */
export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns `cmd args` and collects its output; SIGKILLs it after `timeoutMs`. */
export function runProcess(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      // A grandchild (a kernel) that outlives the child would hold the pipes open and
      // delay "close" forever; take what has arrived shortly after the exit.
      const done = (): void => resolve({ code, signal, stdout, stderr });
      const grace = setTimeout(done, 2000);
      child.once("close", () => {
        clearTimeout(grace);
        done();
      });
    });
  });
}
