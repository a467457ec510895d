/**
 * Test helper: one representative spec per builder, built from small
 * deterministic inputs, plus a compile check that fails on any Vega-Lite warning.
 */
import { compile } from "vega-lite";
import {
  confusionMatrixChart,
  driftChart,
  driftColumn,
  featureImportanceChart,
  histogramChart,
  lossCurveChart,
  prCurveChart,
  predictedVsActualChart,
  residualsChart,
  rocCurveChart,
  scatterChart,
  topValuesChart,
  tuningResultsChart,
  type VegaLiteSpec,
} from "../../../runtime/charts/index.js";
import { rng } from "../../seeded-rng.js";

/** Builds every chart kind from fresh (but seeded) inputs. */
export function buildAll(): Record<string, VegaLiteSpec> {
  const r = rng(42);
  const actual = Float32Array.from({ length: 300 }, () => r() * 50);
  const predicted = Float32Array.from(actual, (v) => v + (r() - 0.5) * 10);
  const species = Array.from({ length: 300 }, (_, i) => ["Adelie", "Gentoo", "Chinstrap", null][i % 4]);
  return {
    confusion: confusionMatrixChart({ classes: ["Adelie", "Chinstrap", "Gentoo"], matrix: [[30, 2, 0], [1, 14, 3], [0, 0, 25]] }),
    roc: rocCurveChart({
      curves: [
        { label: "Adelie", fpr: [0, 0, 0.1, 0.5, 1], tpr: [0, 0.6, 0.9, 1, 1], auc: 0.93 },
        { label: "Gentoo", fpr: [0, 0.2, 1], tpr: [0, 0.8, 1], auc: 0.8 },
      ],
    }),
    pr: prCurveChart({ curves: [{ label: "yes", precision: [0.5, 0.66, 1, 1], recall: [1, 1, 0.5, 0], baseline: 0.5 }] }),
    loss: lossCurveChart({
      history: Array.from({ length: 12 }, (_, i) => ({ step: i + 1, loss: 1 / (i + 1), valLoss: 1.2 / (i + 1) + 0.05 })),
    }),
    importance: featureImportanceChart({ names: ["bill_length", "bill_depth", "flipper", "mass"], importance: [0.2, 0.35, 0.3, 0.15] }),
    predictedVsActual: predictedVsActualChart({ actual, predicted, target: "body mass" }),
    residuals: residualsChart({ actual, predicted, target: "body mass" }),
    histogram: histogramChart({ column: "body mass", values: [...actual, null, NaN] }),
    topValues: topValuesChart({ column: "species", values: species }),
    scatter: scatterChart({ x: { name: "actual", values: actual }, y: { name: "predicted", values: predicted }, color: { name: "species", values: species } }),
    drift: driftChart({
      columns: [
        { ...driftColumn("bill_length", Array.from(actual), Array.from(predicted, (v) => v + 8)), score: 0.31, method: "PSI", drifted: true },
        { ...driftColumn("species", species.slice(0, 150), species.slice(150).map((s) => (s === "Gentoo" ? "Emperor" : s))), score: 0.04, method: "JS", drifted: false },
      ],
    }),
    tuning: tuningResultsChart({
      metric: "f1",
      trials: [
        { trial: 1, score: 0.81, params: { trees: 50, max_depth: 4 } },
        { trial: 2, score: 0.86, params: { trees: 100, max_depth: 6 } },
        { trial: 3, score: 0.84, params: { trees: 200, max_depth: 4 } },
        { trial: 4, score: 0.9, params: { trees: 200, max_depth: 8 } },
      ],
    }),
  };
}

/** Compiles a spec to Vega, collecting every warning and error Vega-Lite reports. */
export function compileStrict(spec: VegaLiteSpec): { vega: object; problems: string[] } {
  const problems: string[] = [];
  let level = 0;
  const logger = {
    level(v?: number) {
      if (v === undefined) return level;
      level = v;
      return logger;
    },
    error: (...args: unknown[]) => (problems.push(`error: ${args.join(" ")}`), logger),
    warn: (...args: unknown[]) => (problems.push(`warn: ${args.join(" ")}`), logger),
    info: () => logger,
    debug: () => logger,
  };
  const out = compile(spec, { logger: logger as never });
  return { vega: out.spec, problems };
}
