import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lathe, LatheError, partDisplay } from "../../api/index.js";
import { Session } from "../../api/session.js";
import { renderResult } from "../../runtime/ops/index.js";
import { dataset, repo, tempDir } from "../helpers.js";

describe("lathe: the TypeScript notebook library", () => {
  const session = lathe.session({ record: false });
  afterAll(async () => (await session).close());
  const file = path.join(repo, "examples/penguins.lathe");

  it("returns metrics as an arquero table, charts as bundles and model handles", async () => {
    const s = await session;
    const r = await lathe.run(readFileSync(file, "utf8"), { file, session: s, display: false });
    expect(r.ok).toBe(true);
    expect(r.metrics.columnNames()).toEqual(["model", "data", "metric", "value"]);
    expect(r.metrics.array("metric")).toEqual(["accuracy", "precision", "recall", "f1"]);
    const accuracy = r.metrics.filter((d: { metric: string }) => d.metric === "accuracy").get("value", 0) as number;
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(r.charts[0].bundle["application/vnd.vegalite.v5+json"]).toMatchObject({ $schema: expect.stringContaining("/v5") });

    const species = r.models.species;
    expect(species).toMatchObject({ algorithm: "logistic_regression", task: "classification", target: "Species", classes: ["Adelie", "Chinstrap", "Gentoo"] });
    expect(await species.evaluate("test", ["accuracy"])).toEqual({ accuracy });
    const predictions = await species.predict("test");
    expect(predictions.columnNames()).toEqual(["actual", "predicted"]);
    const hits = predictions.objects().filter((p) => (p as { actual: string; predicted: string }).actual === (p as { predicted: string }).predicted).length;
    expect(hits / predictions.numRows()).toBe(accuracy);
    const importance = species.importance()!;
    expect(importance.numRows()).toBe(species.features.length);
    expect((importance.array("importance") as number[]).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(species.toJSON()).toMatchObject({ name: "species", featureColumns: species.features });
  });

  it("shows DATE values as dates in the text and HTML a notebook displays", async () => {
    const s = await session;
    const r = await lathe.run(`source d = sql "select DATE '2024-03-05' + i::INTEGER AS day from range(2) t(i)"\nshow d`, { session: s, display: false });
    const part = renderResult(r.results.find((x) => x.kind === "table")!).parts[0];
    const bundle = partDisplay(part).data;
    expect(bundle["text/plain"]).toMatch(/2024-03-05\s*\|?\n.*2024-03-06/);
    expect(bundle["text/html"]).toContain("2024-03-06");
    expect(bundle["text/plain"]).not.toContain("T00:00");
  });

  it("throws a LatheError holding each diagnostic with its caret", async () => {
    const s = await session;
    await expect(lathe.run("evaluate species on tset", { session: s, display: false })).rejects.toThrow(LatheError);
    await expect(lathe.run("evaluate species on tset", { session: s, display: false })).rejects.toThrow(/<cell>:1:21: error\[unknown-dataset\][\s\S]*\^\^\^\^/);
  });
});

describe("lathe.model", () => {
  const dir = tempDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads a registered model by name, alias or version: `NAME@staging` is the version staging names", async () => {
    const store = path.join(dir, ".lathe");
    const s = await Session.open({ root: store });
    try {
      const r = await s.run(`source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins { drop rows where "Flipper Length (mm)" is missing }
model tree = decision_tree predicting Species from clean { features: "Flipper Length (mm)"; max_depth: 2 }
register tree as "birds"
promote "birds" to staging
register tree as "birds"
promote "birds"`);
      expect(r.error).toBeUndefined();
    } finally {
      s.close();
    }
    expect((await lathe.model("birds@staging", { store })).version).toBe(1);
    expect((await lathe.model("birds", { store })).version).toBe(2);
    expect((await lathe.model("birds@latest", { store })).version).toBe(2);
    const staged = await lathe.model("birds@staging", { store });
    expect(staged.predict([{ "Flipper Length (mm)": 230 }]).array("predicted")).toEqual(["Gentoo"]);
    await expect(lathe.model("birds@production", { store })).rejects.toMatchObject({ code: "unknown-alias", message: expect.stringContaining("it has @staging (version 1), @champion (version 2) and @latest") });
  });
});
