import type { Database } from "./data/database.js";
import { DataError } from "./data/source.js";
import type { ArtifactRef, RunStore } from "./run-store.js";
import { literal } from "./sql/quote.js";

/** One registered version of a model name. */
export interface ModelVersion {
  name: string;
  version: number;
  runId: string;
  model: string;
  algorithm: string;
  task: string;
  /** The model file (learner state, features, classes and fitted preparation), content-addressed. */
  artifact: string;
  sha256: string;
  /** The model's metrics in the run that registered it, up to the `register`. */
  metrics: { data: string; metric: string; value: number }[];
  registeredAt: string;
  champion: boolean;
}

/** A change of champion: what it is now and what it was. */
export interface ChampionChange {
  name: string;
  version: number;
  previous?: number;
}

/**
 * The model registry, in the run store's database: `register` adds the next version of a name (its
 * model file, the run and the metrics that made it); `promote` makes a version the champion;
 * `rollback` returns to the champion before the current one, or to a given version. Every change of
 * champion is kept, so "the previous champion" is well defined after any number of changes: the
 * champions form a stack that promotions push and a plain rollback pops.
 */
export class ModelRegistry {
  constructor(private readonly store: RunStore) {}

  /** Adds the next version of `name`; returns it. */
  async register(entry: { name: string; runId: string; model: string; algorithm: string; task: string; artifact: ArtifactRef; metrics: { data: string; metric: string; value: number }[] }): Promise<ModelVersion> {
    return this.store.transaction(async (db) => {
      const [{ next }] = await db.rows(`SELECT coalesce(max(version), 0) + 1 AS next FROM model_versions WHERE name = ${literal(entry.name)}`);
      const version = Number(next);
      const registeredAt = new Date().toISOString();
      const values = [entry.name, version, entry.runId, entry.model, entry.algorithm, entry.task, entry.artifact.path, entry.artifact.sha256, JSON.stringify(entry.metrics), registeredAt];
      await db.exec(`INSERT INTO model_versions VALUES (${values.map((v) => literal(v)).join(", ")})`);
      return { name: entry.name, version, runId: entry.runId, model: entry.model, algorithm: entry.algorithm, task: entry.task, artifact: entry.artifact.path, sha256: entry.artifact.sha256, metrics: entry.metrics, registeredAt, champion: false };
    });
  }

  /** Makes `version` (default: the latest) of `name` the champion. */
  async promote(name: string, version: number | undefined, runId: string): Promise<ChampionChange> {
    return this.store.transaction(async (db) => {
      const versions = await this.versionNumbers(db, name);
      const target = version ?? versions[versions.length - 1];
      if (!versions.includes(target)) throw new DataError(`"${name}" has no version ${target}; it has ${versionList(versions)}`);
      const stack = await this.championStack(db, name);
      await this.change(db, name, "promote", target, runId);
      return { name, version: target, previous: stack[stack.length - 1] };
    });
  }

  /** Returns to the champion before the current one, or makes `version` the champion; records it as a rollback. */
  async rollback(name: string, version: number | undefined, runId: string): Promise<ChampionChange> {
    return this.store.transaction(async (db) => {
      const versions = await this.versionNumbers(db, name);
      const stack = await this.championStack(db, name);
      const current = stack[stack.length - 1];
      if (version !== undefined) {
        if (!versions.includes(version)) throw new DataError(`"${name}" has no version ${version}; it has ${versionList(versions)}`);
        await this.change(db, name, "rollback-to", version, runId);
        return { name, version, previous: current };
      }
      if (stack.length < 2) throw new DataError(current === undefined ? `"${name}" has no champion to roll back from: promote a version first` : `"${name}" has no earlier champion than version ${current} to roll back to`);
      await this.change(db, name, "rollback", stack[stack.length - 2], runId);
      return { name, version: stack[stack.length - 2], previous: current };
    });
  }

  /** The registered names, each with its latest version and champion. */
  async names(): Promise<{ name: string; versions: number; latest: number; champion?: number }[]> {
    return this.store.transaction(async (db) => {
      const rows = await db.rows(`SELECT name, count(*) AS versions, max(version) AS latest FROM model_versions GROUP BY name ORDER BY name`);
      const out = [];
      for (const r of rows) {
        const stack = await this.championStack(db, String(r.name));
        out.push({ name: String(r.name), versions: Number(r.versions), latest: Number(r.latest), champion: stack[stack.length - 1] });
      }
      return out;
    });
  }

  /** Every version of `name`, oldest first, with the champion marked; empty if the name is unknown. */
  async versions(name: string): Promise<ModelVersion[]> {
    return this.store.transaction(async (db) => {
      const stack = await this.championStack(db, name);
      const rows = await db.rows(`SELECT * FROM model_versions WHERE name = ${literal(name)} ORDER BY version`);
      return rows.map((r) => ({
        name,
        version: Number(r.version),
        runId: String(r.run_id),
        model: String(r.model),
        algorithm: String(r.algorithm),
        task: String(r.task),
        artifact: String(r.artifact),
        sha256: String(r.sha256),
        metrics: JSON.parse(String(r.metrics ?? "[]")),
        registeredAt: String(r.registered_at),
        champion: Number(r.version) === stack[stack.length - 1],
      }));
    });
  }

  /** The champion of `name` (undefined if none was promoted). */
  async champion(name: string): Promise<ModelVersion | undefined> {
    return (await this.versions(name)).find((v) => v.champion);
  }

  private async versionNumbers(db: Database, name: string): Promise<number[]> {
    const versions = (await db.rows(`SELECT version FROM model_versions WHERE name = ${literal(name)} ORDER BY version`)).map((r) => Number(r.version));
    if (!versions.length) throw new DataError(`no model is registered as "${name}"`);
    return versions;
  }

  /** Replays the champion changes: promotions and rollbacks to a version push, plain rollbacks pop. */
  private async championStack(db: Database, name: string): Promise<number[]> {
    const stack: number[] = [];
    for (const r of await db.rows(`SELECT action, version FROM champion_changes WHERE name = ${literal(name)} ORDER BY seq`)) {
      if (r.action === "rollback") stack.pop();
      else stack.push(Number(r.version));
    }
    return stack;
  }

  private async change(db: Database, name: string, action: "promote" | "rollback" | "rollback-to", version: number, runId: string): Promise<void> {
    const [{ seq }] = await db.rows(`SELECT coalesce(max(seq), 0) + 1 AS seq FROM champion_changes WHERE name = ${literal(name)}`);
    await db.exec(`INSERT INTO champion_changes VALUES (${[name, Number(seq), action, version, runId, new Date().toISOString()].map((v) => literal(v)).join(", ")})`);
  }
}

function versionList(versions: number[]): string {
  return versions.length === 1 ? `only version ${versions[0]}` : `versions ${versions[0]} to ${versions[versions.length - 1]}`;
}
