import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reproduce } from "../../../api/reproduce.js";
import { Session } from "../../../api/session.js";
import { renderResult } from "../../../runtime/ops/index.js";
import { ServerSet } from "../../../runtime/serve/server-set.js";
import { servingSpecFile } from "../../../runtime/serve/serving-spec.js";
import { dataset, tempDir } from "../../helpers.js";
import { freePort, request } from "../serve/fixture.js";

// `serve` as a statement: it records the serving spec with the registered model; a host that starts
// servers (the kernel) serves at once.
const program = (gate: string, serve = 'serve "birds" port 18181') => `source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins { drop rows where Species is missing
  fill "Beak Length (mm)" with median }
split clean into train 80%, test 20% stratify by Species seed 1
model m = decision_tree predicting Species from train { features: "Beak Length (mm)" }
${gate}
register m as "birds"
promote "birds"
${serve}`;

let s: Session;
let root: string;
beforeAll(async () => {
  root = path.join(tempDir(), ".lathe");
  s = await Session.open({ root });
});
afterAll(() => s.close());

describe("the serve statement", () => {
  it("records the spec (name, alias or version, port, run) and says how to start it", async () => {
    const r = await s.run(program("evaluate m on test metrics accuracy"));
    expect(r.error).toBeUndefined();
    const result = r.output!.results.at(-1)!;
    expect(result).toMatchObject({ kind: "serving", name: "birds", ref: "birds", version: 1, port: 18181, spec: servingSpecFile(root, "birds") });
    expect(renderResult(result).summary).toMatch(/^birds \(now version 1\) to be served on port 18181, recorded in .*serving\/birds\.json: start it with `lathe serve birds`, or run the program with --serve$/);
    const spec = JSON.parse(readFileSync(servingSpecFile(root, "birds"), "utf8"));
    expect(spec).toEqual({ format: "lathe-serving-spec", name: "birds", port: 18181, recordedAt: expect.any(String), runId: r.runId });
    // A later serve of the same name replaces it: a pinned version, the default port.
    const again = await s.run('serve "birds" version 1');
    expect(again.error).toBeUndefined();
    expect(JSON.parse(readFileSync(servingSpecFile(root, "birds"), "utf8"))).toMatchObject({ name: "birds", version: 1, port: 8080 });
  });

  it("a name or version the registry does not have is an error at the statement", async () => {
    const r = await s.run('serve "bird"');
    expect(r.error).toMatchObject({ kind: "data", code: "unknown-model-name" });
    expect(r.error!.diagnostic?.span.line).toBe(1);
    expect((await s.run('serve "birds" version 9')).error).toMatchObject({ code: "unknown-version" });
    expect((await s.run('serve "birds@production"')).error).toMatchObject({ code: "unknown-alias" });
    // Once `promote ... to production` set it, the alias is served (and followed).
    const aliased = await s.run('promote "birds" to production\nserve "birds@production" port 18182');
    expect(aliased.error).toBeUndefined();
    expect(aliased.output!.results.at(-1)).toMatchObject({ kind: "serving", name: "birds", ref: "birds@production", version: 1, port: 18182 });
    expect(existsSync(servingSpecFile(root, "bird"))).toBe(false);
  });

  it("does not run after a failed assert, nor while a run is reproduced", async () => {
    const other = path.join(tempDir(), ".lathe");
    const t = await Session.open({ root: other });
    try {
      const failed = await t.run(program("assert m on test: accuracy >= 1.5"));
      expect(failed.error?.kind).toBe("assert");
      expect(existsSync(servingSpecFile(other, "birds"))).toBe(false);
      const passed = await t.run(program("assert m on test: accuracy >= 0.5", 'serve "birds" port 18182'));
      expect(passed.error).toBeUndefined();
      const spec = readFileSync(servingSpecFile(other, "birds"), "utf8");
      const again = await reproduce(t, (await t.store.load(passed.runId!))!);
      expect(again.outcome.output!.results.at(-1)).toEqual({ kind: "notice", message: expect.stringMatching(/^not run: `serve` changes the registry or a deployment/) });
      expect(readFileSync(servingSpecFile(other, "birds"), "utf8")).toBe(spec);
    } finally {
      t.close();
    }
  });

  it("where the host starts servers (the kernel), serves at once; the same spec again keeps the server", async () => {
    const servers = new ServerSet(root, () => undefined);
    const port = await freePort();
    try {
      const r = await s.run(`serve "birds" port ${port}`, { serving: { start: (spec) => servers.start(spec) } });
      expect(r.error).toBeUndefined();
      const result = r.output!.results[0] as { url: string; version: number };
      expect(result.url).toBe(`http://127.0.0.1:${port}`);
      expect(renderResult(r.output!.results[0]).summary).toBe(`serving birds (version 1) at ${result.url}`);
      expect((await request(result.url, { path: "/ready" })).json).toEqual({ ready: true, model: { name: "birds", version: 1 } });
      const again = await s.run(`serve "birds" port ${port}`, { serving: { start: (spec) => servers.start(spec) } });
      expect((again.output!.results[0] as { url: string }).url).toBe(result.url);
      expect((await servers.running()).size).toBe(1);
    } finally {
      await servers.closeAll();
    }
    expect(await servers.running()).toEqual(new Map());
  });
});
