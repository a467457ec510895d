import { createRequire } from "node:module";
import type * as DuckDB from "@duckdb/node-api";

/**
 * The DuckDB client package, loaded with `require`. It is CommonJS: an ES `import` of it makes Node
 * pre-parse each of its sixty files for their export names, about 250 ms of CPU on every start of
 * the CLI, a kernel or a server; `require` reads them once, as Node loads any CommonJS package.
 */
export const duckdb: typeof DuckDB = createRequire(import.meta.url)("@duckdb/node-api");
