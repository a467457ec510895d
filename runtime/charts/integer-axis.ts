/**
 * Axis settings for counts of steps (epochs, trials). Vega-Lite 5 drops
 * `tickMinStep` on small domains (vega/vega-lite#9034), which gives ticks like
 * 1.4 epochs, so short runs list their steps explicitly.
 */

/** Explicit integer tick values for up to 15 distinct steps; beyond that the default nice ticks are already integers. */
export function integerAxis(steps: number[]): { values?: number[]; format: string } {
  const distinct = [...new Set(steps)].sort((a, b) => a - b);
  return distinct.length <= 15 ? { values: distinct, format: "d" } : { format: "d" };
}
