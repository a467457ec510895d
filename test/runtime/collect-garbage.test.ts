import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { collectGarbage } from "../../runtime/collect-garbage.js";
import { nativeMemory } from "../../runtime/models/native-engine.js";

/** The process's resident memory in MB (Linux). */
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1]) / 1024;
/** V8's collection alone (collectGarbage trims too), taken as collect-garbage.ts takes it. */
const collector: () => void = (() => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  setFlagsFromString("--no-expose-gc");
  return gc;
})();

/** A WeakRef to an array nothing else holds, made in an earlier job (a ref's target lives to the end of the job that made it). */
async function deadArray(): Promise<WeakRef<Float64Array>> {
  const ref = new WeakRef(new Float64Array(1024));
  await new Promise((resolve) => setImmediate(resolve));
  return ref;
}

describe("collectGarbage", () => {
  test("collects an unreachable array at once (V8's collector exposed without --expose-gc)", async () => {
    const ref = await deadArray();
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });
});

describe("trimMemory", () => {
  test("gives the C library's freed blocks back to the system (glibc)", async () => {
    const native = nativeMemory();
    if (!native || process.platform !== "linux") return;
    // A freed 8 MB block raises glibc's mmap threshold to 8 MB: the 1 MB arrays after it come from its heap and stay when freed.
    let big: Float64Array | undefined = new Float64Array(1 << 20).fill(1);
    big = undefined;
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const arrays = Array.from({ length: 64 }, () => new Float64Array(1 << 17).fill(1));
    const held = rssMb();
    // Every other 1 MB array freed: holes below the ones kept, which glibc's own trim of its heap's top does not reach.
    for (let i = 0; i < 64; i += 2) arrays[i] = new Float64Array(0);
    collector();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const freed = rssMb();
    native.trimMemory();
    expect(big).toBeUndefined();
    // 32 MB of arrays freed: most stayed in RSS after the collection, and left with the trim.
    expect(held - freed).toBeLessThan(16);
    expect(freed - rssMb()).toBeGreaterThan(16);
    expect(arrays[63][0]).toBe(1);
  });
});
