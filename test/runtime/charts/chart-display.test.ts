import { describe, expect, it } from "vitest";
import { chartDisplay, confusionMatrixChart, renderBundle } from "../../../runtime/charts/index.js";

describe("chartDisplay", () => {
  const spec = confusionMatrixChart({ classes: ["a", "b"], matrix: [[3, 1], [0, 4]] });

  it("sends Vega-Lite, a 2× PNG shown at the SVG's size, and text — not the SVG nbconvert would strip to a blank", async () => {
    const bundle = await renderBundle(spec);
    const { data, metadata } = chartDisplay(bundle);
    expect(Object.keys(data).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
    const svgWidth = Number(/<svg[^>]* width="(\d+)"/.exec(bundle["image/svg+xml"])![1]);
    const svgHeight = Number(/<svg[^>]* height="(\d+)"/.exec(bundle["image/svg+xml"])![1]);
    expect(metadata).toEqual({ "image/png": { width: svgWidth, height: svgHeight } });
    // IHDR: the PNG's pixel size, twice the size it is shown at.
    const png = Buffer.from(data["image/png"] as string, "base64");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([2 * svgWidth, 2 * svgHeight]);
  });

  it("keeps the SVG when the bundle has no PNG", async () => {
    const { data, metadata } = chartDisplay(await renderBundle(spec, { png: false }));
    expect(Object.keys(data).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/svg+xml", "text/plain"]);
    expect(metadata).toEqual({});
  });
});
