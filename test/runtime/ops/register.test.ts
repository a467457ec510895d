import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { ModelRegistry } from "../../../runtime/model-registry.js";
import { dataset, tempDir } from "../../helpers.js";

describe("register, promote and rollback in a program", () => {
  const sessions: Session[] = [];
  afterAll(() => sessions.forEach((s) => s.close()));
  const program = (gate: string) => `source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins { drop rows where Species is missing
  fill "Beak Length (mm)" with median }
split clean into train 80%, test 20% stratify by Species seed 1
model m = decision_tree predicting Species from train { features: "Beak Length (mm)" }
${gate}
register m as "birds"
promote "birds"`;

  async function open() {
    const s = await Session.open({ root: path.join(tempDir(), ".lathe") });
    sessions.push(s);
    return s;
  }

  it("keeps the metrics an assert computed with the version it registers", async () => {
    const s = await open();
    const r = await s.run(program("assert m on test: accuracy >= 0.5"));
    expect(r.error).toBeUndefined();
    const [v] = await new ModelRegistry(s.store).versions("birds");
    expect(v.metrics.map((m) => m.metric)).toEqual(["accuracy"]);
    expect(v.metrics[0].value).toBeGreaterThanOrEqual(0.5);
    // The run records the assert's values as metrics too.
    expect(r.output!.metrics).toEqual([{ model: "m", data: "test", metric: "accuracy", value: v.metrics[0].value }]);
  });

  it("a bare rollback undoes this run's own promotion", async () => {
    const s = await open();
    expect((await s.run(program("evaluate m on test"))).error).toBeUndefined();
    const r = await s.run(`register m as "birds"\npromote "birds"\nrollback "birds"`);
    expect(r.error).toBeUndefined();
    expect(r.output!.results.map((x) => (x.kind === "registry" ? [x.action, x.version, x.previous] : x.kind))).toEqual([["register", 2, undefined], ["promote", 2, 1], ["rollback", 1, 2]]);
    expect((await new ModelRegistry(s.store).champion("birds"))?.version).toBe(1);
  });

  it("runs no registry step after a failed assert", async () => {
    const s = await open();
    const r = await s.run(program("assert m on test: accuracy >= 1.5"));
    expect(r.error?.kind).toBe("assert");
    expect(await new ModelRegistry(s.store).versions("birds")).toEqual([]);
  });
});
