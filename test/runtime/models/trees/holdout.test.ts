import { describe, expect, test } from "vitest";
import { holdout } from "../../../../runtime/models/trees/holdout.js";

describe("holdout", () => {
  const y = Float32Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 1 : 0));

  test("holds out ⌈fraction·n⌉ rows, each class its share, both parts ascending and together every row", () => {
    const { train, validation } = holdout(y, 2, 0.15, 7);
    expect(validation.length).toBe(150);
    expect(validation.filter((i) => y[i] === 1).length).toBe(15);
    expect([...train, ...validation].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(train)).toEqual([...train].sort((a, b) => a - b));
    expect(Array.from(validation)).toEqual([...validation].sort((a, b) => a - b));
  });

  test("a seed fixes the rows; another seed draws others; regression draws from all rows", () => {
    expect(holdout(y, 2, 0.1, 7)).toEqual(holdout(y, 2, 0.1, 7));
    expect(holdout(y, 2, 0.1, 8).validation).not.toEqual(holdout(y, 2, 0.1, 7).validation);
    expect(holdout(y, 0, 0.1, 7).validation.length).toBe(100);
    // Always at least one row on each side.
    expect(holdout(Float32Array.of(1, 2), 0, 0.01, 1).validation.length).toBe(1);
    expect(holdout(Float32Array.of(1, 2), 0, 0.99, 1).train.length).toBe(1);
  });
});
