import { createRequire } from "node:module";
import type * as DuckDB from "@duckdb/node-api";
import { requireBundle, vendorBundle } from "../vendor-bundle.js";
import { setStartingAllocator } from "./duckdb-allocator.js";

/**
 * How DuckDB's allocator (jemalloc, on Linux) gives back pages it freed: at once, from its start.
 * Freed memory otherwise stays in RSS while the run goes on — the CSV reader's buffers, a split's
 * sorts, a table dropped after its last reader — and the peak of a short run is the sum of its
 * steps: 200k × 20 logistic through `lathe run`, 277–289 MB → 231–233 MB; 1M × 20, 622–630 →
 * 567–578 MB. The trade is system time on DuckDB's own work: on the 5M-row prepare pipeline,
 * 1.16–1.41× a hand-written DuckDB script's CPU with decay 0 against 1.12–1.25× with DuckDB's own
 * 1 s decay (≈ 0.8–1 s of sys), for a peak of 830–943 MB instead of 807–843 (bench/RESULTS.md,
 * "Run-time control of DuckDB's allocator"). jemalloc reads this once, when it starts, so it is set before DuckDB is loaded, and
 * it is what stays when nothing can change it later (no native module, not Linux). Where jemalloc's
 * control is reachable, `duckdb-allocator.ts` relaxes it to DuckDB's own decay for a one-shot run of
 * DuckDB's work alone (read, prepare, split, save) and back to 0 before any read of rows into
 * JavaScript. Not for a run that trains: DuckDB's decay during its read and split raised the 200k
 * peaks by 35–50 MB, even with the pages purged before the training read. A DUCKDB_JE_MALLOC_CONF of
 * the user's own wins, and then Lathe leaves the allocator alone.
 */
setStartingAllocator();

/** Where the client package (or its bundle) is, found once for the client and for its bindings. */
const client = clientPath();

/**
 * The DuckDB client package, loaded with `require`. It is CommonJS: an ES `import` of it makes Node
 * pre-parse each of its files for their export names, about 250 ms of CPU on every start of the CLI,
 * a kernel or a server; `require` reads them once, as Node loads any CommonJS package. The build's
 * one-file bundle of the same version (scripts/bundle-vendor.mjs, dist/vendor/) is loaded instead
 * when present, with its code cache (runtime/vendor-bundle.ts): ≈ 180 files fewer to resolve and read.
 */
export const duckdb: typeof DuckDB = loadDuckdb(client);

/** Where the client package (or the build's bundle of it) is loaded from, and whether it is the bundle. */
function clientPath(): { file: string; bundled: boolean } {
  const require = createRequire(import.meta.url);
  const { version } = require("@duckdb/node-api/package.json") as { version: string };
  const bundled = vendorBundle("duckdb-node-api", version);
  return bundled ? { file: bundled, bundled: true } : { file: require.resolve("@duckdb/node-api"), bundled: false };
}

function loadDuckdb({ file, bundled }: { file: string; bundled: boolean }): typeof DuckDB {
  return (bundled ? requireBundle(file) : createRequire(import.meta.url)(file)) as typeof DuckDB;
}

/**
 * The few calls of DuckDB's native bindings (`@duckdb/node-bindings`, the C API one function each)
 * that the typed-column readers make on every vector of a result, and `Database.idTable` on every
 * vector it appends.
 */
export interface VectorBindings {
  data_chunk_get_vector(chunk: unknown, column: number): unknown;
  vector_get_data(vector: unknown, bytes: number): Uint8Array;
  vector_get_validity(vector: unknown, bytes: number): Uint8Array | null;
  copy_data_to_vector(vector: unknown, targetOffset: number, source: ArrayBufferLike, sourceOffset: number, bytes: number): void;
}

/**
 * The bindings the client package calls, resolved from where it is loaded so that they are the
 * same module (the client's own objects are passed to them). The readers of numeric columns call
 * them directly: the client wraps each vector in an object with its logical type (a native object
 * with a finalizer, per vector), ≈ 20 µs a vector, 30 ms of a read of 140k × 20 values.
 */
const requireFromClient = createRequire(client.file);
export const vectorBindings: VectorBindings = requireFromClient("@duckdb/node-bindings") as VectorBindings;

/** The version of those bindings: the native column read takes their result handle, whose layout is theirs (native/column-read.cc). */
export const bindingsVersion: string = (requireFromClient("@duckdb/node-bindings/package.json") as { version: string }).version;
