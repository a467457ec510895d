import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DataError } from "./errors.js";
import { runStatusIn, type ArtifactRef, type RunStatus } from "./store/run-journal.js";
import type { StoreLayout } from "./store/store-layout.js";
import { createExclusive, ensureDir, listDir } from "./store/durable-file.js";
import { readJsonRecord } from "./store/json-record.js";
import { StoreError } from "./store/store-error.js";
import { currentActor } from "./store/actor.js";
import { defaultAlias, movableAliasProblem } from "../language/model-ref.js";

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
  /** Who registered it (missing in versions registered before the audit log kept it). */
  user?: string;
  host?: string;
  champion: boolean;
  /** The aliases that name this version now (`champion`, `production`, ...), in order of name. */
  aliases: string[];
  /** How the run that registered it ended: a version from a failed or crashed run is flagged, not hidden. */
  runStatus?: RunStatus;
}

/** A change of an alias (the champion by default): what it names now and what it named before. */
export interface ChampionChange {
  name: string;
  version: number;
  previous?: number;
  alias: string;
}

/** One entry of a name's alias history, as stored: every move of every alias, in one sequence. */
export interface ChampionRecord {
  seq: number;
  action: "promote" | "rollback" | "rollback-to";
  version: number;
  /** The version the alias named before this change. */
  previous?: number;
  /** The alias moved; none (as in every change before aliases existed): the champion. */
  alias?: string;
  /** The run that made the change; none when it was made from the command line (`lathe models promote`). */
  runId?: string;
  changedAt: string;
  /** For an undone promotion: the seq of the promotion it undid. */
  undoes?: number;
  /** Who made it (missing in changes recorded before the audit log kept it). */
  user?: string;
  host?: string;
  /** Why: the asserts that passed before a program's `promote`, a retrain's decision, `--reason`. */
  reason?: string;
  /** How the run that made the change ended (filled in when read). */
  runStatus?: RunStatus;
}

/** What a change of alias is asked to do besides its version: which alias, and why. */
export interface ChangeOptions {
  /** The alias to move (default: `champion`). */
  alias?: string;
  reason?: string;
}

/** A version as its file holds it. */
export type StoredVersion = Omit<ModelVersion, "champion" | "aliases" | "runStatus">;

// Each version and each change of champion is its own file, created once and never rewritten:
// `registry/<name>/versions/000007.json`, `registry/<name>/changes/000012.json`. A file is put in
// place by a hard link from a complete, fsynced temp file, which fails if the number is taken, so
// the next number is claimed atomically by whichever process links it first, without a lock; a
// change of champion is computed from the history it read and retried if another process added a
// change first (compare-and-set on the history's length). Readers, and a server watching the
// champion, never lock anything.
const width = 6;
const maxAttempts = 10_000;

/**
 * The model registry, in the run store's `registry/` folder: `register` adds the next version of a
 * name (its model file, the run and the metrics that made it); `promote` points an alias (the
 * champion by default; `production`, `staging`, any word) at a version; `rollback` returns an alias
 * to the version it named before, or to a given version; `undoPromotion` undoes one run's own
 * promotion if nothing changed that alias since. Every change is kept, with who made it, the run
 * and why (the audit log), so "the previous version" of an alias is well defined after any number
 * of changes: each alias's versions form a stack that promotions push and a plain rollback pops.
 * `latest` is no stored alias: it is always the version registered last.
 */
export class ModelRegistry {
  constructor(private readonly store: StoreLayout) {}

  /** Adds the next version of `name`; returns it. */
  async register(entry: { name: string; runId: string; model: string; algorithm: string; task: string; artifact: ArtifactRef; metrics: { data: string; metric: string; value: number }[] }): Promise<ModelVersion> {
    const dir = path.join(this.nameDir(entry.name), "versions");
    ensureDir(dir);
    const registeredAt = new Date().toISOString();
    for (let version = (this.numbers(dir).at(-1) ?? 0) + 1, attempt = 0; attempt < maxAttempts; version++, attempt++) {
      const stored: StoredVersion = { name: entry.name, version, runId: entry.runId, model: entry.model, algorithm: entry.algorithm, task: entry.task, artifact: entry.artifact.path, sha256: entry.artifact.sha256, metrics: entry.metrics, registeredAt, ...currentActor() };
      if (createExclusive(path.join(dir, fileOf(version)), json(stored), this.store.tmpDir)) return { ...stored, champion: false, aliases: [] };
    }
    throw contended(entry.name);
  }

  /** Points an alias (default: the champion) of `name` at `version` (default: the latest, at the moment of the change). */
  async promote(name: string, version: number | undefined, runId: string | undefined, how: ChangeOptions = {}): Promise<ChampionChange> {
    return this.change(name, runId, how, (versions, stack) => {
      const target = version ?? versions[versions.length - 1];
      if (!versions.includes(target)) throw new DataError(`"${name}" has no version ${target}; it has ${versionList(versions)}`, undefined, "unknown-version");
      return { action: "promote", version: target, previous: stack.at(-1) };
    });
  }

  /**
   * Makes `version` the champion only if the champion is still `expected` (none: no champion yet),
   * in one compare-and-set: a retrain's promotion, which must not replace a champion it was not
   * compared against. `champion-changed` when another process changed the champion meanwhile.
   */
  async promoteIf(name: string, version: number, expected: number | undefined, runId: string, how: ChangeOptions = {}): Promise<ChampionChange> {
    return this.change(name, runId, how, (versions, stack) => {
      if (!versions.includes(version)) throw new DataError(`"${name}" has no version ${version}; it has ${versionList(versions)}`, undefined, "unknown-version");
      const current = stack.at(-1);
      if (current !== expected) throw new DataError(`${aliasText(name, how.alias)} changed while the retrain ran (version ${expected ?? "none"} then, ${current ?? "none"} now); not promoting version ${version} over a version it was not compared with`, undefined, "champion-changed");
      return { action: "promote", version, previous: current };
    });
  }

  /** Returns an alias (default: the champion) to the version it named before, or points it at `version`; recorded as a rollback. */
  async rollback(name: string, version: number | undefined, runId: string | undefined, how: ChangeOptions = {}): Promise<ChampionChange> {
    return this.change(name, runId, how, (versions, stack) => {
      const current = stack.at(-1);
      if (version !== undefined) {
        if (!versions.includes(version)) throw new DataError(`"${name}" has no version ${version}; it has ${versionList(versions)}`, undefined, "unknown-version");
        return { action: "rollback-to", version, previous: current };
      }
      const alias = how.alias ?? defaultAlias;
      const what = alias === defaultAlias ? "champion" : `version of the alias "${alias}"`;
      if (stack.length < 2) throw new DataError(current === undefined ? (alias === defaultAlias ? `"${name}" has no champion to roll back from: promote a version first` : `"${name}" has no alias "${alias}" to roll back: \`promote "${name}" to ${alias}\` sets it`) : `"${name}" has no earlier ${what} than version ${current} to roll back to`, undefined, "no-earlier-champion");
      return { action: "rollback", version: stack[stack.length - 2], previous: current };
    });
  }

  /**
   * Undoes run `runId`'s promotion of `version`: the champion goes back to the one that preceded
   * that promotion. Refused when anything changed the champion of `name` since (another process
   * promoted or rolled back), so a run never undoes someone else's change, and when there was no
   * champion before it.
   */
  async undoPromotion(name: string, version: number, runId: string, how: ChangeOptions = {}): Promise<ChampionChange> {
    const alias = how.alias ?? defaultAlias;
    return this.change(name, runId, how, (_versions, _stack, history) => {
      const own = history.findLast((c) => c.runId === runId && c.action === "promote" && c.version === version && aliasOf(c) === alias);
      if (!own) throw new DataError(`run ${runId} did not promote version ${version} of "${name}"${alias === defaultAlias ? "" : ` to ${alias}`}: there is no promotion of its own to roll back`, undefined, "not-own-promotion");
      const last = history.findLast((c) => aliasOf(c) === alias)!;
      if (last.seq !== own.seq) {
        throw new DataError(`${aliasText(name, alias)} changed after this run promoted version ${version}: ${last.runId ? `run ${last.runId}` : `${last.user ?? "someone"} from the command line`} ${last.action === "promote" ? "promoted" : "rolled back to"} version ${last.version}; not rolling back another process's change (\`rollback "${alias === defaultAlias ? name : `${name}@${alias}`}" to version N\` names a version explicitly)`, undefined, "champion-changed");
      }
      if (own.previous === undefined) throw new DataError(`"${name}" had no ${alias === defaultAlias ? "champion" : `alias "${alias}"`} before this run promoted version ${version}: there is no earlier ${alias === defaultAlias ? "champion" : "version"} to roll back to`, undefined, "no-earlier-champion");
      return { action: "rollback", version: own.previous, previous: version, undoes: own.seq };
    });
  }

  /** The registered names, each with its latest version, champion and aliases. */
  async names(): Promise<{ name: string; versions: number; latest: number; champion?: number; aliases: Record<string, number> }[]> {
    const root = this.store.registryDir;
    const out = [];
    for (const key of listDir(root).sort()) {
      const versions = this.numbers(path.join(root, key, "versions"));
      if (!versions.length) continue; // a name whose first registration never completed
      const name = this.readFile<StoredVersion>(path.join(root, key, "versions", fileOf(versions[0]))).name;
      const aliases = currentAliases(this.history(name));
      out.push({ name, versions: versions.length, latest: versions[versions.length - 1], champion: aliases[defaultAlias], aliases });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Every version of `name`, oldest first, with the aliases naming it and the registering run's status; empty if the name is unknown. */
  async versions(name: string): Promise<ModelVersion[]> {
    const aliases = Object.entries(currentAliases(this.history(name)));
    const dir = path.join(this.nameDir(name), "versions");
    return this.numbers(dir).map((n) => {
      const v = this.readFile<StoredVersion>(path.join(dir, fileOf(n)));
      const naming = aliases.filter(([, version]) => version === v.version).map(([a]) => a);
      return { ...v, champion: naming.includes(defaultAlias), aliases: naming, runStatus: runStatusIn(this.store.runsDir, v.runId) };
    });
  }

  /** Every change of every alias of `name`, oldest first, with the status of the run that made it. */
  async changes(name: string): Promise<ChampionRecord[]> {
    return this.history(name).map((c) => ({ ...c, ...(c.runId ? { runStatus: runStatusIn(this.store.runsDir, c.runId) } : {}) }));
  }

  /** The version an alias (default: the champion) of `name` names (undefined if it was never set, or rolled back past its first). */
  async aliased(name: string, alias = defaultAlias): Promise<ModelVersion | undefined> {
    return (await this.versions(name)).find((v) => v.aliases.includes(alias));
  }

  /** The champion of `name` (undefined if none was promoted). */
  async champion(name: string): Promise<ModelVersion | undefined> {
    return this.aliased(name, defaultAlias);
  }

  /** Writes a version with its number as given (importing an earlier store); false if that number exists. */
  adopt(version: StoredVersion): boolean {
    const dir = path.join(this.nameDir(version.name), "versions");
    ensureDir(dir);
    return createExclusive(path.join(dir, fileOf(version.version)), json(version), this.store.tmpDir);
  }

  /** Writes a change of champion with its number as given (importing an earlier store); false if that number exists. */
  adoptChange(name: string, record: ChampionRecord): boolean {
    const dir = path.join(this.nameDir(name), "changes");
    ensureDir(dir);
    return createExclusive(path.join(dir, fileOf(record.seq)), json(record), this.store.tmpDir);
  }

  /**
   * Stores what a version is monitored against (its reference profile, `monitor/model-reference.ts`)
   * beside it: `registry/<name>/references/000007.json`, written once (a second write is refused).
   */
  writeReference(name: string, version: number, reference: unknown): string {
    const dir = path.join(this.nameDir(name), "references");
    ensureDir(dir);
    const file = path.join(dir, fileOf(version));
    if (!createExclusive(file, Buffer.from(JSON.stringify(reference) + "\n"), this.store.tmpDir)) throw new StoreError(`the reference of version ${version} of "${name}" is already stored (${file})`, "store-damaged", file);
    return file;
  }

  /** The reference stored beside a version, or undefined for a version registered before references were stored. */
  reference<T>(name: string, version: number): T | undefined {
    const file = path.join(this.nameDir(name), "references", fileOf(version));
    return existsSync(file) ? this.readFile<T>(file) : undefined;
  }

  /**
   * Appends a change of an alias computed from the history; recomputed if another process appended
   * first (compare-and-set on the length of the whole history, whichever alias that change moved).
   */
  private async change(name: string, runId: string | undefined, how: ChangeOptions, decide: (versions: number[], stack: number[], history: ChampionRecord[]) => Omit<ChampionRecord, "seq" | "runId" | "changedAt">): Promise<ChampionChange> {
    const alias = how.alias ?? defaultAlias;
    const problem = movableAliasProblem(alias);
    if (problem) throw new DataError(problem, undefined, "invalid-alias");
    const dir = path.join(this.nameDir(name), "changes");
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const versions = this.numbers(path.join(this.nameDir(name), "versions"));
      if (!versions.length) throw new DataError(`no model is registered as "${name}"`, undefined, "unknown-model-name");
      const history = this.history(name);
      const decided = decide(versions, stack(history, alias), history);
      // The champion's changes keep the shape they always had (no `alias`), so older readers still follow it.
      const record: ChampionRecord = {
        seq: history.length + 1,
        ...decided,
        ...(alias === defaultAlias ? {} : { alias }),
        ...(runId !== undefined ? { runId } : {}),
        changedAt: new Date().toISOString(),
        ...currentActor(),
        ...(how.reason ? { reason: how.reason } : {}),
      };
      ensureDir(dir);
      if (createExclusive(path.join(dir, fileOf(record.seq)), json(record), this.store.tmpDir)) return { name, version: record.version, previous: record.previous, alias };
    }
    throw contended(name);
  }

  private history(name: string): ChampionRecord[] {
    const dir = path.join(this.nameDir(name), "changes");
    const seqs = this.numbers(dir);
    // Numbers are claimed in order without gaps; a gap would mean a file was removed by hand.
    seqs.forEach((s, i) => {
      if (s !== i + 1) throw new StoreError(`the run store is damaged: the champion history of "${name}" (${dir}) has no change ${i + 1}; restore it, or remove the later changes`, "store-damaged", dir);
    });
    return seqs.map((s) => this.readFile<ChampionRecord>(path.join(dir, fileOf(s))));
  }

  /** The numbers of the `NNNNNN.json` files of a folder, ascending; none if it does not exist. */
  private numbers(dir: string): number[] {
    return listDir(dir)
      .filter((f) => /^\d+\.json$/.test(f))
      .map((f) => Number(f.slice(0, -5)))
      .sort((a, b) => a - b);
  }

  private readFile<T>(file: string): T {
    return readJsonRecord<T>(file, "registry record")!;
  }

  private nameDir(name: string): string {
    return path.join(this.store.registryDir, nameKey(name));
  }
}

/** The alias a change moved. */
export function aliasOf(c: Pick<ChampionRecord, "alias">): string {
  return c.alias ?? defaultAlias;
}

/** Replays the changes of one alias: promotions and rollbacks to a version push, plain rollbacks pop. */
function stack(history: ChampionRecord[], alias: string): number[] {
  const out: number[] = [];
  for (const c of history) {
    if (aliasOf(c) !== alias) continue;
    if (c.action === "rollback") out.pop();
    else out.push(c.version);
  }
  return out;
}

/** Every alias that names a version now, by name. */
function currentAliases(history: ChampionRecord[]): Record<string, number> {
  // Alias words are the user's (`constructor` is one): no prototype to answer for them.
  const out: Record<string, number> = Object.create(null);
  for (const alias of [...new Set(history.map(aliasOf))].sort()) {
    const top = stack(history, alias).at(-1);
    if (top !== undefined) out[alias] = top;
  }
  return out;
}

function aliasText(name: string, alias = defaultAlias): string {
  return alias === defaultAlias ? `the champion of "${name}"` : `the alias "${alias}" of "${name}"`;
}

/**
 * A registered name as a folder name: lower-case letters, digits, `-` and `_` kept, every other
 * byte as `%XX`, so any name is one safe path segment and names differing in case stay apart on
 * case-insensitive file systems.
 */
export function nameKey(name: string): string {
  if (!name) return "%";
  return [...Buffer.from(name, "utf8")].map((b) => (/[a-z0-9_-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");
}

function fileOf(n: number): string {
  return `${String(n).padStart(width, "0")}.json`;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 1) + "\n");
}


function contended(name: string): StoreError {
  return new StoreError(`could not record a change to "${name}" in the model registry: other processes kept changing it (${maxAttempts} attempts)`, "store-busy");
}

function versionList(versions: number[]): string {
  return versions.length === 1 ? `only version ${versions[0]}` : `versions ${versions[0]} to ${versions[versions.length - 1]}`;
}
