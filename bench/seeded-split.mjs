// The benchmarks' seeded 70/15/15 split, drawn in Node so both sides (Lathe, python) get the same rows.
import { Rng } from "../dist/runtime/models/trees/prng.js";

/**
 * Row indices of a seeded 70/15/15 split: per class (one group of all rows when `byClass` is
 * false, for regression) a shuffled run cut at 70% and 85%; each part ascending.
 */
export function seededSplit(y, seed, byClass = true) {
  const rng = new Rng(seed);
  const groups = new Map();
  y.forEach((c, i) => {
    const key = byClass ? c : 0;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(i);
  });
  const parts = { train: [], validation: [], test: [] };
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const rows = groups.get(key);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    const a = Math.round(rows.length * 0.7);
    const b = Math.round(rows.length * 0.85);
    // concat, not push(...rows): a spread of 100k+ arguments overflows the stack.
    parts.train = parts.train.concat(rows.slice(0, a));
    parts.validation = parts.validation.concat(rows.slice(a, b));
    parts.test = parts.test.concat(rows.slice(b));
  }
  for (const p of Object.values(parts)) p.sort((a, b) => a - b);
  return parts;
}
