import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";

/** A DuckDB database the runtime computes in: in memory by default, or a file for caching across runs. */
export class Database {
  private constructor(
    readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /** Opens (creating if needed) a database; ":memory:" for a scratch one. */
  static async open(path = ":memory:", options: Record<string, string> = {}): Promise<Database> {
    const instance = await DuckDBInstance.create(path, { threads: String(Math.max(1, (await import("node:os")).availableParallelism())), ...options });
    return new Database(instance, await instance.connect());
  }

  /** Runs a statement that returns nothing of interest. */
  async exec(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Runs a query and returns its rows as plain JS objects (bigint → number where safe). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((r) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) out[k] = plain(v);
      return out;
    });
  }

  /** The column names and DuckDB types a query would return, without running it. */
  async describe(sql: string): Promise<{ name: string; type: string }[]> {
    const rows = await this.rows(`DESCRIBE ${sql}`);
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }

  /** Reads numeric columns of a query straight into Float32Arrays, chunk by chunk (no per-row objects). */
  async float32Columns(sql: string): Promise<{ n: number; columns: Float32Array[] }> {
    const result = await this.connection.stream(sql);
    const k = result.columnCount;
    let cap = 1 << 16;
    let columns = Array.from({ length: k }, () => new Float32Array(cap));
    let n = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const m = chunk.rowCount;
      if (n + m > cap) {
        while (n + m > cap) cap *= 2;
        columns = columns.map((c) => {
          const bigger = new Float32Array(cap);
          bigger.set(c.subarray(0, n));
          return bigger;
        });
      }
      for (let j = 0; j < k; j++) {
        const vector = chunk.getColumnVector(j) as unknown as { items?: Float32Array; validity?: { data?: BigUint64Array | null }; getItem(i: number): number | null };
        const target = columns[j];
        // DuckDBFloatVector keeps its data in a Float32Array: copy it in one go when it is there.
        if (vector.items instanceof Float32Array && vector.items.length >= m) {
          target.set(vector.items.subarray(0, m), n);
          // A NULL's slot holds whatever was there; the validity mask (absent when all are valid) says which.
          const mask = vector.validity?.data;
          if (mask) markInvalid(mask, m, target, n);
        } else for (let i = 0; i < m; i++) target[n + i] = vector.getItem(i) ?? NaN;
      }
      n += m;
    }
    return { n, columns: columns.map((c) => c.slice(0, n)) };
  }

  /** Reads one column of strings (labels) as a JS array. */
  async strings(sql: string): Promise<(string | null)[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getColumnsJS()[0].map((v) => (v === null || v === undefined ? null : String(v)));
  }

  /** Closes the connection and the instance. */
  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

const allValid = 0xffffffffffffffffn;

/** Writes NaN where a validity mask (one bit per row, 64 rows a word) marks a NULL. */
function markInvalid(mask: BigUint64Array, rows: number, target: Float32Array, offset: number): void {
  for (let w = 0; w * 64 < rows; w++) {
    const word = mask[w];
    if (word === allValid) continue;
    for (let b = 0; b < 64 && w * 64 + b < rows; b++) if (((word >> BigInt(b)) & 1n) === 0n) target[offset + w * 64 + b] = NaN;
  }
}

/** DuckDB returns BIGINT as bigint: turn safe ones into numbers so results serialise as JSON. */
export function plain(v: unknown): unknown {
  if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  return v;
}
