import { describe, expect, test } from "vitest";
import { Rng } from "../../../../runtime/models/trees/prng.js";
import { SortScratch, sortFloats } from "../../../../runtime/models/trees/sort-floats.js";

/** Any float32 bit pattern but NaN: signs, zeros of both signs, denormals, infinities, duplicates. */
function values(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const bits = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const pick = rng.nextInt(6);
    bits[i] = pick === 0 ? 0x80000000 : pick === 1 ? 0 : pick === 2 ? bits[rng.nextInt(i + 1)] : rng.nextUint32();
  }
  const out = new Float32Array(bits.buffer);
  for (let i = 0; i < n; i++) if (Number.isNaN(out[i])) out[i] = rng.nextInt(2) ? Infinity : -1e-42;
  return out;
}

describe("sortFloats", () => {
  test("orders as Float32Array.prototype.sort does, bit for bit (−0 before +0), short and long arrays", () => {
    for (const n of [0, 1, 100, 2048, 5_001]) {
      const a = values(n, n + 1);
      const expected = a.slice().sort();
      const sorted = sortFloats(a.subarray(0));
      expect(sorted.buffer).toBe(a.buffer);
      expect(Buffer.from(a.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    }
  });

  test("one scratch reused across arrays, longer then shorter, sorts each as a fresh one does", () => {
    const scratch = new SortScratch();
    for (const n of [5_001, 3_000, 9_000, 2_048]) {
      const a = values(n, n + 7);
      const expected = a.slice().sort();
      sortFloats(a, scratch);
      expect(Buffer.from(a.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    }
    expect(scratch.keys.length).toBe(9_000);
  });

  test("sorts a view in place without touching the values around it", () => {
    const a = values(6_000, 9);
    const before = a.slice();
    sortFloats(a.subarray(1_000, 5_000));
    expect(Buffer.from(a.subarray(1_000, 5_000).buffer, 4_000, 16_000).equals(Buffer.from(before.subarray(1_000, 5_000).slice().sort().buffer))).toBe(true);
    expect(a.subarray(0, 1_000)).toEqual(before.subarray(0, 1_000));
    expect(a.subarray(5_000)).toEqual(before.subarray(5_000));
  });
});
