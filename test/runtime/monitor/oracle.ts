/**
 * Test helper for the drift statistics: SciPy/NumPy through Debian's /usr/bin/python3 (one
 * interpreter per test file, jobs batched) and seeded generators of the samples they compare.
 */
import { spawnSync } from "node:child_process";
import { SeededRandom } from "../../../runtime/models/seeded-random.js";

export { runSklearn as runPython, type SklearnJob as PythonJob } from "../metrics/sklearn-oracle.js";

/** Whether /usr/bin/python3 can import SciPy (scripts/setup-jupyter.sh installs python3-scipy). */
export function scipyAvailable(): boolean {
  return spawnSync("/usr/bin/python3", ["-c", "import scipy.stats, scipy.spatial"], { encoding: "utf8" }).status === 0;
}

/** The shapes of generated numeric samples. */
export type Shape = "normal" | "shifted" | "far" | "ties" | "binary" | "wide" | "exponential";

/** n draws of the given shape (the "current" side passes shift = 1 to move it). */
export function sample(rng: SeededRandom, n: number, shape: Shape, shift = 0): number[] {
  return Array.from({ length: n }, () => {
    switch (shape) {
      case "normal":
        return rng.normal();
      case "shifted":
        return rng.normal() + 0.15 * shift;
      case "far":
        return rng.normal() + 3 * shift;
      case "ties":
        return Math.floor(rng.next() * 5 + 0.6 * shift);
      case "binary":
        return rng.next() < 0.3 + 0.2 * shift ? 1 : 0;
      case "wide":
        return rng.normal() * (1 + shift);
      case "exponential":
        return -Math.log(1 - rng.next()) * (1 + 0.2 * shift);
    }
  });
}

/** n categorical draws over `categories` with weights tilted by `tilt` towards the later ones. */
export function categories(rng: SeededRandom, n: number, labels: string[], tilt = 0): string[] {
  const w = labels.map((_, i) => 1 + tilt * i);
  const total = w.reduce((a, b) => a + b, 0);
  return Array.from({ length: n }, () => {
    let u = rng.next() * total;
    for (let i = 0; i < labels.length; i++) {
      u -= w[i];
      if (u < 0) return labels[i];
    }
    return labels[labels.length - 1];
  });
}

export { SeededRandom };
