import type { DuckDBConnection, DuckDBInstance, DuckDBResult, DuckDBTypeId, DuckDBValueConverter, JS } from "@duckdb/node-api";
import { bindingsVersion, duckdb, vectorBindings } from "./duckdb-module.js";
import { promptDuckdbAllocator } from "./duckdb-allocator.js";
import { ChunkRelease } from "./young-collection.js";
import { ident } from "../sql/quote.js";
import { nativeColumnRead, nativeNarrow, nativeRepeatedKeys, type NativeRepeatedKeysModule } from "../models/native-engine.js";

/** A DuckDB database the runtime computes in: in memory by default, or a file for caching across runs. */
export class Database {
  private constructor(
    readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /**
   * Opens (creating if needed) a database; ":memory:" for a scratch one. Every database Lathe opens
   * is locked down (`lockedDown`): it loads and installs no extensions, keeps no secrets on disk,
   * and its configuration cannot be changed afterwards except for the resources in `changeable`.
   */
  static async open(path = ":memory:", options: Record<string, string> = {}): Promise<Database> {
    // LATHE_MEMORY_LIMIT (e.g. `2GB`) caps DuckDB's memory; beyond it, work spills to LATHE_TEMP_DIR (or DuckDB's default).
    const resources: Record<string, string> = {};
    if (process.env.LATHE_MEMORY_LIMIT) resources.memory_limit = process.env.LATHE_MEMORY_LIMIT;
    if (process.env.LATHE_TEMP_DIR) resources.temp_directory = process.env.LATHE_TEMP_DIR;
    const instance = await duckdb.DuckDBInstance.create(path, { threads: String(Math.max(1, (await import("node:os")).availableParallelism())), ...returnMemory, ...resources, ...lockedDown, ...options });
    const connection = await instance.connect();
    await connection.run(`SET allowed_configs = [${changeable.map((c) => `'${c}'`).join(", ")}]`);
    await connection.run("SET lock_configuration = true");
    return new Database(instance, connection);
  }

  private static scratchDb?: Promise<Database>;

  /**
   * A process-wide in-memory database holding nothing, for questions that need DuckDB but no data:
   * expanding a glob, parsing a `sql` source's text. Opened on first use.
   */
  static scratch(): Promise<Database> {
    return (Database.scratchDb ??= Database.open(":memory:", { threads: "1" }));
  }

  private oneThreadDepth = 0;
  private threadsBefore = "";

  /**
   * Runs `work` with DuckDB on one thread: a large read is faster so (`float32Columns`), the fetching
   * thread computing its rows itself. Nested calls share it. (Sums no longer need it for their bits:
   * means and spreads are exact, `exact-moments.ts`.)
   */
  async oneThread<T>(work: () => Promise<T>): Promise<T> {
    if (this.oneThreadDepth++ === 0) {
      const [{ threads }] = await this.rows("SELECT current_setting('threads')::VARCHAR AS threads");
      this.threadsBefore = String(threads);
      await this.exec("SET threads = 1");
    }
    try {
      return await work();
    } finally {
      if (--this.oneThreadDepth === 0) await this.exec(`SET threads = ${Number(this.threadsBefore)}`);
    }
  }

  /** Runs a statement that returns nothing of interest. */
  async exec(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Runs a query and returns its rows as plain JS objects (bigint → number where safe). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    // Built from arrays and defined, not assigned: DuckDB's row objects drop a column called
    // `__proto__` (assigning it sets the prototype), and a user may call a column anything.
    const names = reader.columnNames();
    return reader.convertRows(rowValue).map((r) => {
      const out: Record<string, unknown> = {};
      names.forEach((k, i) => Object.defineProperty(out, k, { value: plain(r[i]), enumerable: true, writable: true, configurable: true }));
      return out;
    });
  }

  /** The column names and DuckDB types a query would return, without running it. */
  async describe(sql: string): Promise<{ name: string; type: string }[]> {
    // Read by column: a wide table describes as one row per column, and row objects cost more than the query.
    const [names, types] = (await this.connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE ${sql})`)).getColumnsJS();
    return names.map((n, i) => ({ name: String(n), type: String(types[i]) }));
  }

  /**
   * Reads numeric columns of a query straight into Float32Arrays, chunk by chunk (no per-row objects);
   * a DOUBLE column is rounded to nearest as it is copied (±Infinity beyond a float's range). `rows`, when the caller knows the row count, sizes each column once (no growth, no final copy);
   * `shared` puts them on SharedArrayBuffers, so worker threads can read them without a copy.
   * With `rows` (or `ranked`) and only float columns, the native module reads the result whole on a
   * worker thread (`wholeRead`; ranked: `readRanked`); the chunk loops here are their twins.
   */
  async float32Columns(sql: string | string[], opts: { rows?: number; shared?: boolean; ranked?: boolean } = {}): Promise<{ n: number; columns: Float32Array[] }> {
    promptDuckdbAllocator();
    const make = (n: number) => new Float32Array(opts.shared ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4));
    const release = new ChunkRelease();
    if (typeof sql !== "string" && !opts.ranked) throw new Error("only a ranked read is read in pieces");
    // A large read with DuckDB on one thread: the fetching thread then computes its rows itself, where
    // with more threads a background one produced them into a buffer and the two took turns (a split's
    // part at 5M rows, 3.5M × 12 in two pieces: 0.72–0.99 s on one thread, 1.07–1.49 s and more CPU on
    // two; a table's 3.5M × 13: 0.39–0.55 s against 0.53–0.79 s: bench/RESULTS.md). A ranked read is a
    // positional join, which DuckDB runs on one thread anyway. Small reads skip the setting's two statements.
    const threads = <T>(read: () => Promise<T>) => ((opts.rows ?? 0) >= ONE_THREAD_ROWS ? this.oneThread(read) : read());
    const read = await threads(() => (opts.ranked ? this.rankedColumns(typeof sql === "string" ? [sql] : sql, make, opts.rows ?? NaN, release) : this.typedColumns(sql as string, make, release, opts.rows)));
    // Settled here, where the read's result (and its last chunks) are out of reach.
    await release.settle();
    return read;
  }

  /**
   * float32Columns of queries (`pieces`: one, or disjoint pieces of one relation) whose last column
   * (UINTEGER) is each row's rank: its position in the order the caller wants, 0 to `rows` − 1, each
   * once among all the pieces. Rows come in whatever order DuckDB gives them and each is put at its
   * rank, so a relation kept in an order (a split's part, `rankedPartRows`) is read in that order
   * without DuckDB sorting it (a sort holds the rows once more while it runs). Where the native
   * module reads, the pieces run at once, each on a connection of its own (a query runs on one
   * connection, and a positional join on one thread of it: `DatasetState.rankedPieces`), their rows
   * put into the same columns; otherwise one after the other. The columns are the same either way.
   */
  private async rankedColumns(pieces: string[], make: (n: number) => Float32Array, rows: number, release: ChunkRelease): Promise<{ n: number; columns: Float32Array[] }> {
    if (!Number.isInteger(rows)) throw new Error("a ranked read needs its row count");
    let shape: { widths: number[]; columns: Float32Array[] } | undefined;
    const columnsOf = (result: DuckDBResult) => {
      const k = result.columnCount - 1;
      if (k < 0 || result.columnTypeId(k) !== duckdb.DuckDBTypeId.UINTEGER) throw new Error("a ranked read's last column must be its UINTEGER rank");
      const widths = floatWidths(result).slice(0, k);
      shape ??= { widths, columns: Array.from({ length: k }, () => make(Math.max(1, rows))) };
      if (widths.join() !== shape.widths.join()) throw new Error("the pieces of a ranked read differ in their columns");
      return shape;
    };
    let n = 0;
    const native = readsWhole() ? nativeColumnRead() : undefined;
    if (native) {
      const connections = await this.connections(pieces.length);
      const results = await settledAll(pieces.map((sql, i) => connections[i].stream(sql)));
      const { widths, columns } = results.map(columnsOf)[0];
      const handles = results.map((result) => (result as unknown as { result: unknown }).result);
      const whole = widths.length && widths.every((w) => w > 0) ? native.readRanked(handles, Int32Array.from(widths), columns, pieces.length) : undefined;
      if (whole) n = await whole;
      else for (const result of results) n += await rankedChunks(result, widths, columns, rows, release);
    } else
      for (const sql of pieces) {
        const result = await this.connection.stream(sql);
        const { widths, columns } = columnsOf(result);
        n += await rankedChunks(result, widths, columns, rows, release);
      }
    if (n !== rows) throw new Error(`a ranked read gave ${n} rows of ${rows}`);
    const columns = shape!.columns;
    return { n, columns: rows === 0 ? columns.map(() => make(0)) : columns };
  }

  private readers: DuckDBConnection[] = [];

  /** This database's connection and more of the same instance, `count` in all: the extra ones opened on first use and kept. */
  private async connections(count: number): Promise<DuckDBConnection[]> {
    while (this.readers.length < count - 1) this.readers.push(await this.instance.connect());
    return [this.connection, ...this.readers.slice(0, count - 1)];
  }

  /**
   * The row ids (its second column, BIGINT) of every row of `sql` whose hash (its first column,
   * UBIGINT) another row has too, found by the native module on a worker thread from the rows
   * fetched (`repeatedKeys`); undefined where that cannot run (not built, LATHE_KERNELS=js, bindings
   * whose result handle was not checked), for the caller to ask DuckDB instead.
   */
  async repeatedHashRows(sql: string, expectedRows: number): Promise<BigInt64Array | undefined> {
    const native = checkedNative(nativeRepeatedKeys);
    if (!native) return undefined;
    const found = await this.searchHashes(native, sql, expectedRows);
    // The result (16 bytes a row) is freed when V8 collects its handle, out of reach once
    // `searchHashes` returned: now, before the caller's next statement allocates on top of it.
    const release = new ChunkRelease(Infinity);
    release.done(expectedRows * 16);
    await release.settle();
    return found;
  }

  private async searchHashes(native: NativeRepeatedKeysModule, sql: string, expectedRows: number): Promise<BigInt64Array | undefined> {
    // Materialised, not streamed: DuckDB computes the hashes on all its threads first (≈ 0.2 s for
    // 5M rows of 5 columns), where a streamed result computed them as they were fetched (≈ 0.4 s).
    const result = await this.connection.run(sql);
    if (result.columnCount !== 2 || result.columnTypeId(0) !== duckdb.DuckDBTypeId.UBIGINT || result.columnTypeId(1) !== duckdb.DuckDBTypeId.BIGINT)
      throw new Error("a search for repeated hashes reads a UBIGINT hash and a BIGINT row id");
    return native.repeatedKeys((result as unknown as { result: unknown }).result, expectedRows);
  }

  /**
   * Creates the temporary table `name` of one BIGINT column `r` holding `ids`: appended a vector at a
   * time, copied from the array's bytes (no SQL text, no value objects: 500k ids in ≈ 30 ms).
   */
  async idTable(name: string, ids: BigInt64Array): Promise<void> {
    await this.exec(`CREATE TEMP TABLE ${ident(name)} (r BIGINT)`);
    const appender = await this.connection.createAppender(name, "main", "temp");
    try {
      const size = 2048;
      for (let at = 0; at < ids.length; at += size) {
        const m = Math.min(size, ids.length - at);
        const chunk = duckdb.DuckDBDataChunk.create([duckdb.BIGINT], m);
        vectorBindings.copy_data_to_vector(vectorBindings.data_chunk_get_vector(chunk.chunk, 0), 0, ids.buffer, ids.byteOffset + at * 8, m * 8);
        chunk.rowCount = m;
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** Reads numeric columns of a query straight into Float64Arrays (NULL → NaN), chunk by chunk (no per-row objects). */
  float64Columns(sql: string): Promise<{ n: number; columns: Float64Array[] }> {
    promptDuckdbAllocator();
    return this.typedColumns(sql, (n) => new Float64Array(n), new ChunkRelease());
  }

  private async typedColumns<T extends Float32Array | Float64Array>(sql: string, make: (n: number) => T, release: ChunkRelease, rows?: number): Promise<{ n: number; columns: T[] }> {
    const result = await this.connection.stream(sql);
    const k = result.columnCount;
    const widths = floatWidths(result);
    // Room for 4 M values to start with (16 MB), however many columns: a fixed 65,536 rows a
    // column allocated 2.6 GB before the first row of a 10,000-column table.
    let cap = rows !== undefined ? Math.max(1, rows) : Math.max(1024, Math.min(1 << 16, Math.floor((1 << 22) / Math.max(1, k))));
    let columns = Array.from({ length: k }, () => make(cap));
    // A known row count: no growth, so the whole read can run in the native module.
    const whole = rows !== undefined && columns[0] instanceof Float32Array ? wholeRead(result, widths, columns as Float32Array[]) : undefined;
    let n = 0;
    if (whole) {
      try {
        n = await whole;
      } catch (e) {
        // More rows than it was told (the columns cannot grow on the worker thread): read again, growing them.
        if (!String((e as Error).message).startsWith(moreRows)) throw e;
        return this.typedColumns(sql, make, release);
      }
    } else
      await eachChunk(result, (chunk, m) => {
        if (n + m > cap) {
          while (n + m > cap) cap *= 2;
          columns = columns.map((c) => {
            const bigger = make(cap);
            bigger.set(c.subarray(0, n));
            return bigger;
          });
        }
        copyChunk(chunk, columns, n, widths);
        release.done(m * rowBytes(widths));
        n += m;
      });
    // Exactly full (the row count was known): the columns as they are, not a copy.
    if (n === cap) return { n, columns };
    return {
      n,
      columns: columns.map((c) => {
        const exact = make(n);
        exact.set(c.subarray(0, n));
        return exact;
      }),
    };
  }

  /**
   * Streams numeric columns of a query in blocks of exactly `rows` rows (the last may be shorter),
   * each copied into Float32Arrays the callback may keep: memory stays one block, however long the
   * result. Exact sizes, whatever sizes DuckDB's chunks come in, so a learner summing fixed blocks
   * of rows sees the same blocks as from whole columns. `reuse`: every block is given in the same
   * arrays (valid until the callback returns), so a pass over a large table allocates nothing per
   * block — garbage that, for a learner reading its data many times, peaked at hundreds of MB.
   */
  async float32Blocks(sql: string, rows: number, onBlock: (n: number, columns: Float32Array[]) => void | Promise<void>, opts: { reuse?: boolean } = {}): Promise<number> {
    promptDuckdbAllocator();
    const result = await this.connection.stream(sql);
    const k = result.columnCount;
    const widths = floatWidths(result);
    const release = new ChunkRelease();
    let staging = Array.from({ length: k }, () => new Float32Array(rows + 2048));
    const reused = opts.reuse ? Array.from({ length: k }, () => new Float32Array(rows)) : undefined;
    let n = 0;
    let total = 0;
    const fetchChunk = prefetching(result);
    for (;;) {
      const chunk = await fetchChunk();
      const m = chunk?.rowCount ?? 0;
      if (m > staging[0].length - n) {
        // A chunk larger than DuckDB's usual 2,048 rows: room for it.
        staging = staging.map((c) => {
          const bigger = new Float32Array(n + m);
          bigger.set(c.subarray(0, n));
          return bigger;
        });
      }
      if (m > 0) {
        copyChunk(chunk!, staging, n, widths);
        release.done(m * rowBytes(widths));
        n += m;
      }
      // Whole blocks out; what is left over moves to the start of the staging arrays.
      let at = 0;
      while (n - at >= rows || (m === 0 && n > at)) {
        const size = Math.min(rows, n - at);
        const block = reused ? reused.map((r, j) => (r.set(staging[j].subarray(at, at + size)), size === rows ? r : r.subarray(0, size))) : staging.map((c) => c.slice(at, at + size));
        await onBlock(size, block);
        total += size;
        at += size;
      }
      if (at > 0) {
        for (const c of staging) c.copyWithin(0, at, n);
        n -= at;
      }
      if (m === 0) break;
    }
    return total;
  }

  /** Reads one column of strings (labels) as a JS array. */
  async strings(sql: string): Promise<(string | null)[]> {
    const reader = await this.connection.runAndReadAll(sql);
    // No rows, no columns: DuckDB gives an empty list of columns, not an empty column.
    return (reader.getColumnsJS()[0] ?? []).map((v) => (v === null || v === undefined ? null : String(v)));
  }

  /**
   * Stops the query running on this database's connection (the kernel's interrupt, Ctrl-C): DuckDB
   * runs queries on its own threads, so without this an interrupted cell waits for the query to end.
   * The query fails with DuckDB's "INTERRUPT Error", which `located` turns into an AbortError.
   */
  interrupt(): void {
    this.connection.interrupt();
    for (const reader of this.readers) reader.interrupt();
  }

  /** Closes the connections and the instance. */
  close(): void {
    for (const reader of this.readers) reader.closeSync();
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * A result's fetchChunk that asks for the next chunk as it hands one out: DuckDB computes it on
 * its threads while this one is copied, instead of the copy and the query taking turns (each
 * chunk is DuckDB's own, so the one being read is not touched by the next fetch).
 */
function prefetching<C extends { rowCount: number }>(result: { fetchChunk(): Promise<C | null> }): () => Promise<C | null> {
  const start = () => {
    const p = result.fetchChunk();
    // A fetch still pending when the reader stops on an error must not fail unhandled.
    p.catch(() => undefined);
    return p;
  };
  let pending: Promise<C | null> | undefined;
  return async () => {
    const chunk = await (pending ?? start());
    pending = chunk && chunk.rowCount > 0 ? start() : undefined;
    return chunk;
  };
}

/**
 * The bindings versions whose result handle the native read was checked against (a `duckdb_result`
 * pointer behind their type tag): another version reads in JavaScript until it is checked and added
 * (test/runtime/data/database.test.ts fails until then).
 */
const checkedBindings = new Set(["1.5.6-r.1"]);

/** A native function that takes the bindings' result handle, when the bindings' version was checked against it; else undefined. */
function checkedNative<M>(module: () => M | undefined): M | undefined {
  return checkedBindings.has(bindingsVersion) ? module() : undefined;
}

/** Whether reads of float columns run whole in the native module here (`wholeRead`): built, and the bindings' version checked. */
export function readsWhole(): boolean {
  return checkedNative(nativeColumnRead) !== undefined;
}

/** Reads of at least this many rows run with DuckDB on one thread (`Database.float32Columns`). */
const ONE_THREAD_ROWS = 1 << 16;

/** How the native read's error begins when a result has more rows than its columns hold (native/column-read.cc). */
const moreRows = "a read gave more than the";

/**
 * The whole read of a result in the native module when it can (`NativeColumnReadModule`: every
 * column a float, the module built and able to use DuckDB's C API here), else undefined: on a
 * worker thread, each chunk freed as soon as its rows are placed, where the chunk loop fetched each
 * chunk by a promise and the main thread and DuckDB's took turns ≈ 100 times for 140k rows (on a
 * loaded machine each turn waited for a core: bench/RESULTS.md, 2026-12-02).
 */
function wholeRead(result: object, widths: number[], columns: Float32Array[]): Promise<number> | undefined {
  if (!widths.length || !widths.every((w) => w > 0) || !readsWhole()) return undefined;
  return nativeColumnRead()!.readColumns((result as unknown as { result: unknown }).result, Int32Array.from(widths), columns);
}

/**
 * Reads a result of float columns and a UINTEGER rank (`Database.rankedColumns`) into `columns`, each
 * row at its rank, chunk by chunk (the twin of the native `readRanked`). The rows it read.
 */
async function rankedChunks(result: DuckDBResult, widths: number[], columns: Float32Array[], rows: number, release: ChunkRelease): Promise<number> {
  const k = widths.length;
  // Each chunk is copied as it comes into these, then scattered to its ranks.
  let staging = Array.from({ length: k }, () => new Float32Array(2048));
  let ranks = new Uint32Array(2048);
  let n = 0;
  await eachChunk(result, (chunk, m) => {
    if (m > ranks.length) {
      staging = staging.map(() => new Float32Array(m));
      ranks = new Uint32Array(m);
    }
    copyChunk(chunk, staging, 0, widths);
    const raw = vectorBindings.data_chunk_get_vector(chunk.chunk, k);
    const data = vectorBindings.vector_get_data(raw, m * 4);
    ranks.set(data.byteOffset % 4 ? new Uint32Array(data.slice(0, m * 4).buffer) : new Uint32Array(data.buffer, data.byteOffset, m));
    for (let i = 0; i < m; i++) if (ranks[i] >= rows) throw new Error(`a rank beyond the ${rows} rows of a ranked read`);
    for (let j = 0; j < k; j++) {
      const from = staging[j];
      const to = columns[j];
      for (let i = 0; i < m; i++) to[ranks[i]] = from[i];
    }
    release.done(m * (rowBytes(widths) + 4));
    n += m;
  });
  return n;
}

/** The values of promises that all settle, or the first one's error once every one has settled (none left running). */
async function settledAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** Calls `each` with every chunk of a result that has rows (and its row count), in order, the next fetched while one is handled. */
async function eachChunk<C extends { rowCount: number }>(result: { fetchChunk(): Promise<C | null> }, each: (chunk: C, rows: number) => void): Promise<void> {
  const fetchChunk = prefetching(result);
  for (;;) {
    const chunk = await fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    each(chunk, chunk.rowCount);
  }
}

/** Per column of a result, the bytes of a value when DuckDB holds it as a float (8 for DOUBLE, 4 for FLOAT), else 0. */
function floatWidths(result: { columnCount: number; columnTypeId(j: number): DuckDBTypeId }): number[] {
  return Array.from({ length: result.columnCount }, (_, j) => {
    const type = result.columnTypeId(j);
    return type === duckdb.DuckDBTypeId.DOUBLE ? 8 : type === duckdb.DuckDBTypeId.FLOAT ? 4 : 0;
  });
}

/** The bytes of a row of a result's chunk (8 a column that is not a float: wide enough for most). */
function rowBytes(widths: number[]): number {
  return widths.reduce((a, w) => a + (w || 8), 0);
}

/**
 * Copies one DuckDB data chunk's numeric columns into Float32Arrays or Float64Arrays at `offset`
 * (NULL → NaN). `widths` (floatWidths): columns DuckDB holds as floats are copied from the vector's
 * memory through the bindings, without the client's vector objects; others value by value.
 */
function copyChunk(chunk: { rowCount: number; chunk: unknown; getColumnVector(j: number): unknown }, columns: (Float32Array | Float64Array)[], offset: number, widths: number[]): void {
  const m = chunk.rowCount;
  for (let j = 0; j < columns.length; j++) {
    const target = columns[j];
    if (widths[j]) {
      // A DOUBLE into a Float32Array rounds to nearest, as DuckDB's CAST to FLOAT does, but to ±Infinity beyond its range.
      const raw = vectorBindings.data_chunk_get_vector(chunk.chunk, j);
      const data = vectorBindings.vector_get_data(raw, m * widths[j]);
      const narrow = widths[j] === 8 && target instanceof Float32Array ? nativeNarrow() : undefined;
      if (narrow) narrow.narrowInto(data, target as Float32Array, offset, m);
      else target.set(widths[j] === 8 ? new Float64Array(data.buffer, data.byteOffset, m) : new Float32Array(data.buffer, data.byteOffset, m), offset);
      // A NULL's slot holds whatever was there; the validity mask (absent when all are valid) says which.
      const words = Math.ceil(m / 64);
      const bytes = vectorBindings.vector_get_validity(raw, words * 8);
      if (bytes) markInvalid(new BigUint64Array(bytes.buffer, bytes.byteOffset, words), m, target, offset);
      continue;
    }
    const vector = chunk.getColumnVector(j) as { getItem(i: number): number | null };
    for (let i = 0; i < m; i++) target[offset + i] = vector.getItem(i) ?? NaN;
  }
}

/**
 * Settings every database starts with. Extensions: json and parquet are built into DuckDB's node
 * package, so nothing needs loading, and a query naming `https://...` or `read_xlsx` must not make
 * DuckDB download and load code. Together with `lock_configuration` (set after opening) a query
 * cannot turn any of this back on. What a `sql` source may run at all is decided before it runs
 * (`readOnlyQuery`: one SELECT). File access stays on: sources read the user's files wherever they
 * are, and DuckDB's `allowed_directories` would grant writes as well as reads in those folders.
 */
const lockedDown: Record<string, string> = {
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
  allow_community_extensions: "false",
  allow_unsigned_extensions: "false",
  allow_persistent_secrets: "false",
};

/**
 * Memory DuckDB frees goes back to the system soon after, not at its allocator's leisure: without
 * this a `lathe run` held the buffers of a split's sorts and a prepare's fits (hundreds of MB at
 * 5M rows) while it trained, and its peak RSS with them (bench/RESULTS.md, "Learners at scale").
 */
const returnMemory: Record<string, string> = {
  allocator_background_threads: "true",
  allocator_flush_threshold: "8MB",
};

/** Settings that stay changeable after the lock: resources, not capabilities. */
const changeable = ["threads", "memory_limit", "max_temp_directory_size", "temp_directory"];

const allValid = 0xffffffffffffffffn;

/** Writes NaN where a validity mask (one bit per row, 64 rows a word) marks a NULL. */
function markInvalid(mask: BigUint64Array, rows: number, target: Float32Array | Float64Array, offset: number): void {
  for (let w = 0; w * 64 < rows; w++) {
    const word = mask[w];
    if (word === allValid) continue;
    for (let b = 0; b < 64 && w * 64 + b < rows; b++) if (((word >> BigInt(b)) & 1n) === 0n) target[offset + w * 64 + b] = NaN;
  }
}

/** Calendar types whose JS form misleads: a DATE as a Date at UTC midnight (printed as a timestamp), a TIME as microseconds. */
const asWritten = new Set<DuckDBTypeId>([duckdb.DuckDBTypeId.DATE, duckdb.DuckDBTypeId.TIME, duckdb.DuckDBTypeId.TIME_TZ, duckdb.DuckDBTypeId.TIME_NS]);

/**
 * DuckDB values as JS for rows: a DATE as DuckDB writes it (`2024-03-05`), a TIME likewise
 * (`10:11:12`), the rest as the client converts them. A value JS cannot hold (`DATE 'infinity'`, a
 * timestamp beyond a Date's range) is given as DuckDB writes it instead of failing the query.
 */
const rowValue: DuckDBValueConverter<JS> = (value, type, self) => {
  if (value instanceof duckdb.DuckDBDateValue && !value.isFinite) return value.days > 0 ? "infinity" : "-infinity";
  if (value != null && asWritten.has(type.typeId)) return String(value);
  try {
    return duckdb.JSDuckDBValueConverter(value, type, self);
  } catch (e) {
    if (value == null || !/out of range/i.test((e as Error).message)) throw e;
    return String(value);
  }
};

/** DuckDB returns BIGINT as bigint: turn safe ones into numbers so results serialise as JSON. */
export function plain(v: unknown): unknown {
  if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  return v;
}
