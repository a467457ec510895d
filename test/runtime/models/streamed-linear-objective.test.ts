import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openLinearObjective } from "../../../runtime/models/linear-objective.js";
import { BLOCK_ROWS, type PassData } from "../../../runtime/models/linear-pass.js";
import { SeededRandom } from "../../../runtime/models/seeded-random.js";
import { openStreamedLinearObjective } from "../../../runtime/models/streamed-linear-objective.js";
import { arrayBlocks } from "./array-blocks.js";

const rng = new SeededRandom(11);
const n = 7 * BLOCK_ROWS + 123;
const d = 5;
const k = 3;
const columns = Array.from({ length: d }, (_, j) => Float32Array.from({ length: n }, () => 10 * j + (j + 1) * rng.normal()));
const y = Float32Array.from({ length: n }, () => Math.floor(rng.next() * k));
const constants = { k, mean: Float64Array.from({ length: d }, (_, j) => 10 * j), scale: Float64Array.from({ length: d }, (_, j) => 1 / (j + 1)), loss: "softmax" as const, targetMean: 0, targetScale: 1, epsilon: 0 };
const inMemory: PassData = { ...constants, columns, n, y };
const w = Float64Array.from({ length: (d + 1) * k }, (_, q) => Math.sin(q + 1));

describe("the linear objective over streamed rows", () => {
  it("is the in-memory objective bit for bit, over streamed blocks of any whole number of 4,096-row blocks", async () => {
    const whole = await openLinearObjective(inMemory, 0.01, 1);
    try {
      const expected = await whole.objective(w);
      for (const blockRows of [BLOCK_ROWS, 3 * BLOCK_ROWS, 64 * BLOCK_ROWS]) {
        const streamed = openStreamedLinearObjective({ ...constants, data: arrayBlocks(columns, y, blockRows) }, 0.01, undefined, 1);
        const got = await streamed.objective(w);
        expect(got.loss).toBe(expected.loss);
        expect(got.grad).toEqual(expected.grad);
      }
    } finally {
      await whole.close();
    }
  });

  // Worker threads load the compiled worker (the build runs before the tests): two threads sum the same blocks.
  const compiled = fileURLToPath(new URL("../../../dist/runtime/models/streamed-linear-objective.js", import.meta.url));
  it.runIf(existsSync(compiled))("is the same on worker threads as on one thread", async () => {
    const { openStreamedLinearObjective: open } = (await import(compiled)) as typeof import("../../../runtime/models/streamed-linear-objective.js");
    const data = arrayBlocks(columns, y, 3 * BLOCK_ROWS);
    const objectives = [1, 2].map((threads) => open({ ...constants, data }, 0.01, undefined, threads));
    try {
      expect(objectives.map((o) => o.threads)).toEqual([1, 2]);
      const [a, b] = await Promise.all(objectives.map((o) => o.objective(w)));
      expect([b.loss, ...b.grad]).toEqual([a.loss, ...a.grad]);
    } finally {
      await Promise.all(objectives.map((o) => o.close()));
    }
  });
});
