// vega-statistics ships no typings; Lathe uses only `bin` (Vega's "nice" bin boundaries).
declare module "vega-statistics" {
  export function bin(options: { extent: [number, number]; maxbins: number }): { start: number; stop: number; step: number };
}
