/**
 * Drift between a reference and a current window, per feature and for the dataset.
 *
 * Methods, their statistic, default threshold and when a feature counts as drifted:
 *
 * | method        | kinds       | statistic                         | threshold | drifted when     |
 * |---------------|-------------|-----------------------------------|-----------|------------------|
 * | `ks`          | numeric     | KS D, p-value (`ks.ts`)           | 0.05      | p < threshold    |
 * | `chi2`        | categorical | Pearson χ², p-value (`chi2.ts`)   | 0.05      | p < threshold    |
 * | `psi`         | both        | PSI (`psi.ts`)                    | 0.1       | PSI ≥ threshold  |
 * | `wasserstein` | numeric     | W₁ / max(σ_ref, 0.001)            | 0.1       | stat ≥ threshold |
 * | `js`          | both        | Jensen–Shannon distance, base 2   | 0.1       | stat ≥ threshold |
 *
 * `auto` (Evidently's defaults, docs/design.md "Drift defaults"): with at most 1,000
 * reference rows, `ks` for numeric and `chi2` for categorical features; above, `wasserstein` and
 * `js`. "Reference rows" is the reference dataset's row count (missing values included), so every
 * feature of one dataset uses the same family. The dataset drifts when at least half of its
 * features drift.
 *
 * Missing values (null, NaN) are dropped before any statistic. A side with no present value left
 * is a coded error (`empty-window` for the current window, `empty-reference`), never a number.
 */
import { DataError } from "../errors.js";
import { chi2 } from "./chi2.js";
import { jensenShannonCategorical, jensenShannonNumeric } from "./jensen-shannon.js";
import { ks } from "./ks.js";
import { psi, psiCategorical } from "./psi.js";
import { type CategoricalValues, type NumericValues, emptyError } from "./values.js";
import { wassersteinNormalised } from "./wasserstein.js";

/** A feature's kind: numbers compared as distributions, or categories compared by frequency. */
export type FeatureKind = "numeric" | "categorical";

/** A drift statistic. */
export type DriftMethod = "ks" | "chi2" | "psi" | "wasserstein" | "js";

/** A method for every feature, `auto`, or one per kind. */
export type DriftMethodChoice = DriftMethod | "auto" | { numeric?: DriftMethod | "auto"; categorical?: DriftMethod | "auto" };

/** The drift of one feature. `pValue` is there for the tests (ks, chi2), whose threshold applies to it. */
export interface FeatureDrift {
  feature: string;
  kind: FeatureKind;
  method: DriftMethod;
  statistic: number;
  pValue?: number;
  threshold: number;
  drifted: boolean;
}

/** The drift of a dataset: whether it drifted, the share of drifted features, and each feature. */
export interface DatasetDrift {
  drifted: boolean;
  share: number;
  /** The share of drifted features at or above which the dataset drifts. */
  threshold: number;
  features: FeatureDrift[];
}

/** Options of a drift computation. */
export interface DriftOptions {
  method?: DriftMethodChoice;
  /** Per-method thresholds replacing the defaults. */
  thresholds?: Partial<Record<DriftMethod, number>>;
  /** The share of drifted features from which the dataset drifts (default ½). */
  datasetThreshold?: number;
}

/** The default threshold of each method. */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = { ks: 0.05, chi2: 0.05, psi: 0.1, wasserstein: 0.1, js: 0.1 };

/** Reference row counts up to this use the statistical tests under `auto`, above it the distances. */
export const AUTO_TEST_MAX_ROWS = 1000;

/** The default share of drifted features from which the dataset drifts. */
export const DATASET_DRIFT_SHARE = 0.5;

/** The PSI level customarily read as a major shift (the default threshold 0.1 marks a moderate one). */
export const PSI_ALERT = 0.25;

const allowedKinds: Record<DriftMethod, readonly FeatureKind[]> = {
  ks: ["numeric"],
  chi2: ["categorical"],
  psi: ["numeric", "categorical"],
  wasserstein: ["numeric"],
  js: ["numeric", "categorical"],
};

/** Whether a method's statistic is a p-value test (drift below the threshold) rather than a distance. */
export function isTest(method: DriftMethod): boolean {
  return method === "ks" || method === "chi2";
}

/** The method `choice` means for a feature of `kind` with `referenceRows` reference rows; a misfit is a coded error. */
export function resolveMethod(choice: DriftMethodChoice, kind: FeatureKind, referenceRows: number, feature?: string): DriftMethod {
  const chosen = typeof choice === "string" ? choice : (choice[kind] ?? "auto");
  if (chosen === "auto") {
    if (referenceRows <= AUTO_TEST_MAX_ROWS) return kind === "numeric" ? "ks" : "chi2";
    return kind === "numeric" ? "wasserstein" : "js";
  }
  if (!(chosen in allowedKinds)) throw new DataError(`unknown drift method \`${String(chosen)}\` (one of ks, chi2, psi, wasserstein, js, auto)`, undefined, "invalid-drift-method");
  if (!allowedKinds[chosen].includes(kind)) {
    const subject = feature === undefined ? `a ${kind} feature` : `\`${feature}\`, a ${kind} feature`;
    throw new DataError(`drift method \`${chosen}\` takes ${allowedKinds[chosen].join(" or ")} features, not ${subject}`, undefined, "invalid-drift-method");
  }
  return chosen;
}

/** A feature's result from its statistic, applying the threshold the way its method reads it. */
export function decide(feature: string, kind: FeatureKind, method: DriftMethod, statistic: number, pValue: number | undefined, thresholds?: Partial<Record<DriftMethod, number>>): FeatureDrift {
  const threshold = thresholds?.[method] ?? DEFAULT_THRESHOLDS[method];
  if (isTest(method)) return { feature, kind, method, statistic, pValue, threshold, drifted: (pValue as number) < threshold };
  return { feature, kind, method, statistic, threshold, drifted: statistic >= threshold };
}

/** One feature's drift between raw reference and current values. */
export function featureDrift(
  feature: string,
  kind: FeatureKind,
  reference: NumericValues | CategoricalValues,
  current: NumericValues | CategoricalValues,
  options: DriftOptions & { referenceRows?: number } = {},
): FeatureDrift {
  const method = resolveMethod(options.method ?? "auto", kind, options.referenceRows ?? reference.length, feature);
  try {
    const num = (v: NumericValues | CategoricalValues) => v as NumericValues;
    const cat = (v: NumericValues | CategoricalValues) => v as CategoricalValues;
    switch (method) {
      case "ks": {
        const r = ks(num(reference), num(current));
        return decide(feature, kind, method, r.statistic, r.pValue, options.thresholds);
      }
      case "chi2": {
        const r = chi2(cat(reference), cat(current));
        return decide(feature, kind, method, r.statistic, r.pValue, options.thresholds);
      }
      case "psi": {
        const s = kind === "numeric" ? psi(num(reference), num(current)) : psiCategorical(cat(reference), cat(current));
        return decide(feature, kind, method, s, undefined, options.thresholds);
      }
      case "wasserstein":
        return decide(feature, kind, method, wassersteinNormalised(num(reference), num(current)).statistic, undefined, options.thresholds);
      case "js": {
        const s = kind === "numeric" ? jensenShannonNumeric(num(reference), num(current)) : jensenShannonCategorical(cat(reference), cat(current));
        return decide(feature, kind, method, s, undefined, options.thresholds);
      }
    }
  } catch (e) {
    throw nameFeature(e, feature);
  }
}

/** Puts the feature's name into an empty-side error raised by a statistic that did not know it. */
export function nameFeature(e: unknown, feature: string): unknown {
  if (e instanceof DataError && (e.code === "empty-window" || e.code === "empty-reference")) return emptyError(e.code === "empty-window" ? "current" : "reference", feature);
  return e;
}

/** The dataset's verdict from its features' results. */
export function summarise(features: FeatureDrift[], datasetThreshold = DATASET_DRIFT_SHARE): DatasetDrift {
  const drifted = features.filter((f) => f.drifted).length;
  const share = features.length ? drifted / features.length : 0;
  return { drifted: features.length > 0 && share >= datasetThreshold, share, threshold: datasetThreshold, features };
}

/** A column of a dataset to compare: its kind and its reference and current values. */
export interface DriftColumn {
  feature: string;
  kind: FeatureKind;
  reference: NumericValues | CategoricalValues;
  current: NumericValues | CategoricalValues;
}

/**
 * Drift of a whole dataset from raw columns; `referenceRows` (default: the longest reference
 * column) is what `auto` compares with 1,000.
 */
export function datasetDrift(columns: DriftColumn[], options: DriftOptions & { referenceRows?: number } = {}): DatasetDrift {
  const referenceRows = options.referenceRows ?? Math.max(0, ...columns.map((c) => c.reference.length));
  const features = columns.map((c) => featureDrift(c.feature, c.kind, c.reference, c.current, { ...options, referenceRows }));
  return summarise(features, options.datasetThreshold);
}
