import { describe, expect, it } from "vitest";
import { KernelCache } from "../../../../runtime/models/kernel-svm/kernel-cache.js";

describe("KernelCache", () => {
  it("fills only what is missing and keeps columns until the budget needs their room", () => {
    // Room for 12 floats: three columns of 4.
    const cache = new KernelCache(4, 12 * 4);
    const a = cache.get(0, 4);
    expect(a.start).toBe(0);
    a.column.set([1, 2, 3, 4]);
    expect(cache.get(0, 4)).toMatchObject({ start: 4 });
    cache.get(1, 4);
    cache.get(2, 4);
    // Column 0 was used least recently; a fourth column evicts it, not column 1 or 2.
    cache.get(1, 4);
    cache.get(2, 4);
    expect(cache.get(3, 4).start).toBe(0);
    expect(cache.get(1, 4).start).toBe(4);
    expect(cache.get(0, 4).start).toBe(0);
  });

  it("grows a column cached for a prefix, keeping the prefix", () => {
    const cache = new KernelCache(6, 1 << 20);
    cache.get(2, 3).column.set([7, 8, 9]);
    const grown = cache.get(2, 6);
    expect(grown.start).toBe(3);
    expect(Array.from(grown.column.subarray(0, 3))).toEqual([7, 8, 9]);
    expect(cache.get(2, 5).start).toBe(5);
  });

  it("always has room for two whole columns, whatever the budget", () => {
    const cache = new KernelCache(100, 0);
    cache.get(0, 100).column.fill(1);
    cache.get(1, 100);
    expect(cache.get(0, 100).start).toBe(100);
  });
});
