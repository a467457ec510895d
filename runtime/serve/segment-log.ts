import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import path from "node:path";

/** Bytes of one chunk of queued lines (a longer line gets a chunk of its own). */
const CHUNK_BYTES = 64 * 1024;

/** How a segment log batches and rotates. */
export interface SegmentLogOptions {
  /** The folder of the segments (created on the first write). */
  dir: string;
  /** Longest a record waits before its batch is written, in ms (default 200). */
  flushMs?: number;
  /** A segment is closed and a new one started past this size (default 64 MiB)... */
  maxSegmentBytes?: number;
  /** ...or this age, in ms (default one hour). */
  maxSegmentMs?: number;
  /** Records held at most while writes lag behind; more are dropped and counted (default 100,000). */
  maxPending?: number;
  /** Told of a failed write (its records are dropped; the next batch starts a new segment). */
  onError?: (e: Error) => void;
}

/** What a segment log has done: records written and dropped, failed writes. */
export interface SegmentLogStats {
  written: number;
  dropped: number;
  errors: number;
}

/**
 * An append-only log of JSON records as NDJSON segment files, written in batches off the path of
 * whoever appends: `append` serialises the record and queues its line, a timer writes. A line is
 * made at once (a few µs) and copied into an off-heap chunk, so what waits for the write is bytes,
 * not objects or strings the garbage collector would copy at every scavenge and promote (a
 * server's 200 ms of lines made each scavenge several times slower; bench/monitor.mjs measures
 * what the log costs a server). Each segment (`<UTC time>-<pid>-<random>.ndjson`)
 * has one writer, this object, so several processes can log into the same folder; every batch is
 * one write of whole lines; a segment is fsynced when it is closed (rotation, `close`), so a crash
 * loses at most the records of the last moments. DuckDB reads the folder with a glob.
 */
export class SegmentLog<T> {
  readonly stats: SegmentLogStats = { written: 0, dropped: 0, errors: 0 };
  /** Records queued and not yet handed to a write. */
  private pending = 0;
  /** Their bytes: filled chunks, then the part of `current` used so far. */
  private filled: Buffer[] = [];
  private current?: Buffer;
  private used = 0;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private handle?: FileHandle;
  private file?: string;
  private bytes = 0;
  private openedAt = 0;
  private closed = false;
  private readonly flushMs: number;
  private readonly maxSegmentBytes: number;
  private readonly maxSegmentMs: number;
  private readonly maxPending: number;

  constructor(private readonly options: SegmentLogOptions) {
    this.flushMs = options.flushMs ?? 200;
    this.maxSegmentBytes = options.maxSegmentBytes ?? 64 * 1024 * 1024;
    this.maxSegmentMs = options.maxSegmentMs ?? 3_600_000;
    this.maxPending = options.maxPending ?? 100_000;
  }

  /** The segment being written, if any. */
  get currentFile(): string | undefined {
    return this.file;
  }

  /** Queues a record; it is written within `flushMs`. Never waits, never throws. */
  append(record: T): void {
    if (this.closed || this.pending >= this.maxPending) {
      this.stats.dropped++;
      return;
    }
    let line: string;
    try {
      line = JSON.stringify(record) + "\n";
    } catch (e) {
      // Not JSON (a BigInt, a cycle): nothing the server logs, but a log never throws at its caller.
      this.stats.dropped++;
      this.options.onError?.(e as Error);
      return;
    }
    this.queue(line);
  }

  /**
   * Queues a record its caller serialised already: exactly `JSON.stringify(record) + "\n"` of a `T`
   * (a server makes its answer and its log lines from the same pieces). Never waits, never throws.
   */
  appendLine(line: string): void {
    if (this.closed || this.pending >= this.maxPending) {
      this.stats.dropped++;
      return;
    }
    this.queue(line);
  }

  private queue(line: string): void {
    // Lines are copied into off-heap chunks at once: a queued record is bytes the garbage collector
    // neither scans nor copies (as strings, a server's 200 ms of lines survived every scavenge).
    const most = line.length * 3; // UTF-8 bytes of a string of this many UTF-16 units, at most
    if (!this.current || this.current.length - this.used < most) {
      if (this.current && this.used) this.filled.push(this.current.subarray(0, this.used));
      this.current = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, most));
      this.used = 0;
    }
    this.used += this.current.write(line, this.used, "utf8");
    this.pending++;
    if (!this.timer && !this.running) this.timer = setTimeout(() => void this.drain(), this.flushMs).unref();
  }

  /** Writes everything queued so far. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running) await this.running;
    if (this.pending) await this.drain();
  }

  /** Writes what is queued, fsyncs and closes the segment; later appends are dropped. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.closeSegment();
  }

  private drain(): Promise<void> {
    this.timer = undefined;
    this.running ??= (async () => {
      try {
        while (this.pending) await this.writeBatch(this.take());
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** The queued records' bytes and count, leaving the queue empty. */
  private take(): { bytes: Buffer; records: number } {
    const parts = this.filled;
    if (this.current && this.used) parts.push(this.current.subarray(0, this.used));
    const batch = { bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts), records: this.pending };
    this.filled = [];
    this.current = undefined;
    this.used = 0;
    this.pending = 0;
    return batch;
  }

  private async writeBatch({ bytes, records }: { bytes: Buffer; records: number }): Promise<void> {
    try {
      if (this.handle && (this.bytes + bytes.length > this.maxSegmentBytes || Date.now() - this.openedAt > this.maxSegmentMs)) await this.closeSegment();
      if (!this.handle) await this.openSegment();
      let done = 0;
      while (done < bytes.length) done += (await this.handle!.write(bytes, done, bytes.length - done)).bytesWritten;
      this.bytes += bytes.length;
      this.stats.written += records;
    } catch (e) {
      this.stats.errors++;
      this.stats.dropped += records;
      this.options.onError?.(e as Error);
      // A segment a write failed on may end in part of a line: the next batch starts a new one.
      await this.closeSegment().catch(() => undefined);
    }
  }

  private async openSegment(): Promise<void> {
    mkdirSync(this.options.dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
    const file = path.join(this.options.dir, `${stamp}-${process.pid}-${randomBytes(4).toString("hex")}.ndjson`);
    // `wx`: the file is new and this process its only writer.
    this.handle = await open(file, "wx");
    this.file = file;
    this.bytes = 0;
    this.openedAt = Date.now();
  }

  private async closeSegment(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.file = undefined;
    if (!handle) return;
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
