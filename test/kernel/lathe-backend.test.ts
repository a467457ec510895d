import { rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LatheBackend } from "../../kernel/lathe-backend.js";
import { RunStore } from "../../runtime/run-store.js";
import { tempDir } from "../helpers.js";
import { cellContext } from "./cell-context.js";
import { freePort, predict, penguinRows, registeredStore, request } from "../runtime/serve/fixture.js";

const context = cellContext;

describe("serve in the Lathe kernel", () => {
  it("starts the server in the background, keeps it across cells, and closes it when the kernel shuts down", async () => {
    const root = await registeredStore();
    const backend = await LatheBackend.create({ store: root });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    try {
      const first = context(1);
      await backend.execute(`serve "penguins" port ${port}`, first.ctx);
      expect(first.stdout()).toMatch(new RegExp(`^serve "penguins" port ${port}: serving penguins \\(version 1\\) at ${url.replace(/\./g, "\\.")} \\(\\d+ ms\\)\\n$`));
      // The cell is done; the server goes on answering.
      expect((await predict(url, penguinRows()[0])).json.model).toEqual({ name: "penguins", version: 1 });
      const again = context(2);
      await backend.execute(`serve "penguins" port ${port}`, again.ctx);
      expect(again.stdout()).toContain(`serving penguins (version 1) at ${url}`);
      expect((await backend.servers.running()).size).toBe(1);
    } finally {
      await backend.shutdown();
    }
    await expect(request(url, { path: "/health" })).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});

describe("the run id in the Lathe kernel", () => {
  it("a cell that trains or evaluates says which run recorded it, in a line and in its outputs' metadata; a data cell records nothing", async () => {
    const dir = tempDir();
    const root = path.join(dir, ".lathe");
    const backend = await LatheBackend.create({ store: root });
    try {
      const data = context(1);
      await backend.execute('source r = sql "select i as x, i % 3 as y from range(300) t(i)"\nsplit r into a 70%, b 30% seed 1', data.ctx);
      expect(data.stdout()).not.toContain("recorded");
      expect(new RunStore(root).runIds()).toEqual([]);

      const train = context(2);
      const out = await backend.execute("model m = decision_tree predicting y from a {\n  features: x\n  task: classification\n}\nplot confusion of m on b\nevaluate m on b metrics accuracy", train.ctx);
      const ids = new RunStore(root).runIds();
      expect(ids).toHaveLength(1);
      expect(train.stdout().endsWith(`recorded as run ${ids[0]}\n`)).toBe(true);
      expect(train.ctx.resultMetadata).toEqual({ lathe: { run_id: ids[0] } });
      expect(out?.["text/plain"]).toMatch(/accuracy/);
      // The chart: Vega-Lite and a PNG shown at half its pixel size, with the run id.
      const chart = train.displays.find((d) => d.data["application/vnd.vegalite.v5+json"])!;
      expect(chart.data["image/svg+xml"]).toBeUndefined();
      expect(chart.opts.metadata).toMatchObject({ lathe: { run_id: ids[0] }, "image/png": { width: expect.any(Number), height: expect.any(Number) } });
    } finally {
      await backend.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
