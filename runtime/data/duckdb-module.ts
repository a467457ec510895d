import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type * as DuckDB from "@duckdb/node-api";

/**
 * How DuckDB's allocator (jemalloc, on Linux) gives back pages it freed: at once, not over the 10 s
 * it waits by default. Freed memory otherwise stays in RSS while the run goes on — the CSV reader's
 * buffers, a split's sorts, a table dropped after its last reader — and the peak of a short run is
 * the sum of its steps: 200k × 20 logistic through `lathe run`, 277–289 MB → 231–233 MB; 1M × 20,
 * 622–630 → 567–578 MB, for ≈ 0.1–0.3 s more system time (bench/RESULTS.md). Read once, when jemalloc
 * starts, so it is set before DuckDB is loaded; a DUCKDB_JE_MALLOC_CONF of the user's own wins.
 */
process.env.DUCKDB_JE_MALLOC_CONF ??= "dirty_decay_ms:0,muzzy_decay_ms:0";

/**
 * The DuckDB client package, loaded with `require`. It is CommonJS: an ES `import` of it makes Node
 * pre-parse each of its files for their export names, about 250 ms of CPU on every start of the CLI,
 * a kernel or a server; `require` reads them once, as Node loads any CommonJS package. The build's
 * one-file bundle of the same version (scripts/bundle-duckdb.mjs, dist/vendor/) is loaded instead
 * when present: ≈ 180 files fewer to resolve and read, ≈ 80 ms of CPU.
 */
export const duckdb: typeof DuckDB = loadDuckdb();

/** Where the client package (or the build's bundle of it) is loaded from. */
function clientPath(): string {
  const require = createRequire(import.meta.url);
  const { version } = require("@duckdb/node-api/package.json") as { version: string };
  // From dist/runtime/data/ the bundle is dist/vendor/; the sources (tests) have none and use the package.
  const bundled = fileURLToPath(new URL(`../../vendor/duckdb-node-api-${version}.cjs`, import.meta.url));
  return existsSync(bundled) ? bundled : require.resolve("@duckdb/node-api");
}

function loadDuckdb(): typeof DuckDB {
  return createRequire(import.meta.url)(clientPath()) as typeof DuckDB;
}

/**
 * The few calls of DuckDB's native bindings (`@duckdb/node-bindings`, the C API one function each)
 * that the typed-column readers make on every vector of a result.
 */
export interface VectorBindings {
  data_chunk_get_vector(chunk: unknown, column: number): unknown;
  vector_get_data(vector: unknown, bytes: number): Uint8Array;
  vector_get_validity(vector: unknown, bytes: number): Uint8Array | null;
}

/**
 * The bindings the client package calls, resolved from where it is loaded so that they are the
 * same module (the client's own objects are passed to them). The readers of numeric columns call
 * them directly: the client wraps each vector in an object with its logical type (a native object
 * with a finalizer, per vector), ≈ 20 µs a vector, 30 ms of a read of 140k × 20 values.
 */
export const vectorBindings: VectorBindings = createRequire(clientPath())("@duckdb/node-bindings") as VectorBindings;

/** The version of those bindings: the native column read takes their result handle, whose layout is theirs (native/column-read.cc). */
export const bindingsVersion: string = (createRequire(clientPath())("@duckdb/node-bindings/package.json") as { version: string }).version;
