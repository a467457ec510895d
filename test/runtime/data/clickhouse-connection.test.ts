import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { ClickHouseConnection, duckTypeOf } from "../../../runtime/data/clickhouse-connection.js";
import { DataError } from "../../../runtime/errors.js";
import { startCluster, type Cluster } from "../../clickhouse-cluster.js";
import { tempDir } from "../../helpers.js";
import { freePort } from "../serve/fixture.js";

// A real two-shard cluster (scripts/clickhouse-cluster.sh, ClickHouse 18.16): the client's
// requests, the rows it streams back and the coded errors with the server's own words.
let cluster: Cluster;
let url: string;
const lathe = { LATHE_CLICKHOUSE_USER: "lathe", LATHE_CLICKHOUSE_PASSWORD: process.env.LATHE_CLICKHOUSE_PASSWORD ?? "lathe" };

beforeAll(async () => {
  cluster = startCluster();
  const made = cluster.script("table", "events", "id Int64, kind String, amount Nullable(Float64), day Date", "id", "id");
  if (made.code !== 0) throw new Error(made.err);
  const rows = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ id: i, kind: i % 3 ? "view" : "buy", amount: i % 7 ? i / 4 : null, day: "2024-01-0" + (1 + (i % 9)) }));
  await cluster.query(`INSERT INTO events FORMAT JSONEachRow\n${rows.join("\n")}`, 1, { params: { insert_distributed_sync: "1" } });
  url = `http://127.0.0.1:${cluster.http[0]}/default`;
}, 60_000);
afterAll(() => cluster?.stop());

/** The coded error a failing call gives. */
async function failure(f: () => Promise<unknown>): Promise<DataError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error("expected a failure");
}

describe("a ClickHouse connection (18.16)", () => {
  it("describes a table and reads rows with the environment's credentials", async () => {
    const conn = await ClickHouseConnection.open(url, lathe);
    try {
      expect(await conn.describe("events")).toEqual([
        { name: "id", type: "Int64" },
        { name: "kind", type: "String" },
        { name: "amount", type: "Nullable(Float64)" },
        { name: "day", type: "Date" },
      ]);
      expect(await conn.rows("SELECT kind, count() AS n FROM events GROUP BY kind ORDER BY kind")).toEqual([
        { kind: "buy", n: "1667" },
        { kind: "view", n: "3333" },
      ]);
    } finally {
      await conn.close();
    }
  });

  it("streams a result in chunks that add up to every row of both shards", async () => {
    const conn = await ClickHouseConnection.open(url, lathe);
    const chunks: number[] = [];
    let sum = 0;
    try {
      const n = await conn.stream("SELECT id FROM events", async (rows) => {
        chunks.push(rows.length);
        for (const r of rows) sum += Number(r.id);
      });
      expect(n).toBe(5000);
      expect(chunks.reduce((a, b) => a + b, 0)).toBe(5000);
      expect(sum).toBe((4999 * 5000) / 2);
    } finally {
      await conn.close();
    }
  });

  it("fingerprints a table's rows on the engine: the same rows give the same print, one more row another", async () => {
    const conn = await ClickHouseConnection.open(url, lathe);
    try {
      const before = await conn.fingerprint("events");
      // The same rows in another table, inserted in reverse order on the other shard's server.
      const made = cluster.script("table", "events_copy", "id Int64, kind String, amount Nullable(Float64), day Date", "id", "id");
      if (made.code !== 0) throw new Error(made.err);
      await cluster.query("INSERT INTO events_copy SELECT * FROM events ORDER BY id DESC", 2, { params: { insert_distributed_sync: "1" } });
      expect(JSON.parse(await conn.fingerprint("events_copy")).sum).toBe(JSON.parse(before).sum);
      await cluster.query(`INSERT INTO events_copy FORMAT JSONEachRow\n{"id": 5000, "kind": "buy", "amount": null, "day": "2024-01-01"}`, 1, { params: { insert_distributed_sync: "1" } });
      const after = JSON.parse(await conn.fingerprint("events_copy"));
      expect([after.rows, after.sum === JSON.parse(before).sum]).toEqual(["5001", false]);
      expect(await conn.fingerprint("events")).toBe(before);
    } finally {
      await conn.close();
    }
  });

  it("says engine-unreachable when no server answers, with the socket's reason", async () => {
    // A port the system just handed out and took back: a fixed offset from the cluster's ports can
    // be another test's listener (bases 20000–50000 overlap the ephemeral range), which answers.
    const conn = await ClickHouseConnection.open(`http://127.0.0.1:${await freePort()}/default`, lathe);
    const e = await failure(() => conn.rows("SELECT 1"));
    await conn.close();
    expect([e.code, e.message]).toEqual(["engine-unreachable", e.message]);
    expect(e.message).toMatch(/cannot reach the ClickHouse server at http:\/\/127\.0\.0\.1:\d+\/default: .*ECONNREFUSED/);
  });

  it("says engine-auth for a wrong password, with the server's message and never the password", async () => {
    const conn = await ClickHouseConnection.open(url, { LATHE_CLICKHOUSE_USER: "lathe", LATHE_CLICKHOUSE_PASSWORD: "not-the-password" });
    const e = await failure(() => conn.describe("events"));
    await conn.close();
    expect(e.code).toBe("engine-auth");
    expect(e.message).toContain("Wrong password for user lathe");
    expect(e.message).not.toContain("not-the-password");
  });

  it("says engine-error with the server's message for a query it rejects", async () => {
    const conn = await ClickHouseConnection.open(url, lathe);
    try {
      const missing = await failure(() => conn.describe("no_such_table"));
      expect(missing.code).toBe("engine-error");
      expect(missing.message).toMatch(/refused the query \(code 60\): Table default\.no_such_table doesn't exist/);
      // 18.16 has no window functions: the server's parser says so, not Lathe.
      const old = await failure(() => conn.rows("SELECT id, row_number() OVER (ORDER BY id) FROM events"));
      expect(old.code).toBe("engine-error");
      expect(old.message).toMatch(/code \d+\): Syntax error/);
    } finally {
      await conn.close();
    }
  });

  it("refuses a URL with credentials before anything is sent", async () => {
    const e = await failure(() => ClickHouseConnection.open(`http://lathe:secret@127.0.0.1:${cluster.http[0]}/default`));
    expect(e.code).toBe("credentials-in-program");
    expect(e.message).not.toContain("secret");
  });

  it("types ClickHouse columns as DuckDB will hold them", () => {
    expect(["Int64", "Nullable(Float64)", "LowCardinality(String)", "Date", "DateTime", "UInt8", "Array(String)"].map(duckTypeOf)).toEqual(["BIGINT", "DOUBLE", "VARCHAR", "DATE", "TIMESTAMP", "UTINYINT", "VARCHAR"]);
  });
});

describe("a `from clickhouse` source in a session", () => {
  it("gets its schema from the server for the checker, and an unknown table is the server's error at the URL", async () => {
    const root = tempDir("lathe-ch-session-");
    const session = await Session.open({ root, record: false });
    try {
      const ok = await session.check(`source e = table "events" from clickhouse "${url}"\nprepare p = e { drop rows where amount > 10 }`);
      expect(ok.diagnostics).toEqual([]);
      expect(ok.checked?.datasets.e.schema.map((c) => [c.name, c.type, c.sqlType])).toEqual([
        ["id", "number", "BIGINT"],
        ["kind", "string", "VARCHAR"],
        ["amount", "number", "DOUBLE"],
        ["day", "date", "DATE"],
      ]);
      const bad = await session.check(`source e = table "nope" from clickhouse "${url}"`);
      expect(bad.diagnostics.map((d) => d.code)).toEqual(["engine-error"]);
      expect(bad.diagnostics[0].message).toContain("doesn't exist");
      const creds = await session.check(`source e = table "events" from clickhouse "http://u:p@127.0.0.1:${cluster.http[0]}/default"`);
      expect(creds.diagnostics.map((d) => d.code)).toEqual(["credentials-in-program"]);
    } finally {
      session.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
