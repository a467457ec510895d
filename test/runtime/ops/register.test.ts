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

  it("moves aliases: `to ALIAS`, from another alias (`\"birds@staging\"`), and a rollback of one alias undoes this run's own promotion of it", async () => {
    const s = await open();
    expect((await s.run(program("evaluate m on test"))).error).toBeUndefined();
    const r = await s.run(`promote "birds" to staging\nregister m as "birds"\npromote "birds@staging" to production\npromote "birds" to staging\nrollback "birds@staging"\nrollback "birds@production" to version 2`);
    expect(r.error).toBeUndefined();
    expect(r.output!.results.map((x) => (x.kind === "registry" ? [x.action, x.alias ?? "champion", x.version, x.previous] : x.kind))).toEqual([
      ["promote", "staging", 1, undefined], ["register", "champion", 2, undefined], ["promote", "production", 1, undefined], ["promote", "staging", 2, 1], ["rollback", "staging", 1, 2], ["rollback", "production", 2, 1],
    ]);
    expect((await new ModelRegistry(s.store).names())[0].aliases).toEqual({ champion: 1, production: 2, staging: 1 });
    // A program's promotion says why: the asserts before it (none here).
    expect((await new ModelRegistry(s.store).changes("birds")).map((c) => c.reason)).toEqual(["no assert before it in the run", "no assert before it in the run", "no assert before it in the run", "no assert before it in the run", "undoes this run's own promotion", "back to version 2"]);
  });

  it("runs no registry step after a failed assert", async () => {
    const s = await open();
    const r = await s.run(program("assert m on test: accuracy >= 1.5"));
    expect(r.error?.kind).toBe("assert");
    expect(await new ModelRegistry(s.store).versions("birds")).toEqual([]);
  });
});
