import { describe, expect, it } from "vitest";
import { confusionMatrixChart, lossCurveChart, renderBundle } from "../../../runtime/charts/index.js";

/** The contents of the first `<g>` whose class contains `markName`, up to its first closing tag. */
function markGroup(svg: string, markName: string): string {
  const start = svg.indexOf(`role-mark ${markName}`);
  expect(start, `mark ${markName} in SVG`).toBeGreaterThan(-1);
  return svg.slice(start, svg.indexOf("</g>", start));
}

function pngSize(png: Buffer): { width: number; height: number } {
  // IHDR is the first chunk: width and height are big-endian at bytes 16 and 20.
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("renderBundle", () => {
  const classes = ["setosa", "versicolor", "virginica"];
  const matrix = [
    [17, 0, 0],
    [0, 13, 4],
    [0, 2, 9],
  ];

  it("confusion matrix SVG has one rect per cell and every count as text", async () => {
    const bundle = await renderBundle(confusionMatrixChart({ classes, matrix }), { png: false });
    const svg = bundle["image/svg+xml"];
    expect(svg.startsWith("<svg")).toBe(true);
    const cells = markGroup(svg, "cells_marks");
    expect(cells.match(/<path /g)?.length).toBe(9);
    const texts = [...markGroup(svg, "counts_marks").matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(texts).toEqual(matrix.flat().map(String));
    for (const c of classes) expect(svg).toContain(`>${c}</text>`);
    expect(bundle["image/png"]).toBeUndefined();
  });

  it("bundle carries the Vega-Lite spec, a text table and a PNG", async () => {
    const spec = confusionMatrixChart({ classes, matrix });
    const bundle = await renderBundle(spec, { scale: 2 });
    expect(bundle["application/vnd.vegalite.v5+json"]).toBe(spec);
    const text = bundle["text/plain"];
    expect(text.split("\n")[0]).toBe("Confusion matrix");
    expect(text).toMatch(/versicolor\s+0\s+13\s+4/);
    const png = Buffer.from(bundle["image/png"]!, "base64");
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(5000);
    const svgWidth = Number(/<svg[^>]* width="(\d+)"/.exec(bundle["image/svg+xml"])![1]);
    expect(pngSize(png).width).toBe(svgWidth * 2);
  });

  it("PNG has text drawn when system fonts exist", async () => {
    // Equal-length titles give the same layout, so only drawn glyphs can tell the images apart.
    const history = [1, 2, 3].map((step) => ({ step, loss: 1 / step }));
    const a = await renderBundle(lossCurveChart({ history, title: "Alpha" }));
    const b = await renderBundle(lossCurveChart({ history, title: "Omega" }));
    expect(a["image/svg+xml"].replaceAll("Alpha", "Omega")).toBe(b["image/svg+xml"]);
    expect(a["image/png"]).not.toBe(b["image/png"]);
  });

  it("short runs get whole-number step ticks only", async () => {
    const history = [1, 2, 3].map((step) => ({ step, loss: 1 / step, valLoss: 1.1 / step }));
    const svg = (await renderBundle(lossCurveChart({ history }), { png: false }))["image/svg+xml"];
    const xAxis = svg.slice(svg.indexOf('aria-label="X-axis'), svg.indexOf('aria-label="Y-axis'));
    const labels = [...xAxis.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(["1", "2", "3", "Epoch"]);
  });

  it("clip-path ids do not depend on how many charts were rendered before", async () => {
    const clipped = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json" as const,
      title: "Clipped",
      data: { values: [{ x: 1, y: 5 }, { x: 3, y: 50 }] },
      mark: { type: "line" as const, clip: true },
      encoding: {
        x: { field: "x", type: "quantitative" as const },
        y: { field: "y", type: "quantitative" as const, scale: { domain: [0, 10] } },
      },
    };
    const first = (await renderBundle(clipped, { png: false }))["image/svg+xml"];
    const second = (await renderBundle(clipped, { png: false }))["image/svg+xml"];
    expect(first).toMatch(/clip-path="url\(#clip1\)"/);
    expect(second).toBe(first);
  });

  it("falls back to title and data rows for specs without a summary", async () => {
    const bundle = await renderBundle(
      {
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        title: "Plain",
        data: { values: [{ a: "x", b: 1.23456 }, { a: "y", b: 2 }] },
        mark: "bar",
        encoding: { x: { field: "a", type: "nominal" }, y: { field: "b", type: "quantitative" } },
      },
      { png: false },
    );
    // Numeric columns are right-aligned, header included.
    expect(bundle["text/plain"]).toBe("Plain\na      b\n-  -----\nx  1.235\ny      2");
  });
});
