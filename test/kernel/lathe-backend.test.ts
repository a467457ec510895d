import { describe, expect, it } from "vitest";
import { LatheBackend } from "../../kernel/lathe-backend.js";
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
