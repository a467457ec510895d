import { describe, expect, test } from "vitest";
import { getHeapStatistics } from "node:v8";
import { ChunkGarbage, CHUNK_GARBAGE_BYTES, collectGarbage, garbageLimit } from "../../runtime/collect-garbage.js";

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

  test("the limit is 16 MB, or the V8 heap's used size when larger", () => {
    const heap = getHeapStatistics().used_heap_size;
    expect(garbageLimit()).toBeGreaterThanOrEqual(Math.max(CHUNK_GARBAGE_BYTES, heap * 0.9));
    expect(garbageLimit()).toBeLessThanOrEqual(Math.max(CHUNK_GARBAGE_BYTES, heap * 1.1));
  });

  test("ChunkGarbage collects once the chunks read pass the threshold, not before", async () => {
    // The 16 MB floor (vitest's own heap may be larger than that).
    const garbage = new ChunkGarbage(() => CHUNK_GARBAGE_BYTES);
    const ref = await deadArray();
    // Two copies (native chunk and JS) of 2,048 rows × 20 DOUBLE columns: 640 KiB a chunk.
    const chunk = 2 * 2048 * 20 * 8;
    const below = Math.floor((CHUNK_GARBAGE_BYTES - 1) / chunk);
    for (let i = 0; i < below; i++) garbage.read(2048, 20);
    expect(ref.deref()).toBeDefined();
    // deref() keeps the target to the end of this job: read the last chunk in the next one.
    await new Promise((resolve) => setImmediate(resolve));
    garbage.read(2048, 20);
    expect(ref.deref()).toBeUndefined();
  });
});
