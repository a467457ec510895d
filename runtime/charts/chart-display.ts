import type { ChartBundle, UndrawnChart } from "./types.js";

/** What a notebook is sent for a chart: the MIME bundle and its display metadata. */
export interface ChartDisplay {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/**
 * A chart as a notebook output. Each front end picks the richest type it renders: JupyterLab and
 * VS Code the Vega-Lite JSON (interactive), the classic Notebook, GitHub's viewer and nbconvert's
 * HTML export the PNG. The SVG is left out: nbconvert (6.5) prefers it to the PNG and its sanitiser
 * then strips it to bare text, so a bundle holding it exports as a blank chart. The PNG is drawn at
 * 2× (`renderBundle`); its metadata gives the size to show it at, so it is sharp on high-density
 * screens and the size of the SVG on all. A bundle rendered without a PNG keeps its SVG; an undrawn
 * chart is its Vega-Lite JSON and text.
 */
export function chartDisplay(bundle: ChartBundle | UndrawnChart): ChartDisplay {
  const { "image/svg+xml": svg, "image/png": png, ...rest } = bundle;
  if (!png) return { data: svg === undefined ? rest : { ...rest, "image/svg+xml": svg }, metadata: {} };
  const size = svgSize(svg);
  return { data: { ...rest, "image/png": png }, metadata: size ? { "image/png": size } : {} };
}

/** The width and height Vega wrote on the root `<svg>`, in CSS pixels. */
function svgSize(svg: string): { width: number; height: number } | undefined {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(root)?.[1]);
  return width > 0 && height > 0 ? { width, height } : undefined;
}
