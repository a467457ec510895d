/**
 * V8's collector, for the few places that know a lot of memory just died and that V8, seeing little
 * JavaScript allocated, would not collect soon: DuckDB's result chunks during a read
 * (`data/young-collection.ts`) and a tree learner's float32 columns once binned. Each DuckDB chunk is
 * native memory freed only when V8 collects its small JavaScript handle (bench/RESULTS.md, "What
 * training adds" and "The linear models' train step").
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { nativeMemory } from "./models/native-engine.js";

/** V8's `gc`, as `--expose-gc` gives it: a full collection, or with `{ type: "minor" }` the young generation's. */
type Collector = (options?: { type: "minor" | "major" }) => void;

/**
 * `global.gc` when node runs with `--expose-gc`, else taken once from a context made while the flag
 * was set (and unset again at once, so no other context gets a `gc`); undefined where V8 refuses.
 */
const collector: Collector | undefined = (() => {
  const global = (globalThis as { gc?: Collector }).gc;
  if (typeof global === "function") return global;
  try {
    setFlagsFromString("--expose-gc");
    const exposed: unknown = runInNewContext("typeof gc === 'function' ? gc : undefined");
    return typeof exposed === "function" ? (exposed as Collector) : undefined;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString("--no-expose-gc");
  }
})();

/**
 * A full collection now, when V8 allows it: after a learner drops arrays it no longer needs
 * (`TrainInput.releaseColumns`), so they leave RSS before training allocates, not whenever V8
 * next collects (training allocates little JS, so that could be never). 25–50 ms. Then the C
 * library's free pages go back to the system (`trimMemory`, 0.1–3 ms): glibc kept the freed arrays'
 * blocks, 16–18 MB after a 140k × 20 fit.
 */
export function collectGarbage(): void {
  collector?.();
  nativeMemory()?.trimMemory();
}

/** A collection of the young generation alone (≈ 0.1–1 ms): what frees the handles of data just read. */
export function collectYoung(): void {
  collector?.({ type: "minor" });
}
