/**
 * Shared chart types. A chart is a Vega-Lite v5 spec with all data inline, so
 * the same object can go to a notebook, a run record or a static image.
 */
import type { TopLevelSpec } from "vega-lite";

/** A complete Vega-Lite v5 specification with inline data. */
export type VegaLiteSpec = TopLevelSpec;

/** One display bundle, keyed by MIME type, as Jupyter's display_data expects. */
export interface ChartBundle {
  "application/vnd.vegalite.v5+json": VegaLiteSpec;
  "image/svg+xml": string;
  /** Base64-encoded PNG, present unless disabled. */
  "image/png"?: string;
  "text/plain": string;
}

/**
 * A chart left undrawn because nothing would show or keep its image (a CLI run that keeps no
 * record and names no file): the Vega-Lite spec and the text, no SVG or PNG.
 */
export type UndrawnChart = Pick<ChartBundle, "application/vnd.vegalite.v5+json" | "text/plain"> & { "image/svg+xml"?: undefined; "image/png"?: undefined };

/** Whether a chart was drawn (has its SVG, and its PNG unless disabled). */
export const isDrawn = (b: ChartBundle | UndrawnChart): b is ChartBundle => typeof b["image/svg+xml"] === "string";

/** Notebook front ends render Vega-Lite v3–v5, not v6, so the schema is pinned. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** Default plot area, about 400 px wide as asked of every chart. */
export const CHART_WIDTH = 400;
export const CHART_HEIGHT = 300;

/** A numeric column as plain values: typed arrays from models and arrays from tables both fit. */
export type NumericValues = ArrayLike<number | null | undefined>;

/** The builders' own plain-text rendering, carried in the spec's `usermeta` so a bundle can show it. */
export interface ChartUsermeta {
  summary: string;
}
