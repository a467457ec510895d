import { describe, expect, it } from "vitest";
import { curveLine, sparkline } from "../../cli/run-show-text.js";

describe("loss curves in `runs show`", () => {
  it("draws a curve as a line of blocks, scaled between its lowest and highest values", () => {
    expect(sparkline([4, 3, 2, 1, 1])).toBe("█▆▃▁▁");
    expect(sparkline(Array.from({ length: 400 }, (_, i) => 400 - i))).toHaveLength(40);
    expect(curveLine({ model: "net", data: "validation", metric: "loss", unit: "epoch", steps: [1, 2, 3], values: [0.9, 0.2, 0.3] })).toBe("  net loss on validation: 3 epochs, 0.9000 → 0.3000 (lowest 0.2000 at epoch 2)  █▁▂");
  });

  it("a diverged training (NaN, null once read back from JSON) shows as dots, and the lowest is the lowest finite value", () => {
    expect(sparkline([NaN, 2, null, 1])).toBe("·█·▁");
    expect(curveLine({ model: "net", data: "train", metric: "loss", unit: "epoch", steps: [1, 2, 3], values: [NaN, 0.5, 0.25] })).toMatch(/lowest 0\.2500 at epoch 3\)  ·█▁$/);
  });
});
