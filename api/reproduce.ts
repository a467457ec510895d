import path from "node:path";
import type { LiteralValue } from "../language/ast.js";
import { diffRuns, type RunDiff } from "../runtime/run-diff.js";
import type { StoredRun } from "../runtime/run-store.js";
import type { RecordedSnapshot } from "../runtime/data/snapshot-source.js";
import { snapshotName } from "../runtime/step-cache.js";
import type { RunOptions, RunOutcome, Session } from "./session.js";

/** What `reproduce` found: the recorded run, the new run, and how they compare. */
export interface Reproduction {
  original: StoredRun;
  outcome: RunOutcome;
  /** The new run as recorded; undefined when it could not start (program errors). */
  again?: StoredRun;
  diff?: RunDiff;
}

/**
 * Runs a recorded run again from its record — its program text and params, data paths resolved
 * from its program's folder — without side effects (no `register`, `promote`, `rollback` or
 * deployment: those report what they would do), records the new run, and compares the two: the
 * same data (fingerprints), the same metrics (assert values included) bit for bit and the same
 * model files (hashes) make a reproduction. Every step is computed (the step cache is neither read
 * nor written); a source whose files changed or are gone is read from the run's snapshot, if it
 * kept one (`lathe run --snapshot`).
 */
export async function reproduce(session: Session, original: StoredRun, options: Pick<RunOptions, "signal" | "onEvent"> = {}): Promise<Reproduction> {
  const outcome = await session.run(original.programText, {
    ...options,
    file: original.programPath,
    params: original.params as Record<string, LiteralValue>,
    record: true,
    sideEffects: false,
    reproduces: original.id,
    cache: "off",
    snapshots: recordedSnapshots(original, session.store.artifactDir),
  });
  const again = outcome.runId ? await session.store.load(outcome.runId) : undefined;
  return { original, outcome, again, diff: again && diffRuns(original, again) };
}

/** The data snapshots a run kept, by source name, with the fingerprint of the data each holds (found in this store's artifacts). */
function recordedSnapshots(run: StoredRun, artifactDir: string): Record<string, RecordedSnapshot> {
  const out: Record<string, RecordedSnapshot> = Object.create(null);
  for (const name of Object.keys(run.data)) {
    const a = run.artifacts.find((x) => x.kind === "snapshot" && x.name === snapshotName(name));
    if (a) out[name] = { file: path.join(artifactDir, path.basename(a.path)), fingerprint: run.data[name], run: run.id };
  }
  return out;
}
