import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { RunQuery, RunStatus, RunStore, StoredRun } from "../runtime/run-store.js";
import type { StoreLocation } from "../runtime/store/store-location.js";
import { StoreError } from "../runtime/store/store-error.js";
import { exitCodes } from "./exit-codes.js";
import { formatTable } from "./format-table.js";

/** Opens the run store of a `--store` folder; waiting for another process's index sync is said on stderr. */
export async function openStore(dir: string): Promise<RunStore> {
  const { RunStore } = await import("../runtime/run-store.js");
  return new RunStore(path.resolve(dir), { onWait: (m) => process.stderr.write(`lathe: ${m}\n`) });
}

/** A registry still inside an earlier Lathe's lathe.duckdb is imported (by a sync) before it is read. */
export async function registryStore(dir: string): Promise<RunStore> {
  const store = await openStore(dir);
  const registryEmpty = !existsSync(store.registryDir) || readdirSync(store.registryDir).length === 0;
  if (registryEmpty && existsSync(store.dbPath)) await store.sync().catch(() => undefined);
  return store;
}

/**
 * Runs a store command; a StoreError becomes `lathe: error[code]: message` and exit 74 (2 for an
 * ambiguous run id, which is the user's to fix on the command line).
 */
export async function storeCommand(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    process.stderr.write(`lathe: error[${e.code}]: ${e.message}\n`);
    return e.code === "ambiguous-run-id" ? exitCodes.usage : exitCodes.storeError;
  }
}

/** Loads a run by id or unique prefix, or says there is none (exit 2). */
export async function loadRun(store: RunStore, id: string): Promise<StoredRun | undefined> {
  const run = await store.load(id);
  if (!run) process.stderr.write(`lathe: no run ${id}\n`);
  return run;
}

/** The store of a read-only command, or undefined (having said so, unless `quiet`) when there is none: such commands never create one. */
export async function existingStore(opts: { store: string; storeLocation?: StoreLocation }, say: (m: string) => void): Promise<RunStore | undefined> {
  const location = opts.storeLocation ?? { root: path.resolve(opts.store), exists: existsSync(opts.store), how: "flag" as const };
  if (!existsSync(location.root)) {
    const { noStoreMessage } = await import("../runtime/store/store-location.js");
    say(noStoreMessage(location));
    return undefined;
  }
  return openStore(location.root);
}

const statuses: RunStatus[] = ["running", "succeeded", "failed", "interrupted", "crashed"];

/** The filters of `lathe runs list` from its flags; a usage error for one that does not parse. */
async function runQuery(opts: RunsListOptions): Promise<RunQuery> {
  const { parseMetricBound } = await import("../runtime/store/run-query.js");
  const { tagPairs, usageError } = await import("./exit-codes.js");
  const limit = Number(opts.limit);
  if (!(Number.isInteger(limit) && limit >= 1)) throw usageError(`--limit takes a whole number from 1, got ${JSON.stringify(opts.limit)}`);
  const status = opts.status?.split(",").map((x) => x.trim()) as RunStatus[] | undefined;
  const bad = status?.find((x) => !statuses.includes(x));
  if (bad !== undefined) throw usageError(`--status takes ${statuses.join(", ")} (or several, comma-separated), got ${JSON.stringify(bad)}`);
  const where = (opts.where ?? []).map((w) => {
    const b = parseMetricBound(w);
    if (!b) throw usageError(`--where takes METRIC OP NUMBER, such as "accuracy>0.9" or "species.test.f1 >= 0.8" (OP: > >= < <= = !=), got ${JSON.stringify(w)}`);
    return b;
  });
  return {
    limit,
    children: opts.children,
    ...(opts.program !== undefined ? { program: { path: opts.program, resolved: path.resolve(opts.program) } } : {}),
    ...(status ? { status } : {}),
    ...(opts.since !== undefined ? { since: await sinceTime(opts.since) } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.tag?.length ? { tags: tagPairs(opts.tag, true) } : {}),
    ...(where.length ? { where } : {}),
  };
}

/** `--since`: a time (ISO 8601) or how long ago (`7d`, `12h`, `30m`). */
async function sinceTime(text: string): Promise<Date> {
  const { parseWindow } = await import("./monitor-command.js");
  const { usageError } = await import("./exit-codes.js");
  if (/^\s*\d+(\.\d+)?\s*(s|m|min|h|d|w)\s*$/.test(text)) return new Date(Date.now() - parseWindow(text));
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim()) || Number.isNaN(t)) throw usageError(`--since takes a time such as 2024-05-01 or 2024-05-01T12:00:00Z, or how long ago such as 7d, 12h, 30m, got ${JSON.stringify(text)}`);
  return new Date(t);
}

interface RunsListOptions {
  store: string;
  storeLocation?: StoreLocation;
  limit: string;
  program?: string;
  status?: string;
  since?: string;
  name?: string;
  tag?: string[];
  where?: string[];
  children?: boolean;
  json?: boolean;
}

/** A run in short, as `runs list --json` gives each: no program text, plan, steps or artifacts. */
export function runSummary(r: StoredRun): Record<string, unknown> {
  const { programText: _t, plan: _p, steps: _s, artifacts: _a, children, series: _c, versions: _v, data: _d, ...rest } = r;
  return { ...rest, tags: r.tags ?? {}, ...(children?.length ? { children: children.length } : {}) };
}

/** `lathe runs list`: recent runs, newest first, filtered. */
export async function runsList(opts: RunsListOptions): Promise<number> {
  const query = await runQuery(opts);
  const store = await existingStore(opts, (m) => process.stdout.write(opts.json ? "[]\n" : `no runs recorded yet (${m})\n`));
  if (!store) return exitCodes.ok;
  const rows = await store.list(query);
  if (opts.json) {
    const runs = [];
    for (const r of rows) {
      const run = await store.load(String(r.id));
      if (run) runs.push(runSummary(run));
    }
    process.stdout.write(JSON.stringify(runs, null, 2) + "\n");
    return exitCodes.ok;
  }
  if (!rows.length) {
    const filtered = Object.keys(query).some((k) => k !== "limit" && k !== "children" && (query as Record<string, unknown>)[k] !== undefined);
    process.stdout.write(filtered ? "no recorded run matches\n" : "no runs recorded yet\n");
    return exitCodes.ok;
  }
  const shown = rows.map((r) => ({
    ...r,
    id: r.parent ? `  ${r.id}` : r.id,
    name: r.name ?? "",
    tags: Object.entries(JSON.parse(String(r.tags ?? "{}")) as Record<string, string>).map(([k, v]) => (v ? `${k}=${v}` : k)).join(", "),
    commit: r.git_commit ? `${String(r.git_commit).slice(0, 10)}${r.git_dirty ? " (dirty)" : ""}` : "",
  }));
  // Columns nobody filled (runs recorded before names, tags and commits were) are left out.
  const columns = ["id", "name", "started_at", "status", "program_path", "seed", "backend", "commit", "tags"].filter((c) => !["name", "commit", "tags"].includes(c) || shown.some((r) => (r as Record<string, unknown>)[c]));
  process.stdout.write(formatTable(columns, shown) + "\n");
  return exitCodes.ok;
}

/** `lathe runs show`: one run (or child run, `RUN/N`) with its record, metrics, artifacts, trials and loss curves. */
export async function runsShow(id: string, opts: { store: string; storeLocation?: StoreLocation; json?: boolean }): Promise<number> {
  const store = await existingStore(opts, (m) => process.stderr.write(`lathe: no run ${id}: ${m}\n`));
  if (!store) return exitCodes.usage;
  const run = await loadRun(store, id);
  if (!run) return exitCodes.usage;
  // What the run changed in the registry: it is the run the audit log names.
  const { registryChangesOf } = await import("../runtime/registry-audit.js");
  const registry = (await registryChangesOf(store, run.id)).map(({ retrain: _r, ...e }) => e);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ ...run, registry }, null, 2) + "\n");
    return exitCodes.ok;
  }
  const { runShowText } = await import("./run-show-text.js");
  process.stdout.write(runShowText(run));
  if (registry.length) process.stdout.write("\nregistry changes:\n" + formatTable(["time", "name", "action", "version", "alias", "reason"], registry.map((e) => ({ ...e, time: e.at, version: e.version ?? "-", alias: e.alias ?? "", reason: e.reason ?? "" }))) + "\n");
  return exitCodes.ok;
}

/** `lathe runs delete ID...`: all or none; runs that registered versions still in the registry only with `--force`. */
export async function runsDelete(ids: string[], opts: { store: string; storeLocation?: StoreLocation; force?: boolean }): Promise<number> {
  const store = await existingStore(opts, (m) => process.stderr.write(`lathe: no run ${ids[0]}: ${m}\n`));
  if (!store) return exitCodes.usage;
  const resolved: string[] = [];
  for (const id of ids) {
    const child = /^(.+)\/(\d+)$/.exec(id);
    if (child) {
      process.stderr.write(`lathe: ${id} is a trial (a child run) of run ${child[1]}: trials go with their run, \`lathe runs delete ${child[1]}\`\n`);
      return exitCodes.usage;
    }
    const full = store.resolve(id);
    if (full === undefined) {
      process.stderr.write(`lathe: no run ${id}\n`);
      return exitCodes.usage;
    }
    if (!resolved.includes(full)) resolved.push(full);
  }
  const { deleteRuns } = await import("../runtime/store/run-delete.js");
  const r = await deleteRuns(store, resolved, { force: opts.force });
  if (r.refused.length) {
    for (const x of r.refused) process.stderr.write(`lathe: error[${x.code}]: ${x.message}\n`);
    process.stderr.write(`lathe: no run was deleted\n`);
    return exitCodes.dataError;
  }
  await store.sync();
  process.stdout.write(`deleted ${r.deleted.length} run${r.deleted.length === 1 ? "" : "s"}${r.trials ? ` (with ${r.trials} trial${r.trials === 1 ? "" : "s"})` : ""}: ${r.deleted.join(", ")}\nartifacts no other run or registered version uses are removed by \`lathe gc\`\n`);
  return exitCodes.ok;
}

/** `lathe runs diff`. */
export async function runsDiff(a: string, b: string, opts: { store: string; storeLocation?: StoreLocation; json?: boolean }): Promise<number> {
  const { diffRuns } = await import("../runtime/run-diff.js");
  const store = await existingStore(opts, (m) => process.stderr.write(`lathe: no run ${a}: ${m}\n`));
  if (!store) return exitCodes.usage;
  const [ra, rb] = [await loadRun(store, a), await loadRun(store, b)];
  if (!ra || !rb) return exitCodes.usage;
  const d = diffRuns(ra, rb);
  if (opts.json) process.stdout.write(JSON.stringify(d, null, 2) + "\n");
  else {
    const { runDiffReport } = await import("./run-diff-report.js");
    process.stdout.write(`A = run ${ra.id} (${ra.status}, ${ra.startedAt})\nB = run ${rb.id} (${rb.status}, ${rb.startedAt})\n\n${runDiffReport(d, ["A", "B"])}`);
  }
  return exitCodes.ok;
}

/** `lathe models list`. */
export async function modelsList(opts: { store: string; storeLocation?: StoreLocation }): Promise<number> {
  const { ModelRegistry } = await import("../runtime/model-registry.js");
  if (!(await existingStore(opts, (m) => process.stdout.write(`no models registered yet (${m})\n`)))) return exitCodes.ok;
  const rows = await new ModelRegistry(await registryStore(opts.store)).names();
  const others = (a: Record<string, number>) => Object.entries(a).filter(([k]) => k !== "champion").map(([k, v]) => `${k}=${v}`).join(", ");
  process.stdout.write(rows.length ? formatTable(["name", "versions", "latest", "champion", "aliases"], rows.map((r) => ({ ...r, champion: r.champion ?? "-", aliases: others(r.aliases) }))) + "\n" : "no models registered yet\n");
  return exitCodes.ok;
}

const flagged = (s: RunStatus | undefined) => (s && s !== "succeeded" ? `run ${s}` : s === undefined ? "run not found" : "");

/** A name's versions, or the exit code after saying (coded, as `predict` and `serve` do) that nothing is registered under it. */
async function versionsOrReport(registry: import("../runtime/model-registry.js").ModelRegistry, name: string): Promise<import("../runtime/model-registry.js").ModelVersion[] | number> {
  const { registeredVersions } = await import("../runtime/predict/load.js");
  const { DataError } = await import("../runtime/errors.js");
  try {
    return await registeredVersions(registry, name);
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    process.stderr.write(`lathe: error[${e.code}]: ${e.message}\n`);
    return exitCodes.dataError;
  }
}

/** `lathe models show`: every version, with versions and champions that come from runs that did not succeed flagged. */
export async function modelsShow(name: string, opts: { store: string; json?: boolean }): Promise<number> {
  const { ModelRegistry } = await import("../runtime/model-registry.js");
  const registry = new ModelRegistry(await registryStore(opts.store));
  const versions = await versionsOrReport(registry, name);
  if (typeof versions === "number") return versions;
  if (opts.json) {
    process.stdout.write(JSON.stringify(versions, null, 2) + "\n");
    return exitCodes.ok;
  }
  // Within 100 columns: metrics go in a table of their own, a row each, however many a version has;
  // the registration time is left to --json and `models history` (the run id carries the date).
  const rows = versions.map((v) => ({
    version: v.version,
    champion: v.champion ? "*" : "",
    run: v.runId,
    model: `${v.model} (${v.algorithm})`,
    aliases: v.aliases.filter((a) => a !== "champion").join(", "),
    flag: flagged(v.runStatus),
  }));
  process.stdout.write(formatTable(["version", "champion", "run", "model", "aliases", "flag"], rows) + "\n");
  const metrics = versions.flatMap((v) => v.metrics.map((m) => ({ version: v.version, data: m.data, metric: m.metric, value: m.value })));
  if (metrics.length) process.stdout.write("\nmetrics:\n" + formatTable(["version", "data", "metric", "value"], metrics) + "\n");
  const changes = await registry.changes(name);
  const last = changes.at(-1);
  const notes = versions.filter((v) => v.runStatus !== "succeeded").map((v) => `version ${v.version} was registered by run ${v.runId}, which ${v.runStatus === undefined ? "is not in this store" : v.runStatus === "running" ? "is still running" : `${v.runStatus === "crashed" ? "crashed" : v.runStatus === "interrupted" ? "was interrupted" : "failed"} after registering it`}`);
  const ended = { failed: "failed", crashed: "crashed", interrupted: "was interrupted" } as Record<string, string>;
  if (last && last.runStatus !== "succeeded" && last.runStatus !== "running") notes.push(`the champion was last set by run ${last.runId} (${last.action} to version ${last.version}), which ${last.runStatus ? ended[last.runStatus] : "is not in this store"}`);
  if (notes.length) process.stdout.write(`\nflagged: ${notes.join("; ")}\n`);
  return exitCodes.ok;
}

/** `lathe gc`: temp files of dead processes, step-cache entries no kept run uses (`--cache`: all), digests of files gone or changed, unreferenced artifacts, the index. */
export async function gcCommand(opts: { store: string; storeLocation?: StoreLocation; dryRun?: boolean; cache?: boolean }): Promise<number> {
  const { collectGarbage } = await import("../runtime/store/garbage.js");
  const store = await existingStore(opts, (m) => process.stdout.write(`nothing to collect (${m})\n`));
  if (!store) return exitCodes.ok;
  const r = await collectGarbage(store, { dryRun: opts.dryRun, cache: opts.cache });
  const verb = opts.dryRun ? "would remove" : "removed";
  const mb = (r.bytesFreed / 1048576).toFixed(1);
  process.stdout.write(`${verb} ${r.tempFiles.length} temp file${r.tempFiles.length === 1 ? "" : "s"} and ${r.orphans.length} unreferenced artifact${r.orphans.length === 1 ? "" : "s"} (${mb} MiB); kept ${r.referenced} referenced artifact${r.referenced === 1 ? "" : "s"}\n`);
  const entries = (n: number) => `${n} step-cache entr${n === 1 ? "y" : "ies"}`;
  if (r.cache.removed || r.cache.kept) process.stdout.write(`step cache: ${verb} ${entries(r.cache.removed)}${opts.cache ? " (--cache)" : ""}, kept ${r.cache.kept}\n`);
  if (r.digests.removed) process.stdout.write(`file digests: ${verb} ${r.digests.removed} of files gone or changed, kept ${r.digests.kept}\n`);
  if (r.keptForRunning) process.stdout.write(`kept ${r.keptForRunning} recent unreferenced artifact${r.keptForRunning === 1 ? "" : "s"}: a run still running may reference ${r.keptForRunning === 1 ? "it" : "them"}\n`);
  if (r.crashed.length) process.stdout.write(`${r.crashed.length} crashed run${r.crashed.length === 1 ? "" : "s"} (kept, with what they recorded): ${r.crashed.slice(0, 5).join(", ")}${r.crashed.length > 5 ? ", …" : ""}\n`);
  if (r.reindexed) process.stdout.write(`the index was damaged: rebuilt it from the runs and the registry (the damaged file is kept as ${r.reindexed})\n`);
  for (const u of r.unreadable) process.stderr.write(`lathe: ${u}\nlathe: no artifact was removed while a run's journal cannot be read\n`);
  for (const m of r.missing) process.stderr.write(`lathe: missing artifact ${m.path} (referenced by ${m.by})\n`);
  return r.unreadable.length || r.missing.length ? exitCodes.storeError : exitCodes.ok;
}
