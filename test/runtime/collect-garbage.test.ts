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

  test("ChunkGarbage collects the young generation once the chunks read pass the threshold, not before", async () => {
    // 8 MB of young, unreachable buffers (few objects: no scavenge of V8's own comes between).
    const deadBuffers = () => {
      for (let i = 0; i < 128; i++) new Uint8Array(new ArrayBuffer(65536)).fill(1);
    };
    deadBuffers();
    await new Promise((resolve) => setImmediate(resolve));
    const before = process.memoryUsage().arrayBuffers;
    const garbage = new ChunkGarbage();
    // Two copies (native chunk and JS) of 2,048 rows × 20 DOUBLE columns: 640 KiB a chunk.
    const chunk = 2 * 2048 * 20 * 8;
    for (let i = 0; i < Math.floor((CHUNK_GARBAGE_BYTES - 1) / chunk); i++) garbage.read(2048, 20);
    expect(process.memoryUsage().arrayBuffers).toBeGreaterThan(before - 2 ** 20);
    garbage.read(2048, 20);
    expect(process.memoryUsage().arrayBuffers).toBeLessThan(before - 6 * 2 ** 20);
  });
});
