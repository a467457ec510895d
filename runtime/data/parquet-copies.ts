import type { DatasetState } from "../dataset-state.js";

/**
 * Parquet files that already hold a dataset's rows exactly, in order: what `COPY (SELECT * FROM
 * <its relation>) TO … (FORMAT parquet)` writes, with the same column names and types (the step
 * cache writes its tables so, and checks the types read back). `save` to a Parquet file copies such
 * a file instead of writing the rows a second time: a recorded `lathe run` of a prepare-only program
 * kept the prepared rows in the cache and then wrote the same rows again for `save` (bench/RESULTS.md,
 * "recorded run"). Keyed by the dataset's state object, so a dataset computed again (a new state)
 * is never matched with an older file.
 */
const copies = new WeakMap<DatasetState, string>();

/** DuckDB's `COPY` options for every Parquet file Lathe writes: the step cache's files and `save`'s are the same bytes only while they are one. */
export const parquetCopyOptions = "FORMAT parquet";

/** Remembers that `file` holds exactly the rows of `ds`, in order, as DuckDB's default Parquet writer wrote them. */
export function rememberParquet(ds: DatasetState, file: string): void {
  copies.set(ds, file);
}

/** A Parquet file holding exactly the rows of `ds`, if one was remembered. */
export function parquetOf(ds: DatasetState): string | undefined {
  return copies.get(ds);
}
