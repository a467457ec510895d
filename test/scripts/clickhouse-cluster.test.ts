import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alive, shardPids, startCluster, type Cluster } from "../clickhouse-cluster.js";

let cluster: Cluster;
let pids: number[] = [];
beforeAll(() => {
  cluster = startCluster();
  pids = shardPids(cluster.dir);
}, 60_000);
afterAll(() => {
  if (cluster && pids.every(alive)) cluster.stop();
});

describe("scripts/clickhouse-cluster.sh", () => {
  it("starts two servers on loopback, each knowing the two-shard cluster `lathe`", async () => {
    expect(pids).toHaveLength(2);
    for (const shard of [1, 2] as const) {
      expect((await cluster.query("SELECT version()", shard)).trim()).toBe("18.16.1");
      const shards = await cluster.rows("SELECT shard_num, port FROM system.clusters WHERE cluster = 'lathe' ORDER BY shard_num", shard);
      expect(shards.map((r) => r.shard_num)).toEqual([1, 2]);
      expect(new Set(shards.map((r) => r.port)).size).toBe(2);
    }
  });

  it("creates a Distributed table whose rows spread over MergeTree tables on both shards", async () => {
    const made = cluster.script("table", "spread", "k Int64, s String", "k", "k");
    expect(made.code, made.err).toBe(0);
    const rows = Array.from({ length: 100 }, (_, k) => JSON.stringify({ k, s: `row ${k}` })).join("\n");
    await cluster.query(`INSERT INTO spread FORMAT JSONEachRow\n${rows}`, 1, { params: { insert_distributed_sync: "1" } });
    const local = await Promise.all(([1, 2] as const).map(async (n) => Number((await cluster.query("SELECT count() FROM spread_shard", n)).trim())));
    // Sharding key k over two shards of weight 1: even k on the first, odd on the second.
    expect(local).toEqual([50, 50]);
    for (const n of [1, 2] as const) expect(await cluster.rows("SELECT count() AS n, sum(k) AS total FROM spread", n)).toEqual([{ n: "100", total: "4950" }]);
  });

  it("checks the password of the user `lathe`", async () => {
    await expect(cluster.query("SELECT 1", 1, { auth: "lathe:wrong" })).rejects.toThrow(/Wrong password for user lathe/);
    expect((await cluster.query("SELECT 1", 2, { auth: "lathe:lathe" })).trim()).toBe("1");
  });

  it("refuses a second start on the same folder and stops both servers by PID", () => {
    const again = cluster.script("start");
    expect(again.code).not.toBe(0);
    expect(again.err).toMatch(/already runs/);
    const dir = cluster.dir;
    cluster.stop();
    expect(pids.some(alive)).toBe(false);
    expect(shardPids(dir)).toEqual([]);
  });
});
