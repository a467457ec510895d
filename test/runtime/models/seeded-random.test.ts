import { describe, expect, it } from "vitest";
import { SeededRandom } from "../../../runtime/models/seeded-random.js";

describe("SeededRandom", () => {
  it("replays a seed exactly and differs across seeds", () => {
    const draw = (seed: number) => Array.from({ length: 5 }, ((r) => () => r.next())(new SeededRandom(seed)));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it("draws uniforms in [0, 1) with the right mean and normals with unit variance", () => {
    const r = new SeededRandom(1);
    let sum = 0;
    let sq = 0;
    let inRange = true;
    for (let i = 0; i < 20000; i++) {
      const u = r.next();
      inRange &&= u >= 0 && u < 1;
      sum += u;
      const z = r.normal();
      sq += z * z;
    }
    expect(inRange).toBe(true);
    expect(sum / 20000).toBeCloseTo(0.5, 1);
    expect(sq / 20000).toBeCloseTo(1, 1);
  });

  it("shuffles into a permutation", () => {
    const a = new SeededRandom(3).shuffle(Uint32Array.from({ length: 100 }, (_, i) => i));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...a]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
