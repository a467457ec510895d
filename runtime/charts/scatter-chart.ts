import { sampleNote, sampleRows } from "./sample-rows.js";
import { summary, textTable } from "./text-table.js";
import { MISSING_LABEL } from "./top-values-chart.js";
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type NumericValues, type VegaLiteSpec } from "./types.js";

export interface NamedColumn<T> {
  name: string;
  values: ArrayLike<T>;
}

export interface ScatterInput {
  x: NamedColumn<number | null | undefined>;
  y: NamedColumn<number | null | undefined>;
  /** Optional colouring column: strings/booleans are categories, numbers a gradient. */
  color?: NamedColumn<string | number | boolean | null | undefined>;
  maxPoints?: number;
  title?: string;
}

/** Scatter plot of two numeric columns, optionally coloured by a third. */
export function scatterChart(input: ScatterInput): VegaLiteSpec {
  const { x, y, color } = input;
  const n = x.values.length;
  if (y.values.length !== n || (color && color.values.length !== n)) throw new RangeError("scatter columns differ in length");
  const title = input.title ?? `${y.name} vs ${x.name}`;
  // Fields are fixed names so column names with dots or brackets need no escaping.
  const sampled = sampleRows(n, input.maxPoints);
  const rows = sampled.filter((i) => isNumber(x.values, i) && isNumber(y.values, i));
  const colorIsNumeric = color !== undefined && Array.from(color.values).every((v) => v == null || typeof v === "number");
  const values = rows.map((i) => {
    const row: Record<string, number | string | boolean | null> = { x: x.values[i] as number, y: y.values[i] as number };
    // A missing category gets a readable legend entry; a missing number stays null (drawn without colour).
    if (color) row.color = color.values[i] ?? (colorIsNumeric ? null : MISSING_LABEL);
    return row;
  });
  const dropped = sampled.length - rows.length;
  const note = [sampleNote(n, sampled.length), dropped > 0 ? `${dropped} rows with a missing coordinate left out` : undefined]
    .filter((s) => s !== undefined)
    .join("; ") || undefined;
  const headers = color ? [x.name, y.name, color.name] : [x.name, y.name];
  const shown = values.slice(0, 10).map((v) => (color ? [v.x as number, v.y as number, v.color == null ? null : String(v.color)] : [v.x as number, v.y as number]));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: note ? { text: title, subtitle: note } : title,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values },
    mark: { type: "circle", opacity: 0.7, size: 30 },
    encoding: {
      x: { field: "x", type: "quantitative", title: x.name, scale: { zero: false } },
      y: { field: "y", type: "quantitative", title: y.name, scale: { zero: false } },
      ...(color ? { color: { field: "color", type: colorIsNumeric ? "quantitative" : "nominal", title: color.name } } : {}),
      tooltip: [
        { field: "x", type: "quantitative", title: x.name },
        { field: "y", type: "quantitative", title: y.name },
        ...(color ? [{ field: "color", type: colorIsNumeric ? ("quantitative" as const) : ("nominal" as const), title: color.name }] : []),
      ],
    },
    usermeta: { summary: summary(title, textTable(headers, shown), `${values.length} points drawn; first ${shown.length}:`) },
  };
}

function isNumber(values: NumericValues, i: number): boolean {
  const v = values[i];
  return v != null && Number.isFinite(v);
}
