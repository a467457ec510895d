/** Small real data sets for the tree tests, as columnar typed arrays with a seeded split. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { Matrix } from "../../../../runtime/models/types.js";
import { Rng } from "../../../../runtime/models/trees/prng.js";

// The scores are the same for every learner's tests.
export { accuracy, r2 } from "../datasets.js";

export interface Dataset {
  x: Matrix;
  y: Float32Array;
  classes: string[];
}

const dataDir = (() => {
  const require = createRequire(import.meta.url);
  // The package exports only its build; the data directory sits beside it.
  return new URL("../data/", pathToFileURL(require.resolve("vega-datasets"))).pathname;
})();

function readJson(name: string): Record<string, unknown>[] {
  return JSON.parse(readFileSync(dataDir + name, "utf8")) as Record<string, unknown>[];
}

function toDataset(rows: Record<string, unknown>[], features: string[], target: string, classification: boolean): Dataset {
  const kept = rows.filter((r) => [...features, target].every((k) => r[k] !== null && r[k] !== undefined));
  const classes = classification ? [...new Set(kept.map((r) => String(r[target])))].sort() : [];
  const columns = features.map((f) => Float32Array.from(kept, (r) => Number(r[f])));
  const y = Float32Array.from(kept, (r) => (classification ? classes.indexOf(String(r[target])) : Number(r[target])));
  return { x: { n: kept.length, columns, names: features }, y, classes };
}

/** Penguin species from the four body measurements, rows with a missing value dropped. */
export function penguins(): Dataset {
  const features = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"];
  return toDataset(readJson("penguins.json"), features, "Species", true);
}

/** Miles per gallon from engine, weight and model year (as a year number). */
export function cars(): Dataset {
  const rows = readJson("cars.json").map((r) => ({ ...r, Year: new Date(String(r.Year)).getUTCFullYear() }));
  const features = ["Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration", "Year"];
  return toDataset(rows, features, "Miles_per_Gallon", false);
}

/** Rows `rows` of a dataset. */
export function take(d: Dataset, rows: Int32Array): Dataset {
  return {
    x: { n: rows.length, columns: d.x.columns.map((c) => Float32Array.from(rows, (i) => c[i])), names: d.x.names },
    y: Float32Array.from(rows, (i) => d.y[i]),
    classes: d.classes,
  };
}

/** A seeded shuffle split: the first `fraction` of a permutation trains, the rest tests. */
export function split(d: Dataset, fraction: number, seed: number): { train: Dataset; test: Dataset } {
  const order = Int32Array.from({ length: d.x.n }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const cut = Math.round(d.x.n * fraction);
  return { train: take(d, order.subarray(0, cut)), test: take(d, order.subarray(cut)) };
}
