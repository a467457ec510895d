import { describe, expect, test } from "vitest";
import { collectGarbage } from "../../runtime/collect-garbage.js";

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
