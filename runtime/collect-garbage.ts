/**
 * Frees the garbage of reading a large result out of DuckDB while the read goes on. Each data chunk
 * a query returns is a native DuckDB chunk (freed by a finalizer, after a collection) plus a JS copy
 * of every column vector; V8 sees only the copies, and collects after ≈ 64 MB of them, so reading
 * 140k × 20 DOUBLE features left ≈ 45 MB of dead chunks in RSS and a 3.5M-row read up to ≈ 130 MB,
 * on top of the columns read (bench/RESULTS.md, "What training adds"). A young-generation
 * collection every `CHUNK_GARBAGE_BYTES` of chunks read bounds that to a few MB: the chunks are
 * young, and a scavenge takes ≈ 0.1–0.5 ms where a full collection took 25–50 ms.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Bytes of chunk data read between two collections. */
export const CHUNK_GARBAGE_BYTES = 16 * 2 ** 20;

/** V8's `gc`, as `--expose-gc` gives it: a full collection, or with `{ type: "minor" }` the young generation's. */
type Collector = (options?: { type: "minor" | "major" }) => void;

let collector: Collector | null | undefined;

/**
 * V8's collector: `global.gc` when node runs with `--expose-gc`, else exposed once in a
 * fresh context (the flag only applies to contexts made after it is set); null when V8 refuses.
 */
function gc(): Collector | null {
  if (collector !== undefined) return collector;
  const global = (globalThis as { gc?: Collector }).gc;
  if (typeof global === "function") return (collector = global);
  try {
    setFlagsFromString("--expose-gc");
    const exposed: unknown = runInNewContext("typeof gc === 'function' ? gc : undefined");
    collector = typeof exposed === "function" ? (exposed as Collector) : null;
  } catch {
    collector = null;
  }
  return collector;
}

/**
 * A full collection now, when V8 allows it: after a learner drops arrays it no longer needs
 * (`TrainInput.releaseColumns`), so they leave RSS before training allocates, not whenever V8
 * next collects (training allocates little JS, so that could be never).
 */
export function collectGarbage(): void {
  gc()?.();
}

/** Counts the bytes of chunks read and collects the young generation past `CHUNK_GARBAGE_BYTES` (one counter per read). */
export class ChunkGarbage {
  private bytes = 0;

  /** A chunk of `rows` rows × `columns` columns of `width`-byte values was read (and is now garbage). */
  read(rows: number, columns: number, width = 8): void {
    // Twice: the native chunk and its JS copy.
    this.bytes += 2 * rows * columns * width;
    if (this.bytes < CHUNK_GARBAGE_BYTES) return;
    this.bytes = 0;
    gc()?.({ type: "minor" });
  }
}
