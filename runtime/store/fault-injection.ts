/**
 * Fault injection for the reliability tests, read once from `LATHE_FAULTS` (comma-separated):
 *
 * - `enospc-after=BYTES`: the store's own writes in this process behave as if the disk had BYTES
 *   left: the write that crosses the limit writes what fits, then fails with a real-shaped ENOSPC.
 * - `crash-at=POINT[:N]`: the process kills itself with SIGKILL the Nth time (default 1st) it
 *   reaches a named write phase (see `crashPoint` calls), the way `kill -9` would.
 * - `pause-at=POINT:MS`: the process sleeps MS milliseconds each time it reaches a named point (see
 *   `pausePoint` calls), so a test can act while it is there (a second retrain while one holds the lock).
 *
 * Unset (always, outside tests), every hook is a no-op costing one property read.
 */
const spec = parse(process.env.LATHE_FAULTS ?? "");
let budget = spec.enospcAfter;
let hits = 0;

function parse(text: string): { enospcAfter?: number; crashAt?: string; crashOn: number; pauseAt?: string; pauseMs: number } {
  const out: { enospcAfter?: number; crashAt?: string; crashOn: number; pauseAt?: string; pauseMs: number } = { crashOn: 1, pauseMs: 0 };
  for (const part of text.split(",").filter(Boolean)) {
    const [key, value = ""] = part.split("=");
    if (key === "enospc-after") out.enospcAfter = Number(value);
    if (key === "crash-at") {
      const [point, n] = value.split(":");
      out.crashAt = point;
      out.crashOn = n ? Number(n) : 1;
    }
    if (key === "pause-at") {
      const [point, ms] = value.split(":");
      out.pauseAt = point;
      out.pauseMs = Number(ms) || 0;
    }
  }
  return out;
}

/** Dies by SIGKILL here if the tests asked for a crash at this point (and this is the Nth time). */
export function crashPoint(point: string): void {
  if (spec.crashAt !== point || ++hits !== spec.crashOn) return;
  process.kill(process.pid, "SIGKILL");
}

/** Sleeps here (blocking the process, as a slow step would) if the tests asked for a pause at this point. */
export function pausePoint(point: string): void {
  if (spec.pauseAt !== point || !spec.pauseMs) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, spec.pauseMs);
}

/** How many of `bytes` the injected disk still takes (all of them when no fault is injected). */
export function writableBytes(bytes: number): number {
  if (budget === undefined) return bytes;
  const n = Math.max(0, Math.min(bytes, budget));
  budget -= n;
  return n;
}

/** The error a full disk gives, as Node's fs would raise it. */
export function enospc(syscall: string, file: string): NodeJS.ErrnoException {
  const e = new Error(`ENOSPC: no space left on device, ${syscall} '${file}'`) as NodeJS.ErrnoException;
  e.code = "ENOSPC";
  e.errno = -28;
  e.syscall = syscall;
  e.path = file;
  return e;
}
