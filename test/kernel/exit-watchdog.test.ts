// The shutdown's last resort: a process that hangs where none of its own timers can run (here a busy
// loop) is killed by the detached watchdog it armed. Runs the built module, as the kernel does.
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repo } from "../helpers.js";

describe("armExitWatchdog", () => {
  it("SIGKILLs a process still alive after the deadline, even one whose event loop never turns", async () => {
    const module = path.join(repo, "dist", "kernel", "exit-watchdog.js");
    const script = `import { armExitWatchdog } from ${JSON.stringify(module)}; armExitWatchdog(300); for (;;) {}`;
    const t0 = Date.now();
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("exit", (c, s) => resolve([c, s])));
    expect([code, signal]).toEqual([null, "SIGKILL"]);
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 20_000);

  it("leaves a process that exits in time alone (and ends itself)", async () => {
    const module = path.join(repo, "dist", "kernel", "exit-watchdog.js");
    const script = `import { armExitWatchdog } from ${JSON.stringify(module)}; armExitWatchdog(5000); setTimeout(() => process.exit(3), 100);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("exit", (c, s) => resolve([c, s])));
    expect([code, signal]).toEqual([3, null]);
  }, 20_000);
});
