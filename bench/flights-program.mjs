// The flights-3m program the benchmarks share (bench/flights.mjs, split-hash.mjs, clickhouse.mjs):
// a prepare with derives, a clip and two fitted steps (median fill, standard scale), then a split.

/** The program's prepare of `flights` into `f` and its split (`how`: e.g. "stratify by origin"; default plain), after a source line. */
export function flightsSteps(how = "") {
  return `
prepare f = flights {
  drop rows where delay is missing
  derive hour = hour(date)
  derive weekday = dayofweek(date)
  clip delay between -60 and 600
  fill distance with median
  scale distance standard
}
split f into train 80%, test 20% ${how}${how ? " " : ""}seed 42`;
}
