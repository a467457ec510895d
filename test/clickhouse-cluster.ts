import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { PrepareStep } from "../language/ast.js";
import { parse } from "../language/parse.js";
import path from "node:path";
import { dataset, repo, tempDir } from "./helpers.js";

const script = path.join(repo, "scripts", "clickhouse-cluster.sh");

/** A two-shard cluster started by scripts/clickhouse-cluster.sh for one test file. */
export interface Cluster {
  dir: string;
  http: [number, number];
  /** Runs `sql` on shard 1 or 2 over HTTP; rows of `FORMAT JSONEachRow` parsed, else the text. A server error throws with its message. */
  query(sql: string, shard?: 1 | 2, options?: { params?: Record<string, string>; auth?: string }): Promise<string>;
  rows(sql: string, shard?: 1 | 2): Promise<Record<string, unknown>[]>;
  /** Runs the script on this cluster: `table NAME COLUMNS ORDER_BY KEY`, `stop`. */
  script(...args: string[]): { code: number | null; out: string; err: string };
  stop(): void;
}

function run(args: string[]) {
  const r = spawnSync("bash", [script, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * Starts the cluster in a fresh `lathe-clickhouse-` folder. clickhouse-server missing is a failure
 * with the command that installs it, never a skip: CI installs it (.ci/run). The port base comes
 * from the process id (tests in parallel workers do not collide), or from `portBase` when given, or
 * from LATHE_TEST_CLICKHOUSE_PORTS when set; a base with a port taken is skipped for the next.
 */
export function startCluster(portBase?: number): Cluster {
  if (spawnSync("sh", ["-c", "command -v clickhouse-server"]).status !== 0) {
    throw new Error("clickhouse-server is not installed: run `sudo bash scripts/setup-clickhouse.sh` (CI's .ci/run does)");
  }
  const dir = tempDir("lathe-clickhouse-");
  let started: ReturnType<typeof run> | undefined;
  let base = 0;
  for (let attempt = 0, tried = 0; attempt < 20 && tried < 3; attempt++) {
    // A caller's base first; else LATHE_TEST_CLICKHOUSE_PORTS pins it (parallel sessions on one machine keep apart).
    const pinned = Number(process.env.LATHE_TEST_CLICKHOUSE_PORTS);
    base =
      portBase !== undefined ? portBase + attempt * 20 : pinned ? pinned + attempt * 20 + (process.pid % 10) * 60 : 20000 + ((process.pid * 7 + attempt * 131) % 1500) * 20;
    // A base whose ports something already holds is passed over without starting a server on it
    // (another session's cluster, another worktree's tests); a port taken in between fails the start.
    if (!portsFree(base)) continue;
    tried++;
    started = run(["start", dir, String(base)]);
    if (started.code === 0) break;
  }
  if (started?.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the ClickHouse cluster did not start: ${started ? started.err : `no port base with six free ports (last tried ${base})`}`);
  }
  const env = Object.fromEntries(readFileSync(path.join(dir, "cluster.env"), "utf8").trim().split("\n").map((l) => l.split("=")));
  const http: [number, number] = [Number(env.HTTP1), Number(env.HTTP2)];
  const query: Cluster["query"] = async (sql, shard = 1, options = {}) => {
    const url = new URL(`http://127.0.0.1:${http[shard - 1]}/`);
    for (const [k, v] of Object.entries(options.params ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = options.auth ? { authorization: `Basic ${Buffer.from(options.auth).toString("base64")}` } : {};
    const res = await post(url, sql, headers);
    if (res.status !== 200) throw new Error(`ClickHouse ${res.status}: ${res.text.trim()}`);
    return res.text;
  };
  return {
    dir,
    http,
    query,
    async rows(sql, shard = 1) {
      const text = await query(`${sql} FORMAT JSONEachRow`, shard);
      return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    script: (...args) => run([args[0], dir, ...args.slice(1)]),
    stop() {
      const r = run(["stop", dir]);
      rmSync(dir, { recursive: true, force: true });
      if (r.code !== 0) throw new Error(`the ClickHouse cluster did not stop: ${r.err}`);
    },
  };
}

/**
 * POSTs `body` on a connection of its own, closed after the answer. Not `fetch`: its pool reused a
 * connection idle for 3–4 s, which the server (keep_alive_timeout 3 s, scripts/clickhouse-cluster.sh)
 * was closing at that moment, and the request failed with "other side closed" (a CI run, 2026-12-02).
 * Lathe's own client (@clickhouse/client) drops idle sockets after 2.5 s, before the server does.
 */
function post(url: URL, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Whether the six ports of a cluster at `base` are free on loopback: a child binds each and lets go (startCluster is synchronous). */
function portsFree(base: number): boolean {
  const ports = [0, 1, 2, 10, 11, 12].map((d) => base + d);
  const probe = `const net = require("node:net"); let left = ${ports.length};
for (const p of ${JSON.stringify(ports)}) {
  const s = net.createServer();
  s.once("error", () => process.exit(1));
  s.listen(p, "127.0.0.1", () => s.close(() => { if (--left === 0) process.exit(0); }));
}`;
  return spawnSync(process.execPath, ["-e", probe], { timeout: 10_000 }).status === 0;
}

/** True while a process with this id runs. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The PIDs the script recorded for both shards. */
export function shardPids(dir: string): number[] {
  return [1, 2].map((n) => path.join(dir, `shard${n}`, "pid")).filter(existsSync).map((f) => Number(readFileSync(f, "utf8").trim()));
}

/** The penguins rows (vega-datasets), as the cluster and DuckDB both load them. */
export const penguins = JSON.parse(readFileSync(dataset("penguins.json"), "utf8")) as Record<string, unknown>[];

/** Creates the Distributed table `penguins` over both shards (sharded by island and mass) and inserts every penguin, on its shard when this returns. */
export async function loadPenguins(cluster: Cluster): Promise<void> {
  const made = cluster.script(
    "table",
    "penguins",
    "Species String, Island String, `Beak Length (mm)` Nullable(Float64), `Beak Depth (mm)` Nullable(Float64), `Flipper Length (mm)` Nullable(Float64), `Body Mass (g)` Nullable(Float64), Sex Nullable(String)",
    "Species",
    "cityHash64(Island, ifNull(`Body Mass (g)`, 0))",
  );
  if (made.code !== 0) throw new Error(made.err);
  await cluster.query(`INSERT INTO penguins FORMAT JSONEachRow\n${penguins.map((r) => JSON.stringify(r)).join("\n")}`, 1, { params: { insert_distributed_sync: "1" } });
}

/** Prepare steps from the text of a `prepare` block. */
export function prepareSteps(block: string): PrepareStep[] {
  const { program } = parse(`source p = read "x.json"\nprepare q = p {\n${block}\n}`);
  const s = program.statements.find((x) => x.kind === "prepare");
  if (s?.kind !== "prepare") throw new Error("no prepare statement");
  return s.steps;
}
