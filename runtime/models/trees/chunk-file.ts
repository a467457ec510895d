/**
 * Per-row arrays of a streamed fit kept on disk instead of in memory: a temporary file of
 * fixed-size chunks of rows, each chunk one record holding every section (bin codes, targets, raw
 * scores, gradients…) for its rows, read back and written with `fs.readSync`/`fs.writeSync` into
 * buffers the caller reuses. Memory holds a chunk; the file holds the rest and is removed on `close`.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Where streamed fits keep their chunk files: `LATHE_TEMP_DIR` (where DuckDB spills too) when set, else the system's temp folder. */
export function chunkFolder(env: NodeJS.ProcessEnv = process.env): string {
  return env.LATHE_TEMP_DIR || tmpdir();
}

export class ChunkFile {
  /** Rows of chunk c (the last may be shorter). */
  readonly chunks: number;
  private readonly fd: number;
  private readonly dir: string;
  private readonly sectionAt: Record<string, number> = {};
  private readonly record: number;

  /**
   * A file of `n` rows in chunks of `rowsPerChunk`, with `sections` (name → bytes per row); a
   * section of a chunk of m rows takes m × its bytes per row from its fixed place in the record.
   */
  constructor(
    readonly n: number,
    readonly rowsPerChunk: number,
    readonly sections: Record<string, number>,
    folder = chunkFolder(),
  ) {
    let at = 0;
    for (const [name, bytes] of Object.entries(sections)) {
      this.sectionAt[name] = at;
      at += bytes * rowsPerChunk;
    }
    this.record = at;
    this.chunks = Math.ceil(n / rowsPerChunk);
    this.dir = mkdtempSync(path.join(folder, "lathe-chunks-"));
    try {
      this.fd = openSync(path.join(this.dir, "rows.bin"), "w+");
    } catch (e) {
      rmSync(this.dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Rows in chunk `c`. */
  rows(c: number): number {
    return Math.min(this.rowsPerChunk, this.n - c * this.rowsPerChunk);
  }

  /** Reads `into.byteLength` bytes of section `name` of chunk `c`, from `offset` bytes into the section. */
  read(c: number, name: string, into: ArrayBufferView, offset = 0): void {
    const at = this.place(c, name, offset);
    let done = 0;
    while (done < into.byteLength) {
      const got = readSync(this.fd, new Uint8Array(into.buffer, into.byteOffset + done, into.byteLength - done), 0, into.byteLength - done, at + done);
      if (got === 0) throw new Error(`chunk file: section ${name} of chunk ${c} ends early`);
      done += got;
    }
  }

  /** Writes `data` to section `name` of chunk `c`, from `offset` bytes into the section. */
  write(c: number, name: string, data: ArrayBufferView, offset = 0): void {
    const at = this.place(c, name, offset);
    let done = 0;
    while (done < data.byteLength) done += writeSync(this.fd, new Uint8Array(data.buffer, data.byteOffset + done, data.byteLength - done), 0, data.byteLength - done, at + done);
  }

  /** Closes and removes the file. */
  close(): void {
    try {
      closeSync(this.fd);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private place(c: number, name: string, offset: number): number {
    const at = this.sectionAt[name];
    if (at === undefined) throw new Error(`chunk file: no section ${name}`);
    return c * this.record + at + offset;
  }
}
