import { readFileSync } from "node:fs";

/**
 * Calls `onDeath` once the process `pid` is gone (checked every `intervalMs`): Jupyter sets
 * JPY_PARENT_PID to the frontend's process, and a kernel whose frontend was killed has no one left
 * to shut it down. A zombie (dead, not yet reaped by its own parent) counts as gone. Returns a stop
 * function; the timer never keeps the process alive by itself.
 */
export function watchParent(pid: number, onDeath: () => void, intervalMs = 1000): () => void {
  const timer = setInterval(() => {
    if (processAlive(pid)) return;
    clearInterval(timer);
    onDeath();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Whether `pid` names a live (not zombie) process. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // Linux: "State:\tZ (zombie)" in /proc/PID/status. Elsewhere the signal check is all there is.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
}
