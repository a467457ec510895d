import type { LiteralValue } from "../language/ast.js";
import { movableAliasProblem } from "../language/model-ref.js";
import { DataError } from "../runtime/errors.js";
import { ModelRegistry, type ModelVersion } from "../runtime/model-registry.js";
import { scoreOnHoldout, versionState, yardstick } from "../runtime/retrain/holdout-score.js";
import { RetrainLog, type RetrainDecision, type RetrainEntry, type RetrainTrigger } from "../runtime/retrain/retrain-log.js";
import { valueText as fmt } from "../runtime/results.js";
import type { RunStore } from "../runtime/run-store.js";
import { crashPoint, pausePoint } from "../runtime/store/fault-injection.js";
import type { RunOptions, RunOutcome, Session } from "./session.js";

/** A retrain that holds the lock: its number, the champion (or the version of `alias`) it challenges and what started it. */
export interface RetrainClaim {
  seq: number;
  name: string;
  /** The alias challenged and moved if the challenger wins; none: the champion. */
  alias?: string;
  champion: ModelVersion;
  trigger: RetrainTrigger;
  startedAt: string;
  log: RetrainLog;
}

/**
 * Takes the retrain lock of `name` (see `RetrainLog`): the claim, or the retrain already running.
 * A name with no champion has nothing to retrain against: `no-champion`.
 */
export async function claimRetrain(store: RunStore, name: string, trigger: RetrainTrigger, alias?: string): Promise<RetrainClaim | { busy: RetrainEntry }> {
  const registry = new ModelRegistry(store);
  if (alias === "champion") alias = undefined;
  const problem = alias === undefined ? undefined : movableAliasProblem(alias);
  if (problem) throw new DataError(problem, undefined, "invalid-alias");
  const champion = await registry.aliased(name, alias);
  if (!champion) {
    const known = (await registry.versions(name)).length > 0;
    if (known && alias) throw new DataError(`"${name}" has no alias "${alias}" to retrain: \`promote "${name}" to ${alias}\` sets it`, undefined, "unknown-alias");
    throw new DataError(known ? `"${name}" has no champion to retrain: promote a version first` : `no model is registered as "${name}"`, undefined, known ? "no-champion" : "unknown-model-name");
  }
  const log = new RetrainLog(store, name);
  const startedAt = new Date().toISOString();
  const claimed = log.claim(trigger);
  if ("busy" in claimed) return claimed;
  return { seq: claimed.seq, name, ...(alias ? { alias } : {}), champion, trigger, startedAt, log };
}

/** A retrain's decision and the run of the program it made. */
export interface Retrained {
  decision: RetrainDecision;
  outcome: RunOutcome;
}

/**
 * Retrains a claimed model: runs the program of the run that registered the champion again, from
 * its record (program text, params; data paths from its program's folder, so sources are read
 * afresh), in `session` (a fresh one, the step cache refreshed: nothing is reused from an earlier run), with `promote` and
 * `rollback` deferred. The version it registers under the name is the challenger. Champion and
 * challenger are scored on the challenger run's holdout by the champion's metric (`yardstick`);
 * the challenger is promoted only if it is strictly better and every assert of its run passed,
 * and only if the champion is still the one it was compared with. The promotion is the last change;
 * the decision, with both scores and why, is then recorded in the registry's retrain log, which
 * releases the lock. A run that fails or is interrupted is recorded as a failed retrain.
 */
export async function runRetrain(session: Session, claim: RetrainClaim, options: Pick<RunOptions, "signal" | "onEvent"> = {}): Promise<Retrained> {
  const base = { seq: claim.seq, name: claim.name, ...(claim.alias ? { alias: claim.alias } : {}), trigger: claim.trigger, startedAt: claim.startedAt, fromRun: claim.champion.runId };
  const decide = (d: Omit<RetrainDecision, keyof typeof base | "decidedAt">, outcome: RunOutcome): Retrained => {
    const decision: RetrainDecision = { ...base, ...d, decidedAt: new Date().toISOString() };
    claim.log.decide(decision);
    return { decision, outcome };
  };
  let outcome: RunOutcome | undefined;
  pausePoint("retrain-claimed");
  try {
    const original = await session.store.load(claim.champion.runId);
    if (!original) throw new DataError(`the run that registered version ${claim.champion.version} of "${claim.name}" (${claim.champion.runId}) is not in this run store, so its program cannot be run again`, undefined, "unknown-run");
    outcome = await session.run(original.programText, { ...options, file: original.programPath, params: original.params as Record<string, LiteralValue>, record: true, deferChampion: true, cache: "refresh" });
    const runId = outcome.runId;
    if (!outcome.plan || outcome.diagnostics.some((d) => d.severity === "error")) {
      return decide({ outcome: "failed", runId, reason: `the program no longer checks: ${outcome.diagnostics.filter((d) => d.severity === "error").map((d) => d.message).join("; ")}` }, outcome);
    }
    if (outcome.error && outcome.error.kind !== "assert") return decide({ outcome: "failed", runId, reason: outcome.error.kind === "interrupted" ? "interrupted before a decision; the champion is unchanged" : `the retrain's run failed: ${outcome.error.message}` }, outcome);
    const failedAsserts = (outcome.output?.results ?? []).flatMap((r) => (r.kind === "assert" && !r.passed ? r.checks.filter((c) => !c.passed).map((c) => `${r.model} on ${r.data}: ${c.metric} = ${c.value}, required ${c.op} ${c.bound}`) : []));
    const registered = (outcome.output?.results ?? []).findLast((r): r is Extract<typeof r, { kind: "registry" }> => r.kind === "registry" && r.action === "register" && r.name === claim.name);
    const registry = new ModelRegistry(session.store);
    const challengerVersion = registered && (await registry.versions(claim.name)).find((v) => v.version === registered.version);
    if (!challengerVersion && !failedAsserts.length) return decide({ outcome: "failed", runId, reason: `the program did not register a model as "${claim.name}", so there is no challenger` }, outcome);
    const by = yardstick(outcome.plan, claim.champion.model, claim.champion.task === "regression" ? "regression" : "classification");
    // A challenger an assert kept from being registered is still scored, from the run's own model, so the log says how it did.
    const challengerState = challengerVersion ? await versionState(challengerVersion) : session.executor.modelState(claim.champion.model);
    if (!challengerState) return decide({ outcome: "failed", runId, reason: `the program no longer trains \`${claim.champion.model}\`` }, outcome);
    const [championScore, challengerScore] = await scoreOnHoldout(session.executor, outcome.plan, by, [await versionState(claim.champion), challengerState]);
    const scored = { runId, metric: by.metric, higherIsBetter: by.higherIsBetter, data: by.data, champion: { version: claim.champion.version, score: championScore }, ...(challengerVersion ? { challenger: { version: challengerVersion.version, score: challengerScore } } : {}), ...(failedAsserts.length ? { failedAsserts } : {}) };
    const vs = `${by.metric} on ${by.data}: challenger ${fmt(challengerScore)}, champion ${fmt(championScore)} (${by.higherIsBetter ? "higher" : "lower"} is better)`;
    if (failedAsserts.length) return decide({ ...scored, outcome: "kept", reason: `an assert of the retrain's run failed (${failedAsserts.join("; ")}), so the challenger was not registered or promoted; ${vs}` }, outcome);
    const better = by.higherIsBetter ? challengerScore > championScore : challengerScore < championScore;
    if (!better) return decide({ ...scored, outcome: "kept", reason: `the challenger is not better: ${vs}` }, outcome);
    crashPoint("retrain-before-promote");
    const reason = `the challenger is better and every assert passed: ${vs}`;
    try {
      await registry.promoteIf(claim.name, challengerVersion!.version, claim.champion.version, runId ?? `retrain-${claim.seq}`, { alias: claim.alias, reason: `retrain ${claim.seq} (${claim.trigger.text}): ${reason}` });
    } catch (e) {
      if (e instanceof DataError && e.code === "champion-changed") return decide({ ...scored, outcome: "kept", reason: `${e.message}; ${vs}` }, outcome);
      throw e;
    }
    return decide({ ...scored, outcome: "promoted", reason }, outcome);
  } catch (e) {
    const message = (e as Error)?.message ?? String(e);
    const failed: RunOutcome = outcome ?? { ok: false, diagnostics: [], text: "", file: claim.champion.runId, error: { kind: e instanceof DataError ? "data" : "internal", message, code: e instanceof DataError ? e.code : undefined } };
    const d = decide({ outcome: "failed", runId: outcome?.runId, reason: `the retrain failed: ${message}` }, failed);
    if (!(e instanceof DataError)) throw e;
    if (!failed.error) failed.error = { kind: "data", message, code: e.code };
    return d;
  }
}
