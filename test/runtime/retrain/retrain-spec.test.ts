import { describe, expect, it } from "vitest";
import { parse } from "../../../language/parse.js";
import { conditionOf } from "../../../runtime/retrain/retrain-spec.js";
import { conditionsHolding } from "../../../runtime/retrain/signal-source.js";

describe("conditionOf", () => {
  it("keys a condition by the signal a monitor result records, qualifier defaulted, keeping the text as written", () => {
    const { program, diagnostics } = parse('retrain "m" when rss > 500 MB or when cpu > 90% or when latency > 50 ms or when latency p99 > 80 ms or when drift > 0.25');
    expect(diagnostics).toEqual([]);
    const s = program.statements[0];
    if (s.kind !== "retrain") throw new Error(s.kind);
    const conditions = s.triggers.flatMap((t) => (t.kind === "condition" ? [conditionOf(t.threshold)] : []));
    expect(conditions.map((c) => [c.key, c.bound, c.text])).toEqual([
      ["rss max", 500 * 2 ** 20, "rss > 500 MB"],
      ["cpu mean", 0.9, "cpu > 90%"],
      ["latency p50", 50, "latency > 50 ms"],
      ["latency p99", 80, "latency p99 > 80 ms"],
      ["drift", 0.25, "drift > 0.25"],
    ]);
    // A monitor result with the server's signals meets the memory condition.
    const held = conditionsHolding({ name: "m", at: new Date().toISOString(), signals: { "rss max": 600 * 2 ** 20, "cpu mean": 0.2, "latency p50": 10 } }, conditions, undefined);
    expect(held.map((h) => h.condition.text)).toEqual(["rss > 500 MB"]);
  });
});
