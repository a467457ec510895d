import path from "node:path";
import { nameKey } from "../model-registry.js";
import { createExclusive, ensureDir, listDir } from "../store/durable-file.js";
import { currentActor } from "../store/actor.js";
import { currentOwner, ownerAlive, type ProcessOwner } from "../store/process-owner.js";
import type { StoreLayout } from "../store/store-layout.js";
import { readJsonRecord } from "../store/json-record.js";
import { StoreError } from "../store/store-error.js";

/** What started a retrain: `--now`, a schedule, or conditions that held (with the values seen). */
export interface RetrainTrigger {
  kind: "now" | "schedule" | "condition";
  /** As a sentence: `every week`, `drift > 0.25 (drift = 0.4 at 2024-…)`, several joined by `; `. */
  text: string;
}

/** One side of the comparison: the version and its score on the holdout. */
export interface ScoredVersion {
  version: number;
  score: number;
}

/** What a retrain decided, and why: the registry's audit record of it. */
export interface RetrainDecision {
  seq: number;
  name: string;
  /** The alias the retrain challenged (none: the champion). */
  alias?: string;
  trigger: RetrainTrigger;
  startedAt: string;
  decidedAt: string;
  /** `promoted`: the challenger is the champion now; `kept`: the champion stays; `failed`: no comparison (the run failed). */
  outcome: "promoted" | "kept" | "failed";
  reason: string;
  /** The retrain's own run (the program run again). */
  runId?: string;
  /** The run that had registered the champion, whose program was run again. */
  fromRun?: string;
  metric?: string;
  higherIsBetter?: boolean;
  /** The dataset both were scored on: the challenger run's holdout. */
  data?: string;
  champion?: ScoredVersion;
  challenger?: ScoredVersion;
  /** Each assert of the challenger's run that failed, as `model on data: metric = v, required op bound`. */
  failedAsserts?: string[];
}

/** A retrain as the log holds it: its claim, and its decision once made. */
export interface RetrainEntry {
  seq: number;
  owner: ProcessOwner;
  /** The user of the process that retrained (missing in retrains recorded before the audit log kept it). */
  user?: string;
  trigger: RetrainTrigger;
  startedAt: string;
  /** `decided` (see `decision`), `running` (its process is alive), or `crashed` (it died before deciding; the champion was not changed by it unless its run promoted). */
  status: "decided" | "running" | "crashed";
  decision?: RetrainDecision;
}

interface Claim {
  seq: number;
  name: string;
  owner: ProcessOwner;
  user?: string;
  trigger: RetrainTrigger;
  startedAt: string;
}

// The retrains of a name are numbered files in `registry/<name>/retrains/`: `000004.claim.json`
// is created (atomically, by hard link) when retrain 4 starts, `000004.json` when it has decided.
// The claims are the lock: a retrain may start only by creating the next number, and only when the
// latest claim has its decision or its process is dead, so two retrains of one model never overlap
// and two processes that both find the lock free cannot both take it (one link fails). A retrain
// whose process died keeps its claim without a decision: it shows as crashed, and does not block.
const width = 6;

/** The retrain log of one registered name: its lock and its audit trail. */
export class RetrainLog {
  private readonly dir: string;

  constructor(
    private readonly store: StoreLayout,
    readonly name: string,
  ) {
    this.dir = path.join(store.registryDir, nameKey(name), "retrains");
  }

  /**
   * Takes the lock for a new retrain, recording its trigger: its number, or the retrain that holds
   * the lock (alive, undecided) when there is one.
   */
  claim(trigger: RetrainTrigger): { seq: number } | { busy: RetrainEntry } {
    ensureDir(this.dir);
    for (let attempt = 0; attempt < 1000; attempt++) {
      const latest = this.entries().at(-1);
      if (latest?.status === "running") return { busy: latest };
      const seq = (latest?.seq ?? 0) + 1;
      const claim: Claim = { seq, name: this.name, owner: currentOwner(), user: currentActor().user, trigger, startedAt: new Date().toISOString() };
      if (createExclusive(this.claimFile(seq), json(claim), this.store.tmpDir)) return { seq };
    }
    throw new StoreError(`could not start a retrain of "${this.name}": other processes kept starting retrains (1000 attempts)`, "store-busy");
  }

  /** Records retrain `seq`'s decision, which releases the lock. */
  decide(decision: RetrainDecision): void {
    if (!createExclusive(this.decisionFile(decision.seq), json(decision), this.store.tmpDir)) throw new StoreError(`retrain ${decision.seq} of "${this.name}" already has a decision recorded`, "store-damaged", this.decisionFile(decision.seq));
  }

  /** Every retrain of the name, oldest first. */
  entries(): RetrainEntry[] {
    const seqs = listDir(this.dir)
      .filter((f) => /^\d+\.claim\.json$/.test(f))
      .map((f) => Number(f.slice(0, width)))
      .sort((a, b) => a - b);
    return seqs.map((seq) => {
      const claim = this.read<Claim>(this.claimFile(seq));
      const decision = this.read<RetrainDecision | undefined>(this.decisionFile(seq), true);
      const status = decision ? "decided" : ownerAlive(claim.owner) === false ? "crashed" : "running";
      return { seq, owner: claim.owner, ...(claim.user !== undefined ? { user: claim.user } : {}), trigger: claim.trigger, startedAt: claim.startedAt, status, ...(decision ? { decision } : {}) };
    });
  }

  /** When the last retrain that decided (or crashed) started, to compare monitor results with. */
  lastStarted(): Date | undefined {
    const last = this.entries().at(-1);
    return last ? new Date(last.startedAt) : undefined;
  }

  private claimFile(seq: number): string {
    return path.join(this.dir, `${String(seq).padStart(width, "0")}.claim.json`);
  }

  private decisionFile(seq: number): string {
    return path.join(this.dir, `${String(seq).padStart(width, "0")}.json`);
  }

  private read<T>(file: string, optional = false): T {
    return readJsonRecord<T>(file, "retrain record", optional) as T;
  }
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 1) + "\n");
}
