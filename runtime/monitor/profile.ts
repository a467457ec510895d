/**
 * The reference profile stored once with a registered model version, and drift of a current
 * window against it. Plain JSON (no typed arrays, no NaN): it can be written next to the model and
 * read by a server process or a report.
 *
 * What is exact, computed from the full reference: row count, missing count and share, min, max,
 * mean, population std, the quantiles (p1 … p99 and the deciles), the PSI bin edges and counts,
 * the 20-bin histogram, the category frequencies (top N and the `__other` bucket), the number of
 * distinct categories. So `psi`, `chi2` and `js` against a profile give exactly what they give
 * against the full reference, and the normalising std of `wasserstein` is the full reference's.
 *
 * What comes from the sample: `ks` (D and its p-value, whose n is the sample size) and the
 * Wasserstein distance itself, which need raw values. The sample is up to `sampleSize` rows (5,000
 * by default) drawn by reservoir sampling (Algorithm R) with a seeded generator, the same rows for
 * every feature, kept in row order: the same reference and seed give the same sample bit for bit.
 * A reference no larger than the sample is kept whole, so then every statistic is exact.
 */
import { DataError } from "../errors.js";
import { SeededRandom } from "../models/seeded-random.js";
import { chi2Counts } from "./chi2.js";
import {
  type DatasetDrift,
  type DriftMethodChoice,
  type DriftOptions,
  type FeatureDrift,
  type FeatureKind,
  decide,
  nameFeature,
  resolveMethod,
  summarise,
} from "./drift.js";
import { histogramCounts, histogramEdges, jensenShannon } from "./jensen-shannon.js";
import { ksSorted } from "./ks.js";
import { quantileSorted } from "./percentiles.js";
import { psiBinCounts, psiCounts, psiEdges } from "./psi.js";
import { type CategoricalValues, CategoryCounts, type NumericValues, categoryKey, countCategories, emptyError, isMissingNumber, pairwiseSum, presentNumbers } from "./values.js";
import { MIN_NORMALISING_STD, populationStd, wassersteinSorted } from "./wasserstein.js";

/** The profile format's version, bumped when its meaning changes. */
export const PROFILE_VERSION = 1;

/** Default bound on the sampled reference rows. */
export const DEFAULT_SAMPLE_SIZE = 5000;

/** Default number of categories kept by name; the rest share the `__other` bucket. */
export const DEFAULT_TOP_CATEGORIES = 100;

/** The name under which the categories beyond the top N (and current ones the reference never had) are counted. */
export const OTHER_CATEGORY = "__other";

/** The percentiles a numeric profile records besides its deciles. */
export const PROFILE_PERCENTILES = [1, 5, 25, 50, 75, 95, 99] as const;

/** Counts per bin with the edges that define the bins. */
export interface Binned {
  edges: number[];
  counts: number[];
}

/** What every feature profile records. */
interface FeatureProfileBase {
  feature: string;
  /** Reference rows, missing ones included. */
  count: number;
  missing: number;
  missingShare: number;
}

/** The profile of a numeric feature; the statistics are null when the reference has no present value. */
export interface NumericFeatureProfile extends FeatureProfileBase {
  kind: "numeric";
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Population standard deviation (ddof 0, `np.std`). */
  std: number | null;
  /** p1, p5, p25, p50, p75, p95, p99 (NumPy's linear percentiles). */
  quantiles: Record<`p${(typeof PROFILE_PERCENTILES)[number]}`, number> | null;
  /** The quantiles at 0, 0.1, …, 1 (eleven values, min and max included). */
  deciles: number[] | null;
  /** PSI bins: inner edges (distinct deciles 0.1…0.9) and reference counts of (−∞, e₁], …, (e_k, +∞). */
  psi: Binned | null;
  /** 20 equal-width bins over [min, max]: 21 edges, 20 reference counts. */
  histogram: Binned | null;
  /** The sampled rows' values (null where missing), in row order. */
  sample: (number | null)[];
}

/** The profile of a categorical feature (values compared by their string form). */
export interface CategoricalFeatureProfile extends FeatureProfileBase {
  kind: "categorical";
  /** Distinct present values. */
  distinct: number;
  /** The most frequent categories, most frequent first (ties by value), at most the top N. */
  categories: { value: string; count: number }[];
  /** Present reference values of the categories beyond the top N (the `__other` bucket). */
  otherCount: number;
  sample: (string | null)[];
}

/** One feature's profile. */
export type FeatureProfile = NumericFeatureProfile | CategoricalFeatureProfile;

/** The reference profile of a dataset. */
export interface ReferenceProfile {
  version: typeof PROFILE_VERSION;
  rows: number;
  sample: { size: number; seed: number; rows: number[] };
  features: FeatureProfile[];
}

/** Options of `buildProfile`. */
export interface ProfileOptions {
  /** Bound on the sampled rows (default 5,000). */
  sampleSize?: number;
  /** Seed of the reservoir sampling (default 0). */
  seed?: number;
  /** Categories kept by name (default 100). */
  topCategories?: number;
  /** Kinds by feature; without one, typed arrays and numbers are numeric, anything else categorical. */
  kinds?: Record<string, FeatureKind>;
}

/** A column as a caller reads it. */
export type ColumnValues = NumericValues | CategoricalValues;

/** A current window's column: its values, or a categorical one's counts. */
export type CurrentValues = ColumnValues | CategoryCounts;

/** Up to k row indices of 0..n−1 by reservoir sampling (Algorithm R), ascending. */
export function reservoirRows(n: number, k: number, seed: number): number[] {
  const size = Math.min(n, Math.max(0, Math.floor(k)));
  const rows = Array.from({ length: size }, (_, i) => i);
  if (n > size && size > 0) {
    const rng = new SeededRandom(seed);
    for (let i = size; i < n; i++) {
      const j = rng.int(i + 1);
      if (j < size) rows[j] = i;
    }
  }
  return rows.sort((a, b) => a - b);
}

function inferKind(values: ColumnValues): FeatureKind {
  if (ArrayBuffer.isView(values)) return "numeric";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    return typeof v === "number" || typeof v === "bigint" ? "numeric" : "categorical";
  }
  return "categorical";
}

/** The present values of a numeric column; a string, boolean or infinite value is a coded error. */
function checkedNumbers(values: ColumnValues, feature: string, side: string): Float64Array {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissingNumber(v as number | null)) continue;
    if ((typeof v !== "number" && typeof v !== "bigint") || !Number.isFinite(Number(v))) {
      throw new DataError(`\`${feature}\` is numeric but the ${side} holds ${JSON.stringify(String(v))} (row ${i + 1}); numeric features take finite numbers or missing values`, undefined, "invalid-value");
    }
  }
  return presentNumbers(values as NumericValues);
}

function numericProfile(feature: string, values: ColumnValues, rows: number[]): NumericFeatureProfile {
  const count = values.length;
  const present = checkedNumbers(values, feature, "reference");
  const missing = count - present.length;
  const sample = rows.map((r) => {
    const v = values[r] as number | bigint | null | undefined;
    return isMissingNumber(v) ? null : Number(v);
  });
  const base = { feature, kind: "numeric" as const, count, missing, missingShare: count ? missing / count : 0, sample };
  if (present.length === 0) return { ...base, min: null, max: null, mean: null, std: null, quantiles: null, deciles: null, psi: null, histogram: null };
  // np.mean's order: a pairwise sum, then one division.
  const mean = pairwiseSum(present) / present.length;
  const std = populationStd(present);
  const sorted = present.slice().sort();
  const quantiles = Object.fromEntries(PROFILE_PERCENTILES.map((p) => [`p${p}`, quantileSorted(sorted, p / 100)])) as NumericFeatureProfile["quantiles"];
  const deciles = Array.from({ length: 11 }, (_, k) => quantileSorted(sorted, k / 10));
  const edges = psiEdges(sorted);
  const hEdges = histogramEdges(sorted[0], sorted[sorted.length - 1]);
  const hCounts = histogramCounts(hEdges, sorted);
  return {
    ...base,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean,
    std,
    quantiles,
    deciles,
    psi: { edges, counts: psiBinCounts(edges, sorted) },
    // The outer bins of histogramCounts are empty for the reference itself.
    histogram: { edges: hEdges, counts: hCounts.slice(1, -1) },
  };
}

function categoricalProfile(feature: string, values: ColumnValues, rows: number[], top: number): CategoricalFeatureProfile {
  const count = values.length;
  const { counts, present } = countCategories(values as CategoricalValues);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = ranked.slice(0, Math.max(0, Math.floor(top)));
  const otherCount = ranked.slice(kept.length).reduce((s, [, c]) => s + c, 0);
  const missing = count - present;
  return {
    feature,
    kind: "categorical",
    count,
    missing,
    missingShare: count ? missing / count : 0,
    distinct: counts.size,
    categories: kept.map(([value, c]) => ({ value, count: c })),
    otherCount,
    sample: rows.map((r) => categoryKey(values[r] as string | null)),
  };
}

/**
 * The reference profile of the given columns (all of one length: the reference's rows). Missing
 * values are null/undefined, or NaN in numeric columns.
 */
export function buildProfile(columns: Record<string, ColumnValues>, options: ProfileOptions = {}): ReferenceProfile {
  const names = Object.keys(columns);
  const lengths = new Set(names.map((n) => columns[n].length));
  if (lengths.size > 1) throw new DataError(`the reference columns differ in length (${[...lengths].join(", ")} rows)`, undefined, "invalid-value");
  const rowCount = names.length ? columns[names[0]].length : 0;
  const seed = options.seed ?? 0;
  const size = options.sampleSize ?? DEFAULT_SAMPLE_SIZE;
  const rows = reservoirRows(rowCount, size, seed);
  const features = names.map((feature) => {
    const values = columns[feature];
    const kind = options.kinds?.[feature] ?? inferKind(values);
    return kind === "numeric" ? numericProfile(feature, values, rows) : categoricalProfile(feature, values, rows, options.topCategories ?? DEFAULT_TOP_CATEGORIES);
  });
  return { version: PROFILE_VERSION, rows: rowCount, sample: { size, seed, rows }, features };
}

/** The reference's and the current window's counts over a categorical profile's columns (its categories, then `__other`). */
export function profileCategoryTable(profile: CategoricalFeatureProfile, current: CategoricalValues | CategoryCounts): { reference: number[]; current: number[]; labels: string[] } {
  const index = new Map(profile.categories.map((c, i) => [c.value, i]));
  const other = profile.categories.length;
  const cur = new Array<number>(other + 1).fill(0);
  if (current instanceof CategoryCounts) for (const [k, n] of current.counts) cur[index.get(k) ?? other] += n;
  else
    for (let i = 0; i < current.length; i++) {
      const k = categoryKey(current[i]);
      if (k === null) continue;
      cur[index.get(k) ?? other]++;
    }
  return {
    reference: [...profile.categories.map((c) => c.count), profile.otherCount],
    current: cur,
    labels: [...profile.categories.map((c) => c.value), OTHER_CATEGORY],
  };
}

function profileFeatureDrift(profile: ReferenceProfile, f: FeatureProfile, current: CurrentValues, options: DriftOptions): FeatureDrift {
  const method = resolveMethod(options.method ?? "auto", f.kind, profile.rows, f.feature);
  const t = options.thresholds;
  if (f.kind === "numeric") {
    if (current instanceof CategoryCounts) throw new Error(`\`${f.feature}\` is numeric: its drift needs its values, not category counts`);
    const cur = checkedNumbers(current, f.feature, "current window");
    if (cur.length === 0) throw emptyError("current", f.feature);
    if (f.psi === null || f.histogram === null || f.std === null) throw emptyError("reference", f.feature);
    switch (method) {
      case "ks":
      case "wasserstein": {
        const sample = Float64Array.from(f.sample.filter((v): v is number => v !== null)).sort();
        if (sample.length === 0) throw emptyError("reference", f.feature);
        const sortedCur = cur.sort();
        if (method === "ks") {
          const r = ksSorted(sample, sortedCur);
          return decide(f.feature, f.kind, method, r.statistic, r.pValue, t);
        }
        const distance = wassersteinSorted(sample, sortedCur);
        return decide(f.feature, f.kind, method, distance / Math.max(f.std, MIN_NORMALISING_STD), undefined, t);
      }
      case "psi":
        return decide(f.feature, f.kind, method, psiCounts(f.psi.counts, psiBinCounts(f.psi.edges, cur)), undefined, t);
      case "js":
        return decide(f.feature, f.kind, method, jensenShannon([0, ...f.histogram.counts, 0], histogramCounts(f.histogram.edges, cur)), undefined, t);
      default:
        throw new Error(`unreachable: ${method} for a numeric feature`);
    }
  }
  const table = profileCategoryTable(f, current as CategoricalValues | CategoryCounts);
  if (table.current.every((c) => c === 0)) throw emptyError("current", f.feature);
  if (table.reference.every((c) => c === 0)) throw emptyError("reference", f.feature);
  switch (method) {
    case "chi2": {
      const r = chi2Counts(table.reference, table.current);
      return decide(f.feature, f.kind, method, r.statistic, r.pValue, t);
    }
    case "psi":
      return decide(f.feature, f.kind, method, psiCounts(table.reference, table.current), undefined, t);
    case "js":
      return decide(f.feature, f.kind, method, jensenShannon(table.reference, table.current), undefined, t);
    default:
      throw new Error(`unreachable: ${method} for a categorical feature`);
  }
}

/**
 * Drift of a current window (columns by feature name, a categorical one as values or as
 * `CategoryCounts`; extra columns ignored) against a reference profile, for every profiled feature and for the dataset. `auto` compares the profile's row count
 * with 1,000. A profiled feature missing from the window is a coded error (`missing-columns`).
 */
export function driftAgainstProfile(profile: ReferenceProfile, current: Record<string, CurrentValues>, method: DriftMethodChoice = "auto", options: Omit<DriftOptions, "method"> = {}): DatasetDrift {
  const absent = profile.features.filter((f) => !(f.feature in current)).map((f) => `\`${f.feature}\``);
  if (absent.length) throw new DataError(`the current window lacks ${absent.length === 1 ? "a column" : "columns"} the reference profile has: ${absent.join(", ")}`, undefined, "missing-columns");
  const features = profile.features.map((f) => {
    try {
      return profileFeatureDrift(profile, f, current[f.feature], { ...options, method });
    } catch (e) {
      throw nameFeature(e, f.feature);
    }
  });
  return summarise(features, options.datasetThreshold);
}
