import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { RunStatus, RunStore, StoredRun } from "../runtime/run-store.js";
import { StoreError } from "../runtime/store/store-error.js";
import { exitCodes } from "./exit-codes.js";
import { formatTable } from "./format-table.js";

/** Opens the run store of a `--store` folder; waiting for another process's index sync is said on stderr. */
export async function openStore(dir: string): Promise<RunStore> {
  const { RunStore } = await import("../runtime/run-store.js");
  return new RunStore(path.resolve(dir), { onWait: (m) => process.stderr.write(`lathe: ${m}\n`) });
}

/** A registry still inside an earlier Lathe's lathe.duckdb is imported (by a sync) before it is read. */
async function registryStore(dir: string): Promise<RunStore> {
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

/** `lathe runs list`. */
export async function runsList(opts: { store: string; limit: string }): Promise<number> {
  const rows = await (await openStore(opts.store)).list(Number(opts.limit));
  process.stdout.write(rows.length ? formatTable(["id", "started_at", "status", "program_path", "seed", "backend"], rows) + "\n" : "no runs recorded yet\n");
  return exitCodes.ok;
}

/** `lathe runs show`. */
export async function runsShow(id: string, opts: { store: string; json?: boolean }): Promise<number> {
  const run = await loadRun(await openStore(opts.store), id);
  if (!run) return exitCodes.usage;
  if (opts.json) {
    process.stdout.write(JSON.stringify(run, null, 2) + "\n");
    return exitCodes.ok;
  }
  process.stdout.write(`run ${run.id}  ${run.status}  started ${run.startedAt}  finished ${run.finishedAt ?? "-"}\nprogram ${run.programPath} (sha256 ${run.programSha.slice(0, 12)})  seed ${run.seed ?? "-"}  backend ${run.backend ?? "-"}\n`);
  if (run.reproduces) process.stdout.write(`reproduces run ${run.reproduces}\n`);
  if (run.error) process.stdout.write(`error${run.errorCode ? `[${run.errorCode}]` : ""}: ${run.error}\n`);
  const last = run.steps?.at(-1);
  if (run.status === "crashed") process.stdout.write(`crashed: its process ended without recording an outcome, after ${run.steps?.length ?? 0} step${run.steps?.length === 1 ? "" : "s"}${last ? ` (last: ${last.label})` : ""}; what those steps recorded is below\n`);
  if (run.metrics.length) process.stdout.write("\n" + formatTable(["model", "data", "metric", "value"], run.metrics.map((m) => ({ ...m }))) + "\n");
  if (run.artifacts.length) process.stdout.write("\n" + formatTable(["name", "kind", "path", "bytes"], run.artifacts.map((a) => ({ ...a }))) + "\n");
  return exitCodes.ok;
}

/** `lathe runs diff`. */
export async function runsDiff(a: string, b: string, opts: { store: string; json?: boolean }): Promise<number> {
  const { diffRuns } = await import("../runtime/run-diff.js");
  const store = await openStore(opts.store);
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
export async function modelsList(opts: { store: string }): Promise<number> {
  const { ModelRegistry } = await import("../runtime/model-registry.js");
  const rows = await new ModelRegistry(await registryStore(opts.store)).names();
  process.stdout.write(rows.length ? formatTable(["name", "versions", "latest", "champion"], rows.map((r) => ({ ...r, champion: r.champion ?? "-" }))) + "\n" : "no models registered yet\n");
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
  const rows = versions.map((v) => ({
    version: v.version,
    champion: v.champion ? "*" : "",
    run: v.runId,
    model: `${v.model} (${v.algorithm})`,
    metrics: v.metrics.map((m) => `${m.metric} on ${m.data} ${m.value.toFixed(4)}`).join(", ") || "-",
    registered: v.registeredAt,
    flag: flagged(v.runStatus),
  }));
  process.stdout.write(formatTable(["version", "champion", "run", "model", "metrics", "registered", "flag"], rows) + "\n");
  const changes = await registry.changes(name);
  const last = changes.at(-1);
  const notes = versions.filter((v) => v.runStatus !== "succeeded").map((v) => `version ${v.version} was registered by run ${v.runId}, which ${v.runStatus === undefined ? "is not in this store" : v.runStatus === "running" ? "is still running" : `${v.runStatus === "crashed" ? "crashed" : v.runStatus === "interrupted" ? "was interrupted" : "failed"} after registering it`}`);
  const ended = { failed: "failed", crashed: "crashed", interrupted: "was interrupted" } as Record<string, string>;
  if (last && last.runStatus !== "succeeded" && last.runStatus !== "running") notes.push(`the champion was last set by run ${last.runId} (${last.action} to version ${last.version}), which ${last.runStatus ? ended[last.runStatus] : "is not in this store"}`);
  if (notes.length) process.stdout.write(`\nflagged: ${notes.join("; ")}\n`);
  return exitCodes.ok;
}

/** `lathe gc`: temp files of dead processes, unreferenced artifacts, the index. */
export async function gcCommand(opts: { store: string; dryRun?: boolean }): Promise<number> {
  const { collectGarbage } = await import("../runtime/store/garbage.js");
  const store = await openStore(opts.store);
  const r = await collectGarbage(store, { dryRun: opts.dryRun });
  const verb = opts.dryRun ? "would remove" : "removed";
  const mb = (r.bytesFreed / 1048576).toFixed(1);
  process.stdout.write(`${verb} ${r.tempFiles.length} temp file${r.tempFiles.length === 1 ? "" : "s"} and ${r.orphans.length} unreferenced artifact${r.orphans.length === 1 ? "" : "s"} (${mb} MiB); kept ${r.referenced} referenced artifact${r.referenced === 1 ? "" : "s"}\n`);
  if (r.keptForRunning) process.stdout.write(`kept ${r.keptForRunning} recent unreferenced artifact${r.keptForRunning === 1 ? "" : "s"}: a run still running may reference ${r.keptForRunning === 1 ? "it" : "them"}\n`);
  if (r.crashed.length) process.stdout.write(`${r.crashed.length} crashed run${r.crashed.length === 1 ? "" : "s"} (kept, with what they recorded): ${r.crashed.slice(0, 5).join(", ")}${r.crashed.length > 5 ? ", …" : ""}\n`);
  if (r.reindexed) process.stdout.write(`the index was damaged: rebuilt it from the runs and the registry (the damaged file is kept as ${r.reindexed})\n`);
  for (const u of r.unreadable) process.stderr.write(`lathe: ${u}\nlathe: no artifact was removed while a run's journal cannot be read\n`);
  for (const m of r.missing) process.stderr.write(`lathe: missing artifact ${m.path} (referenced by ${m.by})\n`);
  return r.unreadable.length || r.missing.length ? exitCodes.storeError : exitCodes.ok;
}

/** `lathe models history`: every change of champion and every retrain decision of a name, oldest first (the registry's audit log). */
export async function modelsHistory(name: string, opts: { store: string; json?: boolean }): Promise<number> {
  const { ModelRegistry } = await import("../runtime/model-registry.js");
  const { RetrainLog } = await import("../runtime/retrain/retrain-log.js");
  const { decisionLine } = await import("./retrain-decision.js");
  const store = await registryStore(opts.store);
  const registry = new ModelRegistry(store);
  const versions = await versionsOrReport(registry, name);
  if (typeof versions === "number") return versions;
  const changes = await registry.changes(name);
  const retrains = new RetrainLog(store, name).entries();
  if (opts.json) {
    process.stdout.write(JSON.stringify({ name, versions: versions.map((v) => ({ version: v.version, runId: v.runId, registeredAt: v.registeredAt })), changes, retrains }, null, 2) + "\n");
    return exitCodes.ok;
  }
  const events = [
    ...versions.map((v) => ({ at: v.registeredAt, line: `registered version ${v.version} (run ${v.runId}${flagged(v.runStatus) ? `, ${flagged(v.runStatus)}` : ""})` })),
    ...changes.map((c) => ({ at: c.changedAt, line: `${c.action === "promote" ? "promoted" : "rolled back to"} version ${c.version}${c.previous !== undefined ? ` (was ${c.previous})` : ""} by run ${c.runId}` })),
    ...retrains.map((r) => ({
      at: r.decision?.decidedAt ?? r.startedAt,
      line: `retrain ${r.seq} (started ${r.startedAt}, trigger: ${r.trigger.text}${r.decision?.runId ? `, run ${r.decision.runId}` : ""}): ${r.decision ? decisionLine(r.decision).replace(/^decision: /, "") : r.status === "running" ? `running (pid ${r.owner.pid})` : `crashed: its process (pid ${r.owner.pid}) died before deciding; the champion was not changed by it`}`,
    })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  process.stdout.write(events.map((e) => `${e.at}  ${e.line}`).join("\n") + "\n");
  return exitCodes.ok;
}
