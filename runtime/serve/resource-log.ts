import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { ResourceRecord } from "./prediction-log.js";
import { SegmentLog } from "./segment-log.js";

/** How a server samples its process. */
export interface ResourceSamplerOptions {
  /** The folder of the samples (`resourceLogDir`). */
  dir: string;
  model: string;
  /** Time between samples, in ms (default 10 s). */
  everyMs?: number;
  /** Segments older than this are removed, in ms (default 30 days): the log stays bounded however long a server runs. */
  keepMs?: number;
  onError?: (e: Error) => void;
}

const day = 86_400_000;
// Segment names start with their UTC opening time: 20300101T000000Z-<pid>-<random>.ndjson.
const stampPattern = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-/;

/**
 * Samples the server's own process when it starts (memory only: no time has passed to measure
 * CPU over), every `everyMs` and when stopped — resident memory (RSS) and the CPU time used per
 * wall-clock time since the sample before (1 = one core busy) — into an
 * NDJSON segment log beside the prediction log, which `evaluateMonitor` reads as the `rss` and
 * `cpu` signals. A segment is started each day; segments older than `keepMs` are removed when the
 * sampler starts and once a day, so the folder holds at most `keepMs` of samples (≈ 1 MB a day).
 */
export class ResourceSampler {
  private readonly log: SegmentLog<ResourceRecord>;
  private readonly timer: NodeJS.Timeout;
  private readonly keepMs: number;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private prunedAt = 0;
  private stopped?: Promise<void>;

  constructor(private readonly options: ResourceSamplerOptions) {
    this.keepMs = options.keepMs ?? 30 * day;
    this.log = new SegmentLog<ResourceRecord>({ dir: options.dir, flushMs: 1000, maxSegmentMs: day, onError: options.onError });
    this.prune();
    // The first sample is written at once, so a monitor right after the server started sees its memory.
    this.log.append({ time: new Date().toISOString(), pid: process.pid, model: options.model, rss_bytes: process.memoryUsage.rss(), interval_ms: 0 });
    void this.log.flush();
    this.timer = setInterval(() => this.sample(), options.everyMs ?? 10_000).unref();
  }

  /** Appends one sample covering the time since the last one. */
  sample(): void {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const intervalMs = now - this.lastAt;
    // Nothing to say about an instant: a stop right after a sample adds none.
    if (intervalMs < 1) return;
    const used = (cpu.user - this.lastCpu.user + cpu.system - this.lastCpu.system) / 1000;
    this.lastCpu = cpu;
    this.lastAt = now;
    this.log.append({ time: new Date().toISOString(), pid: process.pid, model: this.options.model, rss_bytes: process.memoryUsage.rss(), cpu: used / intervalMs, interval_ms: intervalMs });
    if (Date.now() - this.prunedAt > day) this.prune();
  }

  /** Takes a last sample and writes the log out; idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      clearInterval(this.timer);
      this.sample();
      await this.log.close();
    })();
    return this.stopped;
  }

  /** Removes the segments opened more than `keepMs` plus a day ago (a segment is written for a day at most, so none of them is open). */
  private prune(): void {
    this.prunedAt = Date.now();
    let names: string[];
    try {
      names = readdirSync(this.options.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const m = stampPattern.exec(name);
      if (!m || !name.endsWith(".ndjson")) continue;
      const opened = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
      if (this.prunedAt - opened > this.keepMs + day) rmSync(path.join(this.options.dir, name), { force: true });
    }
  }
}
