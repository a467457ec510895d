import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { claimRetrain } from "../../api/retrain.js";
import { parse } from "../../language/parse.js";
import { planRetrain } from "../../runtime/ops/retrain.js";
import { ModelRegistry } from "../../runtime/model-registry.js";
import { RunStore } from "../../runtime/run-store.js";
import { tempDir } from "../helpers.js";

describe("claimRetrain", () => {
  const dir = tempDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("challenges the version an alias names when given one, and moves only that alias (promoteIf on the alias)", async () => {
    const store = new RunStore(path.join(dir, ".lathe"));
    const registry = new ModelRegistry(store);
    for (const n of [1, 2]) await registry.register({ name: "m", runId: `run-${n}`, model: "m", algorithm: "decision_tree", task: "classification", artifact: store.putArtifact("model-m.json", "model", "json", `${n}`), metrics: [] });
    await registry.promote("m", 2, "run-2");
    await registry.promote("m", 1, "run-1", { alias: "production" });
    const trigger = { kind: "now" as const, text: "test" };
    const claim = await claimRetrain(store, "m", trigger, "production");
    if ("busy" in claim) throw new Error("a fresh store has no retrain running");
    expect([claim.alias, claim.champion.version]).toEqual(["production", 1]);
    claim.log.decide({ seq: 1, name: "m", trigger, startedAt: "", decidedAt: "", outcome: "failed", reason: "test" });
    await expect(claimRetrain(store, "m", trigger, "staging")).rejects.toMatchObject({ code: "unknown-alias" });
    await expect(claimRetrain(store, "m", trigger, "latest")).rejects.toMatchObject({ code: "invalid-alias" });
    // The promotion a winning retrain makes: compare-and-set on production, the champion untouched.
    await expect(registry.promoteIf("m", 2, 2, "run-3", { alias: "production" })).rejects.toMatchObject({ code: "champion-changed" });
    expect(await registry.promoteIf("m", 2, 1, "run-3", { alias: "production", reason: "won" })).toEqual({ name: "m", version: 2, previous: 1, alias: "production" });
    expect((await registry.names())[0].aliases).toEqual({ champion: 2, production: 2 });
  });

  it("a `retrain \"NAME@ALIAS\"` statement records the name and the alias it retrains against", async () => {
    const s = parse('retrain "m@production" every week').program.statements[0];
    expect(await planRetrain(s as Extract<typeof s, { kind: "retrain" }>, undefined as never)).toMatchObject({ name: "m", alias: "production" });
  });
});
