/**
 * What the ROC and precision-recall charts share: one line per class across the unit square,
 * coloured by class, each drawn through its points in the order given.
 */
import type { VegaLiteSpec } from "./types.js";

/** One layer of a layered Vega-Lite spec. */
type Layer = Extract<VegaLiteSpec, { layer: unknown }>["layer"][number];

/** An axis of the unit square: the points' field for it and its title. */
export interface CurveAxis {
  field: string;
  title: string;
}

/** Colour by the points' `series`, the legend listing the classes in the given order. */
export function classColor(names: string[]) {
  return { field: "series", type: "nominal" as const, title: "Class", sort: names };
}

/**
 * The per-class lines over points `{ series, i, [x.field], [y.field] }`. They are drawn in the
 * order of `i`: vertical runs share an x, so sorting by x alone would scramble them.
 */
export function classCurvesLayer(values: object[], x: CurveAxis, y: CurveAxis, names: string[]): Layer {
  return {
    name: "curves",
    data: { values },
    mark: { type: "line", interpolate: "linear" },
    encoding: {
      x: { field: x.field, type: "quantitative", title: x.title, scale: { domain: [0, 1] } },
      y: { field: y.field, type: "quantitative", title: y.title, scale: { domain: [0, 1] } },
      color: classColor(names),
      order: { field: "i", type: "quantitative" },
    },
  };
}
