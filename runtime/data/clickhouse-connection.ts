import type { ClickHouseClient } from "@clickhouse/client";
import { engineUrlProblem } from "../../language/catalog.js";
import { DataError } from "../errors.js";
import { clickhouseDialect } from "../sql/clickhouse-dialect.js";
import type { TypedColumn } from "../sql/dialect.js";

/**
 * A connection to a ClickHouse server named by a source's URL (`from clickhouse "http://HOST:PORT/DB"`),
 * with @clickhouse/client 1.23.1 over HTTP. Credentials come only from the environment
 * (`LATHE_CLICKHOUSE_USER`, default `default`; `LATHE_CLICKHOUSE_PASSWORD`, default none), so
 * neither the program nor the run record ever holds them. Checked against 18.16: rows travel as
 * `JSONEachRow` (18.16 has no `JSONCompactEachRow`), and the client's defaults (no compression,
 * no session) suit it. Every failure is a coded `DataError` with the server's own message:
 * `engine-unreachable`, `engine-auth`, `engine-error`.
 */
/**
 * Where an engine is and which environment variables hold its credentials: names only, never the
 * values, so a program, a plan and a run record may hold it. Unset names mean
 * LATHE_CLICKHOUSE_USER / LATHE_CLICKHOUSE_PASSWORD.
 */
export interface EngineAddress {
  url: string;
  userEnv?: string;
  passwordEnv?: string;
}

/** A table on a SQL engine other than the embedded DuckDB: where a `from clickhouse` source's rows stay (and the names of its credential variables). */
export interface EngineRef extends EngineAddress {
  engine: "clickhouse";
  table: string;
}

export class ClickHouseConnection {
  private constructor(
    /** The URL as the program wrote it (no credentials: `engineUrlProblem` refuses them). */
    readonly url: string,
    private readonly client: ClickHouseClient,
    /** The names of the variables its credentials came from, for an `engine-auth` message. */
    private readonly names: Omit<EngineAddress, "url"> = {},
  ) {}

  /**
   * A connection to `url` with the environment's credentials (from the variables `names` gives,
   * by default LATHE_CLICKHOUSE_USER and LATHE_CLICKHOUSE_PASSWORD); nothing is sent until the first
   * query. A variable a source names that is not set is `engine-auth`, before anything is sent.
   */
  static async open(url: string, env: NodeJS.ProcessEnv = process.env, names: Omit<EngineAddress, "url"> = {}): Promise<ClickHouseConnection> {
    const problem = engineUrlProblem(url);
    if (problem) throw new DataError(problem.message, url, problem.code);
    for (const [key, name] of [["user_env", names.userEnv], ["password_env", names.passwordEnv]] as const) {
      if (name !== undefined && env[name] === undefined) throw new DataError(`the environment variable ${name} (the source's \`${key}\`) is not set`, url, "engine-auth");
    }
    // Loaded on first use: ≈ 60 ms that every other command and kernel start would pay.
    const { createClient, ClickHouseLogLevel } = await import("@clickhouse/client");
    const u = new URL(url);
    const database = u.pathname.replace(/^\/|\/$/g, "") || "default";
    const client = createClient({
      url: `${u.protocol}//${u.host}`,
      database,
      username: (names.userEnv ? env[names.userEnv] : env.LATHE_CLICKHOUSE_USER) || "default",
      password: (names.passwordEnv ? env[names.passwordEnv] : env.LATHE_CLICKHOUSE_PASSWORD) ?? "",
      // A refused or unreachable server is reported once, as a coded error; the client would also log it.
      log: { level: ClickHouseLogLevel.OFF },
      request_timeout: Number(env.LATHE_CLICKHOUSE_TIMEOUT_MS) || 300_000,
      // 18.16 quotes 64-bit integers in JSON by default; the rows are typed when they land in DuckDB.
      clickhouse_settings: {},
    });
    return new ClickHouseConnection(url, client, names);
  }

  /** A table's columns with their ClickHouse types (`DESCRIBE TABLE`). */
  async describe(table: string): Promise<TypedColumn[]> {
    const rows = await this.rows(`DESCRIBE TABLE ${clickhouseDialect.ident(table)}`);
    return rows.map((r) => ({ name: String(r.name), type: String(r.type) }));
  }

  /**
   * A fingerprint of a table's rows computed on the engine, independent of their order and of how
   * they are spread over shards: the row count and the wrapping sum of each row's 64-bit hash of its
   * portable text (`rowText`), with the columns and their types.
   */
  async fingerprint(table: string): Promise<string> {
    const columns = await this.describe(table);
    const [r] = await this.rows(`SELECT count() AS n, toString(sum(halfMD5(${contentText(columns)}))) AS s FROM ${clickhouseDialect.ident(table)}`);
    return JSON.stringify({ columns, rows: String(r.n), sum: String(r.s) });
  }

  /** All rows of a query, as JSON objects (64-bit integers as strings, as the server writes them). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    return this.guard(async () => (await this.client.query({ query: sql, format: "JSONEachRow" })).json<Record<string, unknown>>());
  }

  /** The rows of a query in the chunks the server sends them, so a large part never sits whole in memory; returns the row count. */
  async stream(sql: string, onRows: (rows: Record<string, unknown>[]) => Promise<void>): Promise<number> {
    return this.guard(async () => {
      const result = await this.client.query({ query: sql, format: "JSONEachRow" });
      let n = 0;
      for await (const chunk of result.stream<Record<string, unknown>>()) {
        const rows = chunk.map((r) => r.json());
        n += rows.length;
        if (rows.length) await onRows(rows);
      }
      return n;
    });
  }

  /** A query's result in `format` as the server's bytes, chunk by chunk, for a caller that stores rows without parsing each one. */
  async streamBytes(sql: string, format: string, onChunk: (chunk: Buffer) => Promise<void>): Promise<void> {
    await this.guard(async () => {
      const { stream } = await this.client.exec({ query: `${sql} FORMAT ${format}` });
      for await (const chunk of stream) await onChunk(chunk as Buffer);
    });
  }

  /** A statement with no result rows (DDL, `INSERT … SELECT`). */
  async command(sql: string): Promise<void> {
    await this.guard(() => this.client.command({ query: sql }));
  }

  /** An `INSERT … FORMAT …` with its data in the statement's body; into a Distributed table, the rows are on their shards when it returns. */
  async insert(statement: string): Promise<void> {
    await this.guard(() => this.client.command({ query: statement, clickhouse_settings: { insert_distributed_sync: 1 } }));
  }

  /** Ends the connection's sockets. */
  async close(): Promise<void> {
    await this.client.close();
  }

  private async guard<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw engineError(e, this.url, this.names);
    }
  }
}

/**
 * A row's text for its fingerprint: the portable row text of the columns that have one, then
 * ClickHouse's own text of the others (arrays, enums, UUIDs: no portable text, but a text all the
 * same, so a table holding them can be read). A table of portable columns only gets its portable
 * row text, as before.
 */
function contentText(columns: TypedColumn[]): string {
  const portable = columns.filter((c) => clickhouseDialect.valueKind(c.type) !== "other");
  const others = columns.filter((c) => clickhouseDialect.valueKind(c.type) === "other").map((c) => `ifNull(toString(${clickhouseDialect.ident(c.name)}), '\\N')`);
  const parts = [...(portable.length ? [clickhouseDialect.rowText(portable)] : []), ...others];
  return parts.length === 1 ? parts[0] : `concat(${parts.join(", '\t', ")})`;
}

/** ClickHouse's error codes for a user or password the server does not accept (193 wrong password, 192 unknown user, 516 newer servers' authentication failure). */
const authCodes = new Set([192, 193, 516]);

/** Socket errors that mean no server answered at the URL. */
const unreachable = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE)$/;

/**
 * A client failure as a coded DataError with the server's message. 18.16 writes errors as
 * `Code: 193, e.displayText() = DB::Exception: Wrong password …, e.what() = DB::Exception`
 * (newer servers `Code: 193. DB::Exception: …`), which the client does not parse: the code is read here.
 */
export function engineError(e: unknown, url: string, names: Omit<EngineAddress, "url"> = {}): DataError {
  if (e instanceof DataError) return e;
  const err = e as Error & { code?: string };
  const message = (err?.message ?? String(e)).trim();
  if ((err?.code && unreachable.test(err.code)) || /Timeout error|socket hang up/i.test(message)) {
    return new DataError(`cannot reach the ClickHouse server at ${url}: ${message}`, url, "engine-unreachable");
  }
  const code = Number(/^Code: (\d+)/.exec(message)?.[1]);
  const text = message
    .replace(/^Code: \d+[.,]\s*/, "")
    .replace(/^e\.displayText\(\) = /, "")
    .replace(/^DB::Exception: /, "")
    .replace(/,? e\.what\(\) = DB::Exception$/, "")
    .replace(/\s*\(version [^)]*\)\s*$/, "");
  if (authCodes.has(code)) return new DataError(`the ClickHouse server at ${url} refused the credentials (${names.userEnv ?? "LATHE_CLICKHOUSE_USER"} / ${names.passwordEnv ?? "LATHE_CLICKHOUSE_PASSWORD"}): ${text}`, url, "engine-auth");
  return new DataError(`ClickHouse at ${url} refused the query${code ? ` (code ${code})` : ""}: ${text}`, url, "engine-error");
}

/**
 * The DuckDB type a ClickHouse column becomes when its rows come back: the checker sees these, as it
 * sees DuckDB's own types for files. Nullable/LowCardinality wrappers are dropped (DuckDB columns
 * are nullable); a type with no DuckDB counterpart here comes back as text (VARCHAR).
 */
export function duckTypeOf(chType: string): string {
  const t = chType.replace(/^(Nullable|LowCardinality)\((.*)\)$/, "$2").replace(/^(Nullable|LowCardinality)\((.*)\)$/, "$2");
  const ints: Record<string, string> = { Int8: "TINYINT", Int16: "SMALLINT", Int32: "INTEGER", Int64: "BIGINT", UInt8: "UTINYINT", UInt16: "USMALLINT", UInt32: "UINTEGER", UInt64: "UBIGINT" };
  if (ints[t]) return ints[t];
  if (t === "Float32") return "FLOAT";
  if (t === "Float64" || t.startsWith("Decimal")) return "DOUBLE";
  if (t === "Date") return "DATE";
  if (t === "DateTime" || t.startsWith("DateTime(")) return "TIMESTAMP";
  return "VARCHAR";
}
