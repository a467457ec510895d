import { existsSync, readdirSync, renameSync, statSync } from "node:fs";
import { Database } from "../data/database.js";
import { ModelRegistry } from "../model-registry.js";
import type { StoreLayout } from "./store-layout.js";
import { literal } from "../sql/quote.js";
import { ensureDir, removeQuietly } from "./durable-file.js";
import { crashPoint } from "./fault-injection.js";
import { JournalWriter, journalFile, readJournal, runIdsIn, type JournalRun } from "./run-journal.js";
import { StoreError } from "./store-error.js";

/** What a sync found: how many runs the index holds, how many it (re)read, which runs it found crashed. */
export interface SyncReport {
  runs: number;
  updated: number;
  crashed: string[];
  /** Journals that could not be read (named in the message of each). */
  unreadable: string[];
}

// 3: run names, tags, parents (child runs are rows: `tune` trials), git commit, user and host.
const schemaVersion = "3";
const schema = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS runs (id VARCHAR PRIMARY KEY, started_at VARCHAR, finished_at VARCHAR, status VARCHAR, program_path VARCHAR, program_sha VARCHAR, program_text VARCHAR, params VARCHAR, seed DOUBLE, backend VARCHAR, versions VARCHAR, data VARCHAR, plan VARCHAR, error VARCHAR, error_code VARCHAR, reproduces VARCHAR, steps INTEGER, pid INTEGER, journal_bytes BIGINT, journal_mtime DOUBLE, name VARCHAR, tags VARCHAR, parent VARCHAR, seq INTEGER, git_commit VARCHAR, git_dirty BOOLEAN, user_name VARCHAR, host VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS run_tags (run_id VARCHAR, key VARCHAR, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS metrics (run_id VARCHAR, model VARCHAR, data VARCHAR, metric VARCHAR, value DOUBLE)`,
  `CREATE TABLE IF NOT EXISTS artifacts (run_id VARCHAR, name VARCHAR, kind VARCHAR, path VARCHAR, sha256 VARCHAR, bytes BIGINT)`,
  `CREATE TABLE IF NOT EXISTS model_versions (name VARCHAR, version INTEGER, run_id VARCHAR, model VARCHAR, algorithm VARCHAR, task VARCHAR, artifact VARCHAR, sha256 VARCHAR, metrics VARCHAR, registered_at VARCHAR, PRIMARY KEY (name, version))`,
  `CREATE TABLE IF NOT EXISTS champion_changes (name VARCHAR, seq INTEGER, action VARCHAR, version INTEGER, previous INTEGER, run_id VARCHAR, changed_at VARCHAR, undoes INTEGER, PRIMARY KEY (name, seq))`,
];

/**
 * `lathe.duckdb`: an index of the journals and the registry for SQL queries, never the only copy
 * of anything. Only commands that read the store open it, for the moment of a sync, so runs never
 * wait for it and a long-running process never holds it; waiting for another reader's sync is
 * bounded (minutes) and said. A damaged index is `store-damaged`, and `lathe gc` rebuilds it.
 */
export class StoreIndex {
  /** Brings the index up to date: runs whose journal changed (or that were running) are read again. */
  static async sync(store: StoreLayout): Promise<SyncReport> {
    return withIndex(store, (db) => syncInto(db, store));
  }

  /** Syncs, then runs a query on the index. */
  static async query(store: StoreLayout, sql: string): Promise<Record<string, unknown>[]> {
    return withIndex(store, async (db) => {
      await syncInto(db, store);
      return db.rows(sql);
    });
  }

  /** Moves a damaged index aside (`lathe.duckdb.damaged`) and builds a new one from the files; false if it was not damaged. */
  static async rebuildIfDamaged(store: StoreLayout): Promise<{ rebuilt: boolean; keptAs?: string; report: SyncReport }> {
    try {
      return { rebuilt: false, report: await StoreIndex.sync(store) };
    } catch (e) {
      if (!(e instanceof StoreError) || e.code !== "store-damaged" || e.file !== store.dbPath) throw e;
    }
    const keptAs = `${store.dbPath}.damaged`;
    renameSync(store.dbPath, keptAs);
    for (const f of [`${store.dbPath}.wal`]) if (existsSync(f)) renameSync(f, `${keptAs}.wal`);
    return { rebuilt: true, keptAs, report: await StoreIndex.sync(store) };
  }
}

/** Opens the index (waiting for another process's sync), runs `fn` in one transaction, closes it. */
async function withIndex<T>(store: StoreLayout, fn: (db: Database) => Promise<T>): Promise<T> {
  ensureDir(store.root);
  const existed = existsSync(store.dbPath);
  let db: Database | undefined;
  try {
    db = await openWhenFree(store);
    const open = db;
    await damageAware(store, async () => {
      for (const s of schema) await open.exec(s);
    });
    await damageAware(store, () => open.exec("BEGIN TRANSACTION"));
    try {
      const out = await damageAware(store, () => fn(open));
      crashPoint("index-commit");
      await damageAware(store, () => open.exec("COMMIT"));
      return out;
    } catch (e) {
      // A failed COMMIT has already ended the transaction: report the cause, not the rollback's complaint.
      await open.exec("ROLLBACK").catch(() => undefined);
      throw e;
    }
  } catch (e) {
    db?.close();
    db = undefined;
    // A file DuckDB could not finish creating (a full disk) cannot be opened again: an index that never was is no loss.
    if (!existed && e instanceof StoreError && e.code === "store-error") for (const f of [store.dbPath, `${store.dbPath}.wal`]) removeQuietly(f);
    throw e;
  } finally {
    db?.close();
  }
}

/** Opens the index, waiting while another process holds DuckDB's file lock; says so after a few seconds, gives up after minutes. */
async function openWhenFree(store: StoreLayout): Promise<Database> {
  const maxWait = store.options.maxWaitMs ?? Number(process.env.LATHE_STORE_WAIT_MS ?? 300_000);
  const started = Date.now();
  let told = false;
  for (let attempt = 0; ; attempt++) {
    try {
      return await damageAware(store, () => Database.open(store.dbPath, { threads: "1" }));
    } catch (e) {
      const message = (e as Error).message ?? "";
      if (!/Could not set lock/.test(message)) throw e;
      const waited = Date.now() - started;
      const holder = /PID (\d+)/.exec(message)?.[1];
      if (waited > maxWait) throw new StoreError(`${store.dbPath} stayed locked by another process${holder ? ` (pid ${holder})` : ""} for ${Math.round(waited / 1000)} s; runs are recorded regardless (in ${store.runsDir}); try again when it has finished`, "store-busy", store.dbPath);
      if (!told && waited > 5000) {
        told = true;
        store.options.onWait?.(`waiting for the run store index ${store.dbPath}, held by another process${holder ? ` (pid ${holder})` : ""} ...`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random())));
    }
  }
}

/** Runs `fn`, turning DuckDB's complaints about the file into store errors that say what to do. */
async function damageAware<T>(store: StoreLayout, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof StoreError) throw e;
    const message = String((e as Error)?.message ?? e);
    const first = message.split("\n")[0];
    if (/No space left on device|Disk full|ENOSPC/i.test(message)) {
      throw new StoreError(`the run store index ${store.dbPath} could not be updated: no space left on device (ENOSPC). Runs are recorded in ${store.runsDir} regardless; free some space and run the command again`, "store-error", store.dbPath);
    }
    if (/not a valid DuckDB database file|Could not read|Is a directory|Serialization Error|Corrupt|checksum|INTERNAL Error|database file .* is (too old|not)|Catalog Error: Table with name runs does not exist/i.test(message)) {
      throw new StoreError(`the run store index ${store.dbPath} is damaged (${first}). It only indexes ${store.runsDir} and ${store.registryDir}, so no run is lost: \`lathe gc\` rebuilds it (keeping the damaged file as lathe.duckdb.damaged)`, "store-damaged", store.dbPath);
    }
    throw e;
  }
}

async function syncInto(db: Database, store: StoreLayout): Promise<SyncReport> {
  await ensureSchema(db, store);
  const report: SyncReport = { runs: 0, updated: 0, crashed: [], unreadable: [] };
  const indexed = new Map((await db.rows(`SELECT id, journal_bytes, journal_mtime, status FROM runs WHERE parent IS NULL`)).map((r) => [String(r.id), r]));
  const changed: JournalRun[] = [];
  const ids = runIdsIn(store.runsDir);
  for (const id of ids) {
    const file = journalFile(store.runsDir, id);
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st) continue;
    const known = indexed.get(id);
    indexed.delete(id);
    if (known && Number(known.journal_bytes) === st.size && Number(known.journal_mtime) === st.mtimeMs && known.status !== "running") continue;
    try {
      const run = readJournal(file);
      if (known && known.status === run.status && Number(known.journal_bytes) === st.size && Number(known.journal_mtime) === st.mtimeMs) continue;
      if (run.status === "crashed" && known?.status !== "crashed") report.crashed.push(id);
      changed.push(Object.assign(run, { bytes: st.size, mtime: st.mtimeMs }));
    } catch (e) {
      report.unreadable.push((e as Error).message);
    }
  }
  // What is left was indexed but has no journal any more: the files are the truth.
  const gone = [...indexed.keys()];
  const touched = [...changed.map((r) => r.start.id), ...gone];
  for (const ids of chunks(touched, 500)) {
    const list = ids.map((id) => literal(id)).join(", ");
    // A run's child runs (`RUN/N`) go with it.
    const children = `parent IN (${list})`;
    await db.exec(`DELETE FROM metrics WHERE run_id IN (${list}) OR run_id IN (SELECT id FROM runs WHERE ${children})`);
    await db.exec(`DELETE FROM run_tags WHERE run_id IN (${list})`);
    await db.exec(`DELETE FROM runs WHERE id IN (${list}) OR ${children}`);
    await db.exec(`DELETE FROM artifacts WHERE run_id IN (${list})`);
  }
  const runRows = changed.flatMap((r) => {
    const j = r as JournalRun & { bytes: number; mtime: number };
    const s = j.start;
    const row = [s.id, s.startedAt, j.finishedAt ?? null, j.status, s.programPath, s.programSha, s.programText, JSON.stringify(s.params), s.seed, j.backend ?? null, JSON.stringify(s.versions), JSON.stringify(s.data), JSON.stringify(j.plan ?? null), j.error ?? null, j.errorCode ?? null, s.reproduces ?? null, j.steps.length, j.owner?.pid ?? null, j.bytes, j.mtime, s.name ?? null, JSON.stringify(s.tags ?? {}), null, 0, s.git?.commit ?? null, s.git ? s.git.dirty : null, s.user ?? null, s.host ?? null];
    const children = j.children.map((c, i) => [c.id, c.startedAt, c.finishedAt, "succeeded", s.programPath, s.programSha, null, JSON.stringify({ ...s.params, ...c.params }), s.seed, j.backend ?? null, null, null, null, null, null, null, 0, null, null, null, `trial ${c.trial}: ${Object.entries(c.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")}`, "{}", s.id, i + 1, s.git?.commit ?? null, s.git ? s.git.dirty : null, s.user ?? null, s.host ?? null]);
    return [row, ...children];
  });
  await insert(db, "runs", runRows);
  await insert(db, "run_tags", changed.flatMap((r) => Object.entries(r.start.tags ?? {}).map(([k, v]) => [r.start.id, k, v])));
  await insert(db, "metrics", changed.flatMap((r) => [...r.metrics.map((m) => [r.start.id, m.model, m.data, m.metric, m.value]), ...r.children.flatMap((c) => c.metrics.map((m) => [c.id, m.model, m.data, m.metric, m.value]))]));
  await insert(db, "artifacts", changed.flatMap((r) => r.artifacts.map((a) => [r.start.id, a.name, a.kind, a.path, a.sha256, a.bytes])));
  report.updated = changed.length;
  report.runs = ids.length;
  await syncRegistry(db, store);
  return report;
}

/** Versions and champion changes are written once and never change: insert the ones not indexed yet, drop the ones whose files are gone. */
async function syncRegistry(db: Database, store: StoreLayout): Promise<void> {
  const registry = new ModelRegistry(store);
  const versionKeys = new Set((await db.rows(`SELECT name, version FROM model_versions`)).map((r) => `${r.name}\u0000${r.version}`));
  const changeKeys = new Set((await db.rows(`SELECT name, seq FROM champion_changes`)).map((r) => `${r.name}\u0000${r.seq}`));
  const versions: unknown[][] = [];
  const changes: unknown[][] = [];
  for (const { name } of await registry.names()) {
    for (const v of await registry.versions(name)) {
      if (!versionKeys.delete(`${name}\u0000${v.version}`)) versions.push([name, v.version, v.runId, v.model, v.algorithm, v.task, v.artifact, v.sha256, JSON.stringify(v.metrics), v.registeredAt]);
    }
    for (const c of await registry.changes(name)) {
      if (!changeKeys.delete(`${name}\u0000${c.seq}`)) changes.push([name, c.seq, c.action, c.version, c.previous ?? null, c.runId, c.changedAt, c.undoes ?? null]);
    }
  }
  for (const key of versionKeys) {
    const [name, version] = key.split("\u0000");
    await db.exec(`DELETE FROM model_versions WHERE name = ${literal(name)} AND version = ${Number(version)}`);
  }
  for (const key of changeKeys) {
    const [name, seq] = key.split("\u0000");
    await db.exec(`DELETE FROM champion_changes WHERE name = ${literal(name)} AND seq = ${Number(seq)}`);
  }
  await insert(db, "model_versions", versions);
  await insert(db, "champion_changes", changes);
}

async function insert(db: Database, table: string, rows: unknown[][]): Promise<void> {
  for (const part of chunks(rows, 200)) {
    await db.exec(`INSERT INTO ${table} VALUES ${part.map((r) => `(${r.map((v) => literal(v as string | number | null)).join(", ")})`).join(", ")}`);
  }
}

function chunks<T>(items: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/**
 * Makes the index current. An index written by an earlier Lathe (run records in the database
 * itself, no `meta` table) is imported first: each of its runs becomes a journal and its registry
 * becomes registry files, so nothing recorded before is lost; then its tables are replaced.
 */
async function ensureSchema(db: Database, store: StoreLayout): Promise<void> {
  const [meta] = await db.rows(`SELECT value FROM meta WHERE key = 'schema'`);
  if (meta?.value === schemaVersion) return;
  const tables = new Set((await db.rows(`SELECT table_name FROM information_schema.tables`)).map((r) => String(r.table_name)));
  const legacy = !meta && tables.has("runs") && (await db.rows(`SELECT column_name FROM information_schema.columns WHERE table_name = 'runs' AND column_name = 'journal_bytes'`)).length === 0;
  if (legacy) await importLegacy(db, store);
  for (const t of ["runs", "run_tags", "metrics", "artifacts", "model_versions", "champion_changes"]) await db.exec(`DROP TABLE IF EXISTS ${t}`);
  for (const s of schema) await db.exec(s);
  await db.exec(`INSERT OR REPLACE INTO meta VALUES ('schema', ${literal(schemaVersion)})`);
}

async function importLegacy(db: Database, store: StoreLayout): Promise<void> {
  const have = new Set(runIdsIn(store.runsDir));
  ensureDir(store.runsDir);
  const json = (v: unknown) => (typeof v === "string" && v ? JSON.parse(v) : {});
  for (const r of await db.rows(`SELECT * FROM runs`)) {
    const id = String(r.id);
    if (have.has(id)) continue;
    const metrics = (await db.rows(`SELECT model, data, metric, value FROM metrics WHERE run_id = ${literal(id)}`)).map((m) => ({ model: String(m.model), data: String(m.data), metric: String(m.metric), value: Number(m.value) }));
    const artifacts = (await db.rows(`SELECT name, kind, path, sha256, bytes FROM artifacts WHERE run_id = ${literal(id)}`)).map((a) => ({ name: String(a.name), kind: String(a.kind), path: String(a.path), sha256: String(a.sha256), bytes: Number(a.bytes) }));
    const run = { id, startedAt: String(r.started_at), programPath: String(r.program_path), programText: String(r.program_text ?? ""), programSha: String(r.program_sha), params: json(r.params), seed: Number(r.seed), versions: json(r.versions), data: json(r.data) };
    const w = JournalWriter.create(journalFile(store.runsDir, id), store.tmpDir, { type: "begin", format: 1, run, plan: json(r.plan), owner: { pid: 0, host: "" } });
    const status = r.status === "succeeded" || r.status === "failed" ? r.status : "crashed";
    w.append({ type: "end", status, finishedAt: String(r.finished_at ?? r.started_at), backend: r.backend == null ? undefined : String(r.backend), error: r.error == null ? (status === "crashed" ? "recorded by an earlier Lathe, which never recorded its end" : undefined) : String(r.error), metrics, artifacts });
    w.close();
  }
  const tables = new Set((await db.rows(`SELECT table_name FROM information_schema.tables`)).map((t) => String(t.table_name)));
  if (!tables.has("model_versions") || existsSync(store.registryDir) && readdirSync(store.registryDir).length) return;
  const registry = new ModelRegistry(store);
  for (const v of await db.rows(`SELECT * FROM model_versions ORDER BY name, version`)) {
    registry.adopt({ name: String(v.name), version: Number(v.version), runId: String(v.run_id), model: String(v.model), algorithm: String(v.algorithm), task: String(v.task), artifact: String(v.artifact), sha256: String(v.sha256), metrics: JSON.parse(String(v.metrics ?? "[]")), registeredAt: String(v.registered_at) });
  }
  const stacks = new Map<string, number[]>();
  for (const c of tables.has("champion_changes") ? await db.rows(`SELECT * FROM champion_changes ORDER BY name, seq`) : []) {
    const stack = stacks.get(String(c.name)) ?? [];
    stacks.set(String(c.name), stack);
    const previous = stack.at(-1);
    if (c.action === "rollback") stack.pop();
    else stack.push(Number(c.version));
    registry.adoptChange(String(c.name), { seq: Number(c.seq), action: c.action as "promote" | "rollback" | "rollback-to", version: Number(c.version), previous, runId: String(c.run_id), changedAt: String(c.changed_at) });
  }
}
