/**
 * Charts: plain data ─builder─▶ Vega-Lite v5 spec (data inline, summary in
 * `usermeta`) ─renderBundle─▶ { Vega-Lite JSON, SVG, PNG at 2×, text } for run records and files
 * ─chartDisplay─▶ { Vega-Lite JSON, PNG with its display size, text } for notebooks.
 */
export { chartDisplay, type ChartDisplay } from "./chart-display.js";
export { confusionMatrixChart, type ConfusionMatrixInput } from "./confusion-matrix-chart.js";
export { driftChart, driftColumn, type DriftChartInput, type DriftColumn } from "./drift-chart.js";
export { featureImportanceChart, type FeatureImportanceInput } from "./feature-importance-chart.js";
export { binEdges, countInBins, histogram, numericExtent, type Histogram } from "./histogram-bins.js";
export { histogramChart, type HistogramInput } from "./histogram-chart.js";
export { lossCurveChart, type LossChartInput, type LossPoint } from "./loss-curve-chart.js";
export { prCurveChart, type PrChartInput, type PrSeries } from "./pr-curve-chart.js";
export { predictedVsActualChart, type PredictedVsActualInput } from "./predicted-vs-actual-chart.js";
export { plainText, renderBundle, renderSvg, svgToPng, type RenderOptions } from "./render-bundle.js";
export { residualsChart, type ResidualsInput } from "./residuals-chart.js";
export { rocCurveChart, type RocChartInput, type RocSeries } from "./roc-curve-chart.js";
export { MAX_POINTS, sampleRows } from "./sample-rows.js";
export { scatterChart, type NamedColumn, type ScatterInput } from "./scatter-chart.js";
export { MISSING_LABEL, topValuesChart, valueCounts, type TopValuesInput } from "./top-values-chart.js";
export { tuningResultsChart, type Trial, type TuningChartInput } from "./tuning-results-chart.js";
export { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type ChartBundle, type NumericValues, type VegaLiteSpec } from "./types.js";
