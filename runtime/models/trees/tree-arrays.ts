/** A grown tree as flat arrays; node 0 is the root. */
export interface TreeArrays {
  /** Split feature, or -1 for a leaf. */
  feature: Int32Array;
  /** Rows with x <= threshold go left (mid-gap between the node's values; +Infinity splits missing from present). */
  threshold: Float32Array;
  /** Left child, or -1 for a leaf. */
  left: Int32Array;
  /** Right child; for a leaf, the offset of its output in `values`. */
  right: Int32Array;
  /** 1 when rows with a missing value go left. */
  missingLeft: Uint8Array;
  /** Leaf outputs: class probabilities (k per leaf) or the mean target (1 per leaf). */
  values: Float64Array;
  /** Total impurity decrease per feature, normalised to sum 1 (all zero for a single leaf). */
  importance: Float64Array;
}
