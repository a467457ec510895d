import { spawn } from "node:child_process";

/**
 * The last resort of a kernel shutdown: a small detached process that kills this one with SIGKILL
 * if it is still alive after `ms`. It lives outside this process because what it guards against is
 * this process hanging where none of its own timers can run (a native worker deadlocked in an exit
 * handler, a synchronous close). It polls, so it ends as soon as this process is gone.
 */
export function armExitWatchdog(ms: number): void {
  const script = `
const [pid, ms] = [Number(process.argv[1]), Number(process.argv[2])];
const deadline = Date.now() + ms;
const alive = () => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === "EPERM"; } };
const tick = () => {
  if (!alive()) return;
  if (Date.now() >= deadline) { try { process.kill(pid, "SIGKILL"); } catch {} return; }
  setTimeout(tick, 50);
};
tick();`;
  try {
    spawn(process.execPath, ["-e", script, String(process.pid), String(ms)], { detached: true, stdio: "ignore" }).unref();
  } catch {
    // Without a watchdog the ordinary exit still happens; there is nothing better to do here.
  }
}
