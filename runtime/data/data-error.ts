/**
 * The codes a data problem (a `DataError`, runtime/errors.ts) can carry, with what each means. `lathe check` reports them as the
 * diagnostic code at the source; a run that meets one exits 4 and prints `error[code]`.
 * grammar.md lists them (a test keeps the two the same).
 */
export const dataErrorCodes = {
  "file-not-found": "a data file, glob or database file that does not exist",
  "file-unreadable": "a file that cannot be opened (permission denied, not a directory, ...)",
  "file-not-regular": "a directory, FIFO, device or socket where a data file is expected",
  "file-empty": "a file with no bytes, or only blank lines",
  "file-not-text": "a text format (csv, tsv, json) whose bytes are binary, UTF-16 or not UTF-8",
  "file-format-unknown": "a file whose format the extension does not tell (`format csv` says it)",
  "file-compression": "a `.gz` or `.zst` file that does not decompress",
  "csv-malformed": "a csv row that does not parse: a wrong number of fields, an unterminated quote",
  "csv-no-rows": "a csv file with a header line and no rows",
  "json-malformed": "json that does not parse: truncated, an unexpected character",
  "json-too-deep": "json nested deeper than Lathe reads (64 levels)",
  "json-not-records": "json whose values are not records (`{...}` objects), such as `[1, 2, 3]`",
  "parquet-malformed": "a file that is not a Parquet file, or a truncated one",
  "database-unreadable": "a `table` source whose file is not a DuckDB database, or lacks the table",
  "value-conversion": "a value that does not fit its column's type",
  "sql-not-a-query": "a `sql` source that is not exactly one read-only SELECT (or WITH) query",
  "sql-error": "a `sql` query DuckDB refuses (an unknown table or column, a type error)",
  "engine-unreachable": "a `from clickhouse` source whose server does not answer at its URL",
  "engine-auth": "a ClickHouse server that refuses LATHE_CLICKHOUSE_USER / LATHE_CLICKHOUSE_PASSWORD",
  "engine-error": "a query the ClickHouse server refuses (an unknown table, a syntax its version lacks), with its message",
  "engine-table-mismatch": "a batch deploy into an engine table that exists with columns the scored rows do not fit",
  "engine-out-of-range": "a batch deploy or save to an engine table of a date or time its column type cannot hold (ClickHouse 18.16: before 1970, after 2105)",
  "engine-unsupported": "a step an engine cannot compute as Lathe defines it (`drop duplicates` on ClickHouse)",
  "out-of-memory": "DuckDB ran out of the memory it may use (LATHE_MEMORY_LIMIT) on work it cannot spill to disk",
  "invalid-memory-setting": "LATHE_TRAIN_MEMORY or LATHE_MEMORY_LIMIT that is not a size such as 512MB",
  "data-error": "any other problem with the data a step reads",
} as const;

export type DataErrorCode = keyof typeof dataErrorCodes;
