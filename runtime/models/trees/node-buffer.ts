import type { TreeArrays } from "./tree-arrays.js";

/**
 * The node arrays of a tree being grown (both tree builders'): split feature, threshold, children
 * and missing side per node, doubled in place as nodes are added, trimmed by `finish`.
 */
export class NodeBuffer {
  count = 0;
  feature = new Int32Array(64);
  threshold = new Float32Array(64);
  left = new Int32Array(64);
  right = new Int32Array(64);
  missingLeft = new Uint8Array(64);

  /** Starts a new tree. */
  reset(): void {
    this.count = 0;
  }

  /** A new node's id (its place in the arrays). */
  add(): number {
    if (this.count === this.feature.length) {
      const cap = this.count * 2;
      const grow = <T extends Int32Array | Float32Array | Uint8Array>(a: T, make: (len: number) => T): T => {
        const b = make(cap);
        b.set(a as never);
        return b;
      };
      this.feature = grow(this.feature, (len) => new Int32Array(len));
      this.threshold = grow(this.threshold, (len) => new Float32Array(len));
      this.left = grow(this.left, (len) => new Int32Array(len));
      this.right = grow(this.right, (len) => new Int32Array(len));
      this.missingLeft = grow(this.missingLeft, (len) => new Uint8Array(len));
    }
    return this.count++;
  }

  /** Makes node `id` a split: rows with x[feature] <= threshold (and missing ones when `missingLeft`) go to `left`. */
  split(id: number, feature: number, threshold: number, left: number, right: number, missingLeft: boolean): void {
    this.feature[id] = feature;
    this.threshold[id] = threshold;
    this.left[id] = left;
    this.right[id] = right;
    this.missingLeft[id] = missingLeft ? 1 : 0;
  }

  /** Makes node `id` a leaf whose output starts at `offset` of the tree's values. */
  leaf(id: number, offset: number): void {
    this.split(id, -1, 0, -1, offset, false);
  }

  /** The grown tree: its nodes trimmed, with its leaf values and feature importance. */
  finish(values: Float64Array, importance: Float64Array): TreeArrays {
    const c = this.count;
    return {
      feature: this.feature.slice(0, c),
      threshold: this.threshold.slice(0, c),
      left: this.left.slice(0, c),
      right: this.right.slice(0, c),
      missingLeft: this.missingLeft.slice(0, c),
      values,
      importance,
    };
  }
}
