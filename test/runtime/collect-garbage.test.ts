import { describe, expect, test } from "vitest";
import { ChunkGarbage, CHUNK_GARBAGE_BYTES, collectGarbage } from "../../runtime/collect-garbage.js";

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

  test("ChunkGarbage collects once the chunks read pass the threshold, not before", async () => {
    const garbage = new ChunkGarbage();
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
