import type { AuditEntry } from "../runtime/registry-audit.js";
import { exitCodes, usageError } from "./exit-codes.js";
import { formatTable } from "./format-table.js";
import { loadRun, registryStore } from "./store-commands.js";

// Mistakes in what the command line named: the user's to fix there (exit 2); the rest are data errors (exit 4).
const usageCodes = new Set(["invalid-alias"]);

/** Runs a registry command; a coded DataError (an unknown name, version or alias) is said as `lathe: error[code]: ...`. */
async function reported(fn: () => Promise<number>): Promise<number> {
  const { DataError } = await import("../runtime/errors.js");
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    process.stderr.write(`lathe: error[${e.code}]: ${e.message}\n`);
    return usageCodes.has(e.code) ? exitCodes.usage : exitCodes.dataError;
  }
}

const who = (e: Pick<AuditEntry, "user" | "host">) => (e.user || e.host ? `${e.user ?? "?"}@${e.host ?? "?"}` : "-");

/** The audit log as a table: time, user@host, action, version, alias, run, reason (`decisionLine` words a retrain's decision). */
export function auditTable(entries: AuditEntry[], decisionLine: DecisionLine, withName = false): string {
  const rows = entries.map((e) => ({
    time: e.at,
    ...(withName ? { name: e.name } : {}),
    "user@host": who(e),
    action: e.action,
    version: e.version === undefined ? "-" : `${e.version}${e.action === "promote" || e.action === "rollback" ? ` (was ${e.previous ?? "none"})` : ""}`,
    alias: e.alias ?? "",
    run: e.run ? `${e.run}${e.runStatus && e.runStatus !== "succeeded" ? ` (${e.runStatus})` : e.runStatus === undefined ? " (not in this store)" : ""}` : e.action === "retrain" ? "-" : "command line",
    reason: e.retrain ? retrainLine(e, decisionLine) : e.reason ?? "",
  }));
  return formatTable(["time", ...(withName ? ["name"] : []), "user@host", "action", "version", "alias", "run", "reason"], rows);
}

type DecisionLine = typeof import("./retrain-decision.js").decisionLine;

function retrainLine(e: AuditEntry, decisionLine: DecisionLine): string {
  const r = e.retrain!;
  const what = r.decision ? decisionLine(r.decision).replace(/^decision: /, "") : r.status === "running" ? `running (pid ${r.owner.pid})` : `crashed: its process (pid ${r.owner.pid}) died before deciding; the ${e.alias ?? "champion"} was not changed by it`;
  return `retrain ${r.seq} (started ${r.startedAt}, trigger: ${r.trigger.text}${r.decision?.runId ? `, run ${r.decision.runId}` : ""}): ${what}`;
}

/**
 * `lathe models history NAME`: the registry's audit log of a name — every version registered, every
 * move of an alias (champion, production, ...) and every retrain — with time, user@host, action,
 * version, alias, run and reason; `--json` gives the entries (and, as before, the versions, changes
 * and retrains they come from).
 */
export async function modelsHistory(name: string, opts: { store: string; json?: boolean }): Promise<number> {
  const { ModelRegistry } = await import("../runtime/model-registry.js");
  const { RetrainLog } = await import("../runtime/retrain/retrain-log.js");
  const { auditLog } = await import("../runtime/registry-audit.js");
  const { registeredVersions } = await import("../runtime/predict/load.js");
  const { decisionLine } = await import("./retrain-decision.js");
  const store = await registryStore(opts.store);
  const registry = new ModelRegistry(store);
  return reported(async () => {
    const versions = await registeredVersions(registry, name);
    const entries = await auditLog(store, name);
    if (opts.json) {
      const changes = await registry.changes(name);
      const retrains = new RetrainLog(store, name).entries();
      process.stdout.write(JSON.stringify({ name, entries: entries.map(({ retrain: _r, ...e }) => e), versions: versions.map((v) => ({ version: v.version, runId: v.runId, registeredAt: v.registeredAt, aliases: v.aliases })), changes, retrains }, null, 2) + "\n");
      return exitCodes.ok;
    }
    process.stdout.write(auditTable(entries, decisionLine) + "\n");
    return exitCodes.ok;
  });
}

/** The version a command line names: `--run ID` (the version that run registered), `--version N`, `NAME@alias`, else the latest. */
async function sourceVersion(store: import("../runtime/run-store.js").RunStore, ref: import("../language/model-ref.js").ModelRef, runArg: string | undefined): Promise<number | undefined> {
  const { DataError } = await import("../runtime/errors.js");
  const { ModelRegistry } = await import("../runtime/model-registry.js");
  const { registeredVersions, resolveVersion } = await import("../runtime/predict/load.js");
  const registry = new ModelRegistry(store);
  const given = [ref.alias !== undefined && "NAME@alias", ref.version !== undefined && "--version", runArg !== undefined && "--run"].filter(Boolean);
  if (given.length > 1) throw usageError(`give one of ${given.join(", ")}: each names the version to promote`);
  if (runArg !== undefined) {
    const run = await loadRun(store, runArg);
    if (!run) throw new DataError(`there is no run ${runArg} in this store`, undefined, "unknown-run");
    const mine = (await registeredVersions(registry, ref.name)).filter((v) => v.runId === run.id);
    if (!mine.length) throw new DataError(`run ${run.id} registered no version of "${ref.name}"${run.status !== "succeeded" ? ` (it ${run.status === "running" ? "is still running" : run.status})` : ""}`, undefined, "unknown-version");
    return mine[mine.length - 1].version;
  }
  if (ref.version === undefined && (ref.alias === undefined || ref.alias === "latest")) return undefined;
  return (await resolveVersion(registry, ref)).version;
}

/**
 * `lathe models promote NAME[@alias] [--version N | --run ID] [--to ALIAS] [--reason TEXT]`: points
 * an alias (default: the champion) at a version — the one `--run` registered (how CI promotes the
 * run it has just tested), `--version N`, the one `NAME@alias` names, else the latest. Recorded in
 * the audit log with the user, host and reason, as a change from the command line.
 */
export async function modelsPromote(nameArg: string, opts: { store: string; version?: string; run?: string; to?: string; reason?: string }): Promise<number> {
  const { parseModelRef } = await import("../language/model-ref.js");
  const { ModelRegistry } = await import("../runtime/model-registry.js");
  const { renderRegistry } = await import("../runtime/ops/register.js");
  const store = await registryStore(opts.store);
  return reported(async () => {
    const ref = parseModelRef(nameArg, opts.version === undefined ? undefined : wholeNumber(opts.version));
    const version = await sourceVersion(store, ref, opts.run);
    const alias = opts.to === "champion" ? undefined : opts.to;
    const reason = opts.reason ?? (opts.run ? `version registered by run ${opts.run}` : undefined);
    const c = await new ModelRegistry(store).promote(ref.name, version, undefined, { alias, reason });
    process.stdout.write(renderRegistry({ kind: "registry", action: "promote", name: c.name, version: c.version, previous: c.previous, ...(alias ? { alias } : {}) }).summary + "\n");
    return exitCodes.ok;
  });
}

/** `lathe models rollback NAME[@alias] [--version N] [--reason TEXT]`: an alias (default: the champion) back to the version it named before, or to `--version N`. */
export async function modelsRollback(nameArg: string, opts: { store: string; version?: string; reason?: string }): Promise<number> {
  const { parseModelRef } = await import("../language/model-ref.js");
  const { ModelRegistry } = await import("../runtime/model-registry.js");
  const { renderRegistry } = await import("../runtime/ops/register.js");
  const store = await registryStore(opts.store);
  return reported(async () => {
    const ref = parseModelRef(nameArg);
    const alias = ref.alias === "champion" ? undefined : ref.alias;
    const version = opts.version === undefined ? undefined : wholeNumber(opts.version);
    const c = await new ModelRegistry(store).rollback(ref.name, version, undefined, { alias, reason: opts.reason });
    process.stdout.write(renderRegistry({ kind: "registry", action: "rollback", name: c.name, version: c.version, previous: c.previous, ...(alias ? { alias } : {}) }).summary + "\n");
    return exitCodes.ok;
  });
}

function wholeNumber(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw usageError(`--version takes a whole number from 1, got ${JSON.stringify(text)}`);
  return n;
}
