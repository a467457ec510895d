import { describe, expect, it } from "vitest";
import { tempDir } from "../../helpers.js";
import type { RetrainTrigger } from "../../../runtime/retrain/retrain-log.js";
import { scheduleOf, type RetrainSpec } from "../../../runtime/retrain/retrain-spec.js";
import { nextFire } from "../../../runtime/retrain/schedule.js";
import { watchRetrains, type Clock } from "../../../runtime/retrain/scheduler.js";
import { monitorFiles } from "../../../runtime/retrain/signal-source.js";
import { storeMonitorResult } from "../monitor/monitor-result-fixture.js";

/** A clock whose sleeps pass at once, moving its time forward. */
function fakeClock(start: string, onSleep?: (t: number) => void): Clock & { t: number } {
  const c = {
    t: Date.parse(start),
    now: () => new Date(c.t),
    sleep: async (ms: number) => {
      c.t += ms;
      onSleep?.(c.t);
    },
  };
  return c;
}

const spec = (name: string, s: Partial<RetrainSpec>): RetrainSpec => ({ format: "lathe-retrain-spec", name, conditions: [], text: "", recordedAt: "", ...s });

async function watch(opts: { start: string; specs: RetrainSpec[]; root?: string; fires: number; pollMs?: number; onSleep?: (t: number) => void }) {
  const clock = fakeClock(opts.start, opts.onSleep);
  const controller = new AbortController();
  const last = new Map<string, Date>();
  const fired: { name: string; at: string; trigger: RetrainTrigger }[] = [];
  await watchRetrains({
    specs: () => opts.specs,
    signals: monitorFiles(opts.root ?? tempDir()),
    lastRetrain: (name) => last.get(name),
    retrain: async (name, trigger) => {
      fired.push({ name, at: clock.now().toISOString(), trigger });
      last.set(name, clock.now());
      clock.t += 60_000; // a retrain takes a minute
      if (fired.length >= opts.fires) controller.abort();
    },
    clock,
    pollMs: opts.pollMs ?? 3_600_000,
    timezone: "UTC",
    signal: controller.signal,
  });
  return fired;
}

describe("retrain schedules", () => {
  it("`every month` is the calendar month: the 1st at midnight, whatever the month's length", () => {
    const s = scheduleOf(1, "month");
    expect(s.pattern).toBe("0 0 1 * *");
    expect(nextFire(s, new Date("2024-01-31T12:00:00Z"), "UTC").toISOString()).toBe("2024-02-01T00:00:00.000Z");
    expect(nextFire(s, new Date("2024-02-01T00:00:00Z"), "UTC").toISOString()).toBe("2024-03-01T00:00:00.000Z");
    expect(nextFire(scheduleOf(2, "months"), new Date("2024-11-15T00:00:00Z"), "UTC").toISOString()).toBe("2025-01-01T00:00:00.000Z");
    // In a time zone, the boundary is that zone's midnight.
    expect(nextFire(s, new Date("2024-03-15T00:00:00Z"), "Europe/Paris").toISOString()).toBe("2024-03-31T22:00:00.000Z");
  });

  it("`every 2 days` is the second midnight after the last retrain; `every week` Monday midnight", () => {
    expect(nextFire(scheduleOf(2, "days"), new Date("2024-02-27T10:00:00Z"), "UTC").toISOString()).toBe("2024-02-29T00:00:00.000Z");
    expect(nextFire(scheduleOf(1, "week"), new Date("2024-02-28T00:00:00Z"), "UTC").toISOString()).toBe("2024-03-04T00:00:00.000Z");
    expect(nextFire(scheduleOf(3, "hours"), new Date("2024-02-28T23:30:00Z"), "UTC").toISOString()).toBe("2024-02-29T02:00:00.000Z");
  });

  it("the scheduler fires on calendar month boundaries with a fake clock", async () => {
    const fired = await watch({ start: "2024-01-31T12:00:00Z", specs: [spec("m", { schedule: scheduleOf(1, "month"), text: "every month" })], fires: 3 });
    expect(fired.map((f) => f.at)).toEqual(["2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z", "2024-04-01T00:00:00.000Z"]);
    expect(fired.every((f) => f.trigger.kind === "schedule" && f.trigger.text.startsWith("every month"))).toBe(true);
  });

  it("a condition fires once per monitor result newer than the last retrain; with the schedule due too, one retrain names both", async () => {
    const root = tempDir();
    storeMonitorResult(root, "m", "2024-01-31T23:00:00Z", { drift: 0.4, "latency p99": 12 });
    storeMonitorResult(root, "m", "2024-01-30T23:00:00Z", { drift: 0.1 });
    const s = spec("m", { schedule: scheduleOf(1, "day"), conditions: [{ key: "drift", op: ">", bound: 0.25, text: "drift > 0.25" }, { key: "latency p99", op: ">", bound: 50, text: "latency p99 > 50 ms" }] });
    // The drift result holds at once (no retrain yet).
    const fired = await watch({ start: "2024-02-01T00:00:00Z", specs: [s], root, fires: 2, pollMs: 60_000 });
    expect(fired[0].at).toBe("2024-02-01T00:00:00.000Z");
    expect(fired[0].trigger.text).toBe("drift > 0.25 (drift = 0.4)");
    // The drift result is older than that retrain now: the next retrain is the schedule's, the next midnight.
    expect(fired[1].at).toBe("2024-02-02T00:00:00.000Z");
    expect(fired[1].trigger.text).toMatch(/^every day/);

    // A monitor result written at midnight, when the daily schedule is due too: one retrain, naming both.
    const root2 = tempDir();
    const midnight = Date.parse("2024-02-01T00:00:00Z");
    const onSleep = (t: number) => {
      if (t >= midnight) storeMonitorResult(root2, "m", "2024-02-01T00:00:00Z", { drift: 0.3 });
    };
    const both = await watch({ start: "2024-01-31T23:59:30Z", specs: [s], root: root2, fires: 1, pollMs: 3_600_000, onSleep });
    expect(both).toHaveLength(1);
    expect(both[0].at).toBe("2024-02-01T00:00:00.000Z");
    expect(both[0].trigger).toEqual({ kind: "schedule", text: "every day (due 2024-02-01T00:00:00.000Z); drift > 0.25 (drift = 0.3)" });
  });

  it("`once` (lathe watch --once): one pass at the clock's time, a due condition fires once, then it returns without sleeping", async () => {
    const root = tempDir();
    storeMonitorResult(root, "m", "2024-02-01T00:00:00Z", { drift: 0.4 });
    const clock = fakeClock("2024-03-10T12:00:00Z", () => {
      throw new Error("a pass with `once` must not sleep");
    });
    const fired: { name: string; at: string; trigger: RetrainTrigger }[] = [];
    const last = new Map<string, Date>([["weekly", new Date("2024-02-20T08:00:00Z")]]);
    const run = () =>
      watchRetrains({
        specs: () => [
          spec("m", { conditions: [{ key: "drift", op: ">", bound: 0.25, text: "drift > 0.25" }] }),
          // Never retrained: with `once` a schedule counts from the last retrain, so it is not due.
          spec("fresh", { schedule: scheduleOf(1, "week"), text: "every week" }),
          // Last retrained three weeks ago: due.
          spec("weekly", { schedule: scheduleOf(1, "week"), text: "every week" }),
        ],
        signals: monitorFiles(root),
        lastRetrain: (name) => last.get(name),
        retrain: async (name, trigger) => {
          fired.push({ name, at: clock.now().toISOString(), trigger });
          last.set(name, clock.now());
        },
        clock,
        pollMs: 60_000,
        timezone: "UTC",
        signal: new AbortController().signal,
        once: true,
      });
    await run();
    expect(fired).toEqual([
      { name: "m", at: "2024-03-10T12:00:00.000Z", trigger: { kind: "condition", text: "drift > 0.25 (drift = 0.4)" } },
      { name: "weekly", at: "2024-03-10T12:00:00.000Z", trigger: { kind: "schedule", text: "every week (due 2024-02-26T00:00:00.000Z)" } },
    ]);
    // A second pass: the monitor result is older than the retrain it caused, the week has not come round again.
    await run();
    expect(fired).toHaveLength(2);
  });
});
