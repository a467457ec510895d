import { collectYoung } from "../collect-garbage.js";

/**
 * Frees the DuckDB data chunks a result's reader is done with. Each chunk the client fetches is
 * native memory (a 2,048-row vector per column, 8 bytes a DOUBLE) released only when V8 collects
 * its small JavaScript handle, and a read allocates too little JavaScript for V8 to collect on its
 * own: a read of 140k × 21 DOUBLE columns held every chunk, +60 MB of RSS where the float32
 * columns are 12 MB. The handles are young, so a collection of the young generation frees them:
 * ≈ 1 ms, and the pages freed are faulted in again by the next chunks, so it runs every 8 MB of
 * chunks. Measured on that read (train step's peak over the RSS before it; CPU of the read, under
 * load 6–9): every 4 MB +15 MB, ≈ +10 ms; 8 MB +24 MB; 16 MB +45 MB; never +61 MB.
 */
export class ChunkRelease {
  private bytes = 0;
  /** Bytes counted since the read began: `settle` skips small reads. */
  private total = 0;

  /** At most this many bytes of chunks wait for a collection. */
  constructor(private readonly limit = 8 << 20) {}

  /** Counts a chunk done with (its rows × the bytes of a row) and collects when the count passes the limit. */
  done(bytes: number): void {
    this.bytes += bytes;
    this.total += bytes;
    if (this.bytes < this.limit) return;
    this.bytes = 0;
    collectYoung();
  }

  /**
   * At a read's end, frees the chunks since the last collection (up to `limit` bytes) before the
   * caller allocates on top of them: a young collection, then one turn of the event loop, where
   * Node runs the finalizers that free the native chunks (Node-API defers them to an immediate; a
   * collection alone left them in RSS until the next await). A 140k × 21 DOUBLE read of a training
   * part, then its validation part's two: 30 MB of RSS held into the fit (bench/RESULTS.md,
   * "Peak RSS at 200k, the reads' last chunks"). Reads under 1 MB of chunks skip it (≈ 1 ms).
   */
  async settle(): Promise<void> {
    if (this.total < 1 << 20) return;
    this.bytes = 0;
    collectYoung();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
