import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Which process wrote something, precisely enough to tell later whether it is still alive: a pid
 * alone is reused, so on Linux the process's start time (clock ticks since boot, from
 * /proc/PID/stat) and the boot id go with it.
 */
export interface ProcessOwner {
  pid: number;
  host: string;
  boot?: string;
  start?: number;
}

let self: ProcessOwner | undefined;

/** This process. */
export function currentOwner(): ProcessOwner {
  self ??= processOwner(process.pid);
  return self;
}

/** A running process of this machine as an owner (its start time read now). */
export function processOwner(pid: number): ProcessOwner {
  return { pid, host: hostname(), boot: bootId(), start: startTicks(pid)?.start ?? undefined };
}

/**
 * Whether the process is still running: true, false, or undefined when this machine cannot tell
 * (it ran on another host). A zombie (exited, not yet reaped) counts as dead.
 */
export function ownerAlive(owner: ProcessOwner): boolean | undefined {
  if (owner.host !== hostname()) return undefined;
  const boot = bootId();
  if (owner.boot && boot && owner.boot !== boot) return false;
  if (owner.start !== undefined) {
    const now = startTicks(owner.pid);
    if (now) return now.start === owner.start && now.state !== "Z";
    if (now === null) return false;
  }
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A pid's start time and state from /proc (Linux): null if there is no such process, undefined without /proc. */
function startTicks(pid: number): { start: number; state: string } | null | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ESRCH" ? (hasProc() ? null : undefined) : undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0], start: Number(fields[19]) };
}

let proc: boolean | undefined;
function hasProc(): boolean {
  if (proc === undefined) {
    try {
      readFileSync("/proc/self/stat");
      proc = true;
    } catch {
      proc = false;
    }
  }
  return proc;
}

function bootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return undefined;
  }
}
