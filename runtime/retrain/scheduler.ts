import type { RetrainTrigger } from "./retrain-log.js";
import type { RetrainSpec } from "./retrain-spec.js";
import { nextFire } from "./schedule.js";
import { conditionsHolding, type SignalSource } from "./signal-source.js";

/** Time as the scheduler sees it: the real clock, or a fake one in tests. */
export interface Clock {
  now(): Date;
  /** Waits `ms` (resolves early when `signal` aborts). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The machine's clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
};

export interface SchedulerOptions {
  /** The specs to follow, read again at every wake-up (a program's `retrain` statement may change them). */
  specs: () => RetrainSpec[];
  signals: SignalSource;
  /** When the last retrain of a name started (its retrain log), if any. */
  lastRetrain: (name: string) => Date | undefined;
  /** Retrains a model once; the scheduler waits for it (so a model's retrains never overlap here). */
  retrain: (name: string, trigger: RetrainTrigger) => Promise<void>;
  clock?: Clock;
  /** How often monitor results are read, in ms. */
  pollMs: number;
  /** The time zone of schedule boundaries (default: the machine's). */
  timezone?: string;
  /** Stops the loop: a retrain that runs is let finish or abandoned by its caller, then `run` returns. */
  signal: AbortSignal;
  log?: (message: string) => void;
  /**
   * One pass, then return (`lathe watch --once`, for cron and notebooks): schedules count from
   * the last retrain (a model never retrained is not due), conditions as in the loop.
   */
  once?: boolean;
}

/**
 * The `lathe watch` loop. At each wake-up, for each spec: its schedule is due when the time has
 * reached the Nth boundary after the last retrain (or after the watch started); its conditions hold
 * when the latest monitor result, newer than the last retrain, satisfies one. Whatever is due for a
 * model starts one retrain, its trigger naming every reason (two triggers at once are one
 * retrain). It then sleeps until the next schedule boundary or the next poll, whichever is first.
 */
export async function watchRetrains(o: SchedulerOptions): Promise<void> {
  const clock = o.clock ?? systemClock;
  const started = clock.now();
  while (!o.signal.aborted) {
    const now = clock.now();
    let wake = now.getTime() + o.pollMs;
    for (const spec of o.specs()) {
      if (o.signal.aborted) return;
      const last = o.lastRetrain(spec.name);
      const reasons: string[] = [];
      let kind: RetrainTrigger["kind"] = "condition";
      if (spec.schedule) {
        const from = o.once ? last : last && last > started ? last : started;
        const due = from && nextFire(spec.schedule, from, o.timezone);
        if (due && due.getTime() <= now.getTime()) {
          reasons.push(`${spec.schedule.text} (due ${due.toISOString()})`);
          kind = "schedule";
        }
      }
      const holding = conditionsHolding(spec.conditions.length ? await o.signals.latest(spec.name) : undefined, spec.conditions, last);
      reasons.push(...holding.map((h) => `${h.condition.text} (${h.condition.key} = ${h.value})`));
      if (reasons.length) {
        o.log?.(`retraining ${JSON.stringify(spec.name)}: ${reasons.join("; ")}`);
        await o.retrain(spec.name, { kind, text: reasons.join("; ") });
      }
      if (spec.schedule && !o.signal.aborted) {
        const after = o.lastRetrain(spec.name);
        wake = Math.min(wake, nextFire(spec.schedule, after && after > started ? after : started, o.timezone).getTime());
      }
    }
    if (o.once) return;
    await clock.sleep(Math.max(0, wake - clock.now().getTime()), o.signal);
  }
}
