import { aliasOf, ModelRegistry } from "./model-registry.js";
import { RetrainLog, type RetrainEntry } from "./retrain/retrain-log.js";
import { runStatusIn, type RunStatus } from "./store/run-journal.js";
import type { StoreLayout } from "./store/store-layout.js";

/** One change to the registry, as the audit log shows it. */
export interface AuditEntry {
  at: string;
  name: string;
  /** Who made it, when the registry recorded it (not in what was recorded before the audit log kept it). */
  user?: string;
  host?: string;
  action: "register" | "promote" | "rollback" | "retrain";
  /** The version registered, the version the alias names after the change, or a retrain's challenger (else the version it kept). */
  version?: number;
  /** For a promote or rollback: the version the alias named before. */
  previous?: number;
  /** For a promote, rollback or retrain: the alias moved or challenged (`champion` by default). */
  alias?: string;
  /** The run that made the change: none for a change from the command line. */
  run?: string;
  runStatus?: RunStatus;
  /** Why: the asserts that passed before a promotion, `--reason`, a retrain's decision. */
  reason?: string;
  /** For a retrain: its claim and decision as the retrain log holds them. */
  retrain?: RetrainEntry;
}

/**
 * The audit log of a registered name, oldest first: every version registered, every move of an
 * alias (promote, rollback; from a program's run, a retrain or the command line) and every retrain
 * with its decision. Built from the registry's write-once files, so it is exactly what happened.
 */
export async function auditLog(store: StoreLayout, name: string): Promise<AuditEntry[]> {
  const registry = new ModelRegistry(store);
  const status = (run: string | undefined) => (run ? { runStatus: runStatusIn(store.runsDir, run) } : {});
  const entries: AuditEntry[] = [
    ...(await registry.versions(name)).map((v): AuditEntry => ({ at: v.registeredAt, name, user: v.user, host: v.host, action: "register", version: v.version, run: v.runId, runStatus: v.runStatus })),
    ...(await registry.changes(name)).map((c): AuditEntry => ({ at: c.changedAt, name, user: c.user, host: c.host, action: c.action === "promote" ? "promote" : "rollback", version: c.version, previous: c.previous, alias: aliasOf(c), run: c.runId, ...status(c.runId), reason: c.reason })),
    ...new RetrainLog(store, name).entries().map((r): AuditEntry => ({
      at: r.decision?.decidedAt ?? r.startedAt,
      name,
      user: r.user,
      host: r.owner.host || undefined,
      action: "retrain",
      version: r.decision?.challenger?.version ?? r.decision?.champion?.version,
      alias: r.decision?.alias ?? "champion",
      run: r.decision?.runId,
      ...status(r.decision?.runId),
      reason: r.decision ? `${r.decision.outcome}: ${r.decision.reason}` : r.status,
      retrain: r,
    })),
  ];
  // Stable: a version registered and promoted in the same millisecond keeps that order.
  return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Every change to the registry a run made (versions it registered, aliases it moved, a retrain it decided), oldest first. */
export async function registryChangesOf(store: StoreLayout, runId: string): Promise<AuditEntry[]> {
  const registry = new ModelRegistry(store);
  const out: AuditEntry[] = [];
  for (const { name } of await registry.names()) out.push(...(await auditLog(store, name)).filter((e) => e.run === runId));
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
