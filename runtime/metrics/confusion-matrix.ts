import { checkSameLength, toClassIndices } from "./class-labels.js";

/** k×k counts: `matrix[actual][predicted]`, rows and columns in class-index order (scikit-learn's layout). */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number[][] {
  checkSameLength(yTrue, yPred);
  const t = toClassIndices(yTrue, k, "yTrue");
  const p = toClassIndices(yPred, k, "yPred");
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < t.length; i++) m[t[i]][p[i]]++;
  return m;
}
