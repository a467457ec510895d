/**
 * Rendering pipeline: Vega-Lite spec ─compile─▶ Vega spec ─View (headless,
 * renderer "none")─▶ SVG string ─resvg─▶ PNG. No canvas and no browser; the
 * PNG exists because GitHub's notebook viewer strips SVG/JS but shows images.
 */
import type * as ResvgModule from "@resvg/resvg-js";
import { createRequire } from "node:module";
import type * as Vega from "vega";
import type * as VegaLite from "vega-lite";
import { requireBundle, vendorBundle } from "../vendor-bundle.js";
import { summary, textTable } from "./text-table.js";
import type { ChartBundle, UndrawnChart, VegaLiteSpec } from "./types.js";

// Vega, Vega-Lite and resvg are CommonJS packages: an ES `import` makes Node pre-parse each for its
// export names (≈ 230 ms of CPU for the first two); `require` loads them as Node loads any CommonJS
// package. They are loaded on first use, so a chart that is only a spec and a text (`undrawnChart`,
// `plainText`) costs none of the ≈ 250 ms of loading them. Vega and Vega-Lite come from the build's
// one-file bundle of the installed versions when there is one (scripts/bundle-vendor.mjs), with its code
// cache (runtime/vendor-bundle.ts): ≈ 40 packages fewer to resolve and read, and little left to compile.
const require = createRequire(import.meta.url);
type Engines = { vega: typeof Vega; compile: typeof VegaLite.compile };
let engines: Engines | undefined;
const vegaEngines = () => (engines ??= loadVegaEngines());

function loadVegaEngines(): Engines {
  const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  const bundled = vendorBundle("vega", version("vega"), "vega-lite", version("vega-lite"));
  if (bundled) return requireBundle(bundled) as Engines;
  return { vega: require("vega") as typeof Vega, compile: (require("vega-lite") as typeof VegaLite).compile };
}

export interface RenderOptions {
  /** Include a PNG rendering (default true). */
  png?: boolean;
  /** PNG pixels per SVG pixel (default 2: sharp on high-density screens, shown at the SVG's size). */
  scale?: number;
}

/**
 * Vega draws text as generic "sans-serif"; resvg needs a concrete installed
 * family for it. DejaVu Sans ships with Debian's fontconfig; without any
 * system font the PNG still renders, only without text.
 */
const SANS_SERIF = "DejaVu Sans";

let renderQueue: Promise<unknown> = Promise.resolve();

/** Renders a spec to an SVG string with Vega's headless string renderer. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, compile } = vegaEngines();
  const { spec: vgSpec } = compile(spec);
  const run = async () => {
    const view = new vega.View(vega.parse(vgSpec), { renderer: "none" });
    try {
      // vega numbers clip paths and gradients with module-level counters; resetting
      // them per render (and rendering one chart at a time) makes the SVG repeatable.
      (vega as unknown as { resetSVGDefIds(): void }).resetSVGDefIds();
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  };
  const result = renderQueue.then(run, run);
  renderQueue = result.catch(() => undefined);
  return result;
}

/** Rasterises an SVG to PNG bytes with system fonts. */
export function svgToPng(svg: string, scale = 1): Buffer {
  if (!(scale > 0)) throw new RangeError(`scale must be positive, got ${scale}`);
  const { Resvg } = require("@resvg/resvg-js") as typeof ResvgModule;
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: SANS_SERIF, sansSerifFamily: SANS_SERIF },
  });
  return resvg.render().asPng();
}

/** A chart's drawn images: Vega's SVG and, unless left out, resvg's PNG in base64 (what a chart thread sends back). */
export interface ChartImages {
  svg: string;
  png?: string;
}

/** Draws a spec's images: the SVG, and the PNG at `scale` unless `png` is false. */
export async function drawImages(spec: VegaLiteSpec, opts: RenderOptions = {}): Promise<ChartImages> {
  const svg = await renderSvg(spec);
  return opts.png ?? true ? { svg, png: svgToPng(svg, opts.scale ?? 2).toString("base64") } : { svg };
}

/** The display bundle of a spec and its drawn images (the spec itself, not a copy). */
export function bundleOf(spec: VegaLiteSpec, images: ChartImages): ChartBundle {
  const bundle: ChartBundle = {
    "application/vnd.vegalite.v5+json": spec,
    "image/svg+xml": images.svg,
    "text/plain": plainText(spec),
  };
  if (images.png !== undefined) bundle["image/png"] = images.png;
  return bundle;
}

/** Compiles and renders a spec into one multi-MIME display bundle (Vega-Lite JSON, SVG, PNG, text), in this thread. */
export async function renderBundle(spec: VegaLiteSpec, opts: RenderOptions = {}): Promise<ChartBundle> {
  return bundleOf(spec, await drawImages(spec, opts));
}

/** Draws a chart into its display bundle: in this thread (`renderBundle`) or on a run's chart thread. */
export type DrawChart = (spec: VegaLiteSpec, opts?: RenderOptions) => Promise<ChartBundle>;

/** Loads Vega, Vega-Lite and resvg now instead of at the first chart (a chart thread, ahead of its first chart). */
export function loadEngines(): void {
  vegaEngines();
  require("@resvg/resvg-js");
}

/** A chart nobody will see as an image: its spec and its text, without loading Vega or resvg. */
export function undrawnChart(spec: VegaLiteSpec): UndrawnChart {
  return { "application/vnd.vegalite.v5+json": spec, "text/plain": plainText(spec) };
}

/** The builder's own summary if it left one in `usermeta`, else the title and the first rows of inline data. */
export function plainText(spec: VegaLiteSpec): string {
  const meta = spec.usermeta as { summary?: unknown } | undefined;
  if (typeof meta?.summary === "string") return meta.summary;
  const title = titleText(spec.title) ?? "Chart";
  const inline = (spec.data as { values?: unknown } | undefined)?.values;
  const values = Array.isArray(inline) ? (inline as Array<Record<string, unknown>>) : [];
  if (values.length === 0 || typeof values[0] !== "object" || values[0] === null) return title;
  const headers = Object.keys(values[0]);
  const shown = values.slice(0, 10).map((row) =>
    headers.map((h) => {
      const v = row[h];
      return typeof v === "number" ? v : v == null ? null : String(v);
    }),
  );
  const note = values.length > shown.length ? `first ${shown.length} of ${values.length} rows` : undefined;
  return summary(title, textTable(headers, shown), note);
}

function titleText(title: unknown): string | undefined {
  if (typeof title === "string") return title;
  if (Array.isArray(title)) return title.join(" ");
  if (title && typeof title === "object" && "text" in title) return titleText((title as { text: unknown }).text);
  return undefined;
}
