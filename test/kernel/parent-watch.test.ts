// The kernel's watch on the frontend process (JPY_PARENT_PID), on a real child process that is killed:
// gone, or a zombie for as long as node has not reaped it, and dead either way.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { processAlive, watchParent } from "../../kernel/parent-watch.js";

describe("watchParent", () => {
  it("tells a live process from a dead one, and calls back once it dies", async () => {
    expect(processAlive(process.pid)).toBe(true);
    const child = spawn("sleep", ["60"], { stdio: "ignore" });
    const pid = child.pid!;
    expect(processAlive(pid)).toBe(true);
    const died = new Promise<void>((resolve) => watchParent(pid, resolve, 50));
    process.kill(pid, "SIGKILL");
    await died;
    expect(processAlive(pid)).toBe(false);
  });
});
