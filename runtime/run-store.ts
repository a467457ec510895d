import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Database } from "./data/database.js";
import { literal } from "./sql/quote.js";

/** One run's record as stored: what ran, on what, with which versions, and what came out. */
export interface RunRecord {
  id: string;
  startedAt: string;
  finishedAt?: string;
  status: "running" | "succeeded" | "failed";
  programPath: string;
  programText: string;
  programSha: string;
  params: Record<string, unknown>;
  seed: number;
  backend?: string;
  versions: Record<string, string>;
  /** Dataset → fingerprint of the files it read. */
  data: Record<string, string>;
  error?: string;
}

/** A recorded run as `RunStore.load` gives it back, with its metrics and artifacts. */
export interface StoredRun extends RunRecord {
  metrics: { model: string; data: string; metric: string; value: number }[];
  artifacts: ArtifactRef[];
}

export interface ArtifactRef {
  name: string;
  kind: string;
  path: string;
  sha256: string;
  bytes: number;
}

const schema = [
  `CREATE TABLE IF NOT EXISTS runs (id VARCHAR PRIMARY KEY, started_at VARCHAR, finished_at VARCHAR, status VARCHAR, program_path VARCHAR, program_sha VARCHAR, program_text VARCHAR, params VARCHAR, seed DOUBLE, backend VARCHAR, versions VARCHAR, data VARCHAR, plan VARCHAR, error VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS metrics (run_id VARCHAR, model VARCHAR, data VARCHAR, metric VARCHAR, value DOUBLE)`,
  `CREATE TABLE IF NOT EXISTS artifacts (run_id VARCHAR, name VARCHAR, kind VARCHAR, path VARCHAR, sha256 VARCHAR, bytes BIGINT)`,
  // The model registry (model-registry.ts): versions of a name, and every change of its champion.
  `CREATE TABLE IF NOT EXISTS model_versions (name VARCHAR, version INTEGER, run_id VARCHAR, model VARCHAR, algorithm VARCHAR, task VARCHAR, artifact VARCHAR, sha256 VARCHAR, metrics VARCHAR, registered_at VARCHAR, PRIMARY KEY (name, version))`,
  `CREATE TABLE IF NOT EXISTS champion_changes (name VARCHAR, seq INTEGER, action VARCHAR, version INTEGER, run_id VARCHAR, changed_at VARCHAR, PRIMARY KEY (name, seq))`,
];

/**
 * The run store under `.lathe/`: run metadata in `lathe.duckdb`, artifacts content-addressed in
 * `artifacts/<sha256>.<ext>`. The database is opened only for the moment of each write, so a
 * notebook kernel and a CLI run can share one store; every write is one transaction, and a run
 * starts as `running`, so a crash leaves an honest record rather than a half-written one.
 */
export class RunStore {
  readonly dbPath: string;
  readonly artifactDir: string;

  constructor(readonly root: string) {
    this.dbPath = path.join(root, "lathe.duckdb");
    this.artifactDir = path.join(root, "artifacts");
  }

  /** A new run id: sortable by time, unique by a random suffix. */
  static newId(now = new Date()): string {
    const t = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    return `${t}-${randomBytes(3).toString("hex")}`;
  }

  /** Runs `fn` in one transaction on the store's database (opened for this call only). */
  async transaction<T>(fn: (db: Database) => Promise<T>): Promise<T> {
    mkdirSync(this.root, { recursive: true });
    const db = await openWhenFree(this.dbPath);
    try {
      for (const s of schema) await db.exec(s);
      await db.exec("BEGIN TRANSACTION");
      try {
        const out = await fn(db);
        await db.exec("COMMIT");
        return out;
      } catch (e) {
        await db.exec("ROLLBACK");
        throw e;
      }
    } finally {
      db.close();
    }
  }

  /** Records a run as started. */
  async begin(run: RunRecord, plan: unknown): Promise<void> {
    await this.transaction((db) =>
      db.exec(
        `INSERT INTO runs VALUES (${[run.id, run.startedAt, null, run.status, run.programPath, run.programSha, run.programText, JSON.stringify(run.params), run.seed, run.backend ?? null, JSON.stringify(run.versions), JSON.stringify(run.data), JSON.stringify(plan), null].map((v) => literal(v as string | number | null)).join(", ")})`,
      ),
    );
  }

  /** Records a run's outcome with its metrics and artifacts in one transaction. */
  async finish(id: string, outcome: { status: "succeeded" | "failed"; backend?: string; error?: string; metrics: { model: string; data: string; metric: string; value: number }[]; artifacts: ArtifactRef[] }): Promise<void> {
    await this.transaction(async (db) => {
      await db.exec(`UPDATE runs SET status = ${literal(outcome.status)}, finished_at = ${literal(new Date().toISOString())}, backend = ${literal(outcome.backend ?? null)}, error = ${literal(outcome.error ?? null)} WHERE id = ${literal(id)}`);
      for (const m of outcome.metrics) await db.exec(`INSERT INTO metrics VALUES (${[id, m.model, m.data, m.metric, m.value].map((v) => literal(v)).join(", ")})`);
      for (const a of outcome.artifacts) await db.exec(`INSERT INTO artifacts VALUES (${[id, a.name, a.kind, a.path, a.sha256, a.bytes].map((v) => literal(v)).join(", ")})`);
    });
  }

  /** Writes bytes content-addressed (atomically: temp file then rename) and returns the reference. */
  putArtifact(name: string, kind: string, ext: string, content: string | Uint8Array): ArtifactRef {
    mkdirSync(this.artifactDir, { recursive: true });
    const bytes = typeof content === "string" ? Buffer.from(content) : Buffer.from(content);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const file = path.join(this.artifactDir, `${sha256}.${ext}`);
    if (!existsSync(file)) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, file);
    }
    return { name, kind, path: file, sha256, bytes: bytes.length };
  }

  /** Runs, newest first. */
  async list(limit = 20): Promise<Record<string, unknown>[]> {
    if (!existsSync(this.dbPath)) return [];
    return this.transaction((db) => db.rows(`SELECT id, started_at, status, program_path, seed, backend FROM runs ORDER BY started_at DESC, id DESC LIMIT ${Math.max(1, Math.floor(limit))}`));
  }

  /** One run as typed data (JSON columns parsed), with its metrics and artifacts; undefined if there is none. */
  async load(id: string): Promise<StoredRun | undefined> {
    const r = await this.get(id);
    if (!r) return undefined;
    const { run } = r;
    const json = (v: unknown) => (typeof v === "string" && v ? JSON.parse(v) : {});
    return {
      id: String(run.id),
      status: String(run.status) as RunRecord["status"],
      startedAt: String(run.started_at),
      finishedAt: run.finished_at == null ? undefined : String(run.finished_at),
      programPath: String(run.program_path),
      programText: String(run.program_text ?? ""),
      programSha: String(run.program_sha),
      params: json(run.params),
      seed: Number(run.seed),
      backend: run.backend == null ? undefined : String(run.backend),
      versions: json(run.versions),
      data: json(run.data),
      error: run.error == null ? undefined : String(run.error),
      metrics: r.metrics.map((m) => ({ model: String(m.model), data: String(m.data), metric: String(m.metric), value: Number(m.value) })),
      artifacts: r.artifacts.map((a) => ({ name: String(a.name), kind: String(a.kind), path: String(a.path), sha256: String(a.sha256), bytes: Number(a.bytes) })),
    };
  }

  /** One run with its metrics and artifacts, or undefined. */
  async get(id: string): Promise<{ run: Record<string, unknown>; metrics: Record<string, unknown>[]; artifacts: Record<string, unknown>[] } | undefined> {
    if (!existsSync(this.dbPath)) return undefined;
    return this.transaction(async (db) => {
      const [run] = await db.rows(`SELECT * FROM runs WHERE id = ${literal(id)} OR id LIKE ${literal(id + "%")} ORDER BY id LIMIT 1`);
      if (!run) return undefined;
      const metrics = await db.rows(`SELECT model, data, metric, value FROM metrics WHERE run_id = ${literal(String(run.id))} ORDER BY model, data, metric`);
      const artifacts = await db.rows(`SELECT name, kind, path, sha256, bytes FROM artifacts WHERE run_id = ${literal(String(run.id))} ORDER BY name`);
      return { run, metrics, artifacts };
    });
  }
}

/**
 * Opens the store's database, waiting while another process (a second notebook kernel, a CLI run)
 * holds DuckDB's file lock for its own brief write; gives up after about ten seconds.
 */
async function openWhenFree(dbPath: string): Promise<Database> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await Database.open(dbPath, { threads: "1" });
    } catch (e) {
      if (attempt >= 40 || !/Could not set lock/.test((e as Error).message)) throw e;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
    }
  }
}
