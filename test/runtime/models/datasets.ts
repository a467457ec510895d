import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { SeededRandom } from "../../../runtime/models/seeded-random.js";
import type { Matrix, Task } from "../../../runtime/models/types.js";

// The data files are not in the package exports, so resolve them from the project root.
const dataDir = join(fileURLToPath(new URL("../../../", import.meta.url)), "node_modules", "vega-datasets", "data");

/** A labelled table ready for a learner, with a seeded train/test split. */
export interface Dataset {
  task: Task;
  classes: string[];
  train: { x: Matrix; y: Float32Array };
  test: { x: Matrix; y: Float32Array };
}

type Row = Record<string, unknown>;

function toDataset(rows: Row[], features: string[], target: string, task: Task, seed: number, trainShare = 0.7): Dataset {
  const complete = rows.filter((r) => [...features, target].every((f) => r[f] !== null && r[f] !== undefined && r[f] !== ""));
  const classes = task === "classification" ? [...new Set(complete.map((r) => String(r[target])))].sort() : [];
  const order = new SeededRandom(seed).shuffle(Uint32Array.from(complete.keys()));
  const cut = Math.round(complete.length * trainShare);
  const part = (idx: Uint32Array) => ({
    x: {
      n: idx.length,
      names: features,
      columns: features.map((f) => Float32Array.from(idx, (i) => Number(complete[i][f]))),
    },
    y: Float32Array.from(idx, (i) =>
      task === "classification" ? classes.indexOf(String(complete[i][target])) : Number(complete[i][target]),
    ),
  });
  return { task, classes, train: part(order.subarray(0, cut)), test: part(order.subarray(cut)) };
}

function readCsv(file: string): Row[] {
  const [head, ...lines] = readFileSync(join(dataDir, file), "utf8").trim().split("\n");
  const names = head.split(",");
  return lines.map((line) => Object.fromEntries(line.split(",").map((v, j) => [names[j], v])));
}

/** Penguin species from the four body measurements (nulls dropped). */
export function penguins(seed = 42): Dataset {
  const rows = JSON.parse(readFileSync(join(dataDir, "penguins.json"), "utf8")) as Row[];
  const features = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"];
  return toDataset(rows, features, "Species", "classification", seed);
}

/** Car fuel economy (Miles_per_Gallon) from engine and weight columns (nulls dropped). */
export function cars(seed = 42): Dataset {
  const rows = JSON.parse(readFileSync(join(dataDir, "cars.json"), "utf8")) as Row[];
  const features = ["Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration"];
  return toDataset(rows, features, "Miles_per_Gallon", "regression", seed);
}

/** Seattle weather type from precipitation, temperatures and wind. */
export function seattleWeather(seed = 42): Dataset {
  const features = ["precipitation", "temp_max", "temp_min", "wind"];
  return toDataset(readCsv("seattle-weather.csv"), features, "weather", "classification", seed);
}

/** Share of predictions equal to the labels. */
export function accuracy(pred: Float32Array, y: Float32Array): number {
  let hit = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) hit++;
  return hit / y.length;
}

/** Coefficient of determination. */
export function r2(pred: Float32Array, y: Float32Array): number {
  let mean = 0;
  for (const v of y) mean += v / y.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    ssRes += (y[i] - pred[i]) ** 2;
    ssTot += (y[i] - mean) ** 2;
  }
  return 1 - ssRes / ssTot;
}

/** Share of the most frequent label: the accuracy of always guessing it. */
export function majorityRate(y: Float32Array): number {
  const counts = new Map<number, number>();
  for (const v of y) counts.set(v, (counts.get(v) ?? 0) + 1);
  return Math.max(...counts.values()) / y.length;
}
