import path from "node:path";
import { describe, expect, it } from "vitest";
import { ModelRegistry } from "../../runtime/model-registry.js";
import { RunStore } from "../../runtime/run-store.js";
import { tempDir } from "../helpers.js";

function registry() {
  const store = new RunStore(path.join(tempDir(), ".lathe"));
  const reg = new ModelRegistry(store);
  const add = (name: string, n: number) =>
    reg.register({ name, runId: `run-${n}`, model: "m", algorithm: "decision_tree", task: "classification", artifact: store.putArtifact("model-m.json", "model", "json", `{"n":${n}}`), metrics: [{ data: "test", metric: "accuracy", value: n / 10 }] });
  return { reg, add };
}

describe("the model registry", () => {
  it("numbers versions per name and keeps each version's run, model file and metrics", async () => {
    const { reg, add } = registry();
    expect((await add("a", 1)).version).toBe(1);
    expect((await add("a", 2)).version).toBe(2);
    expect((await add("b", 3)).version).toBe(1);
    const versions = await reg.versions("a");
    expect(versions.map((v) => [v.version, v.runId, v.champion])).toEqual([[1, "run-1", false], [2, "run-2", false]]);
    expect(versions[1].metrics).toEqual([{ data: "test", metric: "accuracy", value: 0.2 }]);
    expect(versions[1].artifact).toMatch(/[0-9a-f]{64}\.json$/);
    expect(await reg.names()).toEqual([{ name: "a", versions: 2, latest: 2, champion: undefined, aliases: {} }, { name: "b", versions: 1, latest: 1, champion: undefined, aliases: {} }]);
  });

  it("promotes the latest version by default; a rollback returns to the champion before, however often", async () => {
    const { reg, add } = registry();
    for (const n of [1, 2, 3]) await add("a", n);
    expect(await reg.promote("a", 1, "r")).toEqual({ name: "a", version: 1, previous: undefined, alias: "champion" });
    expect(await reg.promote("a", undefined, "r")).toEqual({ name: "a", version: 3, previous: 1, alias: "champion" });
    expect(await reg.promote("a", 2, "r")).toEqual({ name: "a", version: 2, previous: 3, alias: "champion" });
    expect((await reg.champion("a"))?.version).toBe(2);
    expect(await reg.rollback("a", undefined, "r")).toEqual({ name: "a", version: 3, previous: 2, alias: "champion" });
    expect(await reg.rollback("a", undefined, "r")).toEqual({ name: "a", version: 1, previous: 3, alias: "champion" });
    await expect(reg.rollback("a", undefined, "r")).rejects.toThrow('"a" has no earlier champion than version 1 to roll back to');
    expect(await reg.rollback("a", 3, "r")).toEqual({ name: "a", version: 3, previous: 1, alias: "champion" });
    expect((await reg.names())[0].champion).toBe(3);
  });

  it("refuses unknown names and versions with messages that say what exists", async () => {
    const { reg, add } = registry();
    await expect(reg.promote("nope", undefined, "r")).rejects.toThrow('no model is registered as "nope"');
    await add("a", 1);
    await add("a", 2);
    await expect(reg.promote("a", 7, "r")).rejects.toThrow('"a" has no version 7; it has versions 1 to 2');
    await expect(reg.rollback("a", undefined, "r")).rejects.toThrow('"a" has no champion to roll back from: promote a version first');
    expect(await reg.versions("nope")).toEqual([]);
  });
});

describe("the registry's own-version operations", () => {
  it("promotes the version a run names, even after other runs registered later ones", async () => {
    const { reg, add } = registry();
    const mine = await add("a", 1);
    await add("a", 2);
    await add("a", 3);
    expect(await reg.promote("a", mine.version, "run-1")).toEqual({ name: "a", version: 1, previous: undefined, alias: "champion" });
    expect((await reg.champion("a"))?.version).toBe(1);
  });

  it("undoes a run's own promotion, back to the champion before it; refuses when another process changed the champion since", async () => {
    const { reg, add } = registry();
    for (const n of [1, 2, 3]) await add("a", n);
    await reg.promote("a", 1, "run-1");
    await reg.promote("a", 2, "run-2");
    expect(await reg.undoPromotion("a", 2, "run-2")).toEqual({ name: "a", version: 1, previous: 2, alias: "champion" });
    expect((await reg.champion("a"))?.version).toBe(1);
    expect((await reg.changes("a")).at(-1)).toMatchObject({ seq: 3, action: "rollback", version: 1, previous: 2, undoes: 2, runId: "run-2" });

    await reg.promote("a", 2, "run-2");
    await reg.promote("a", 3, "run-3"); // another process, after run-2's promotion
    await expect(reg.undoPromotion("a", 2, "run-2")).rejects.toThrow(/the champion of "a" changed after this run promoted version 2: run run-3 promoted version 3; not rolling back another process's change/);
    expect((await reg.champion("a"))?.version).toBe(3);
    await expect(reg.undoPromotion("a", 3, "run-2")).rejects.toThrow(/run run-2 did not promote version 3 of "a"/);
  });

  it("refuses to undo a promotion that had no champion before it", async () => {
    const { reg, add } = registry();
    await add("b", 1);
    await reg.promote("b", 1, "run-1");
    await expect(reg.undoPromotion("b", 1, "run-1")).rejects.toThrow('"b" had no champion before this run promoted version 1: there is no earlier champion to roll back to');
  });

  it("keeps any name apart as its own folder: case, slashes and dots are encoded", async () => {
    const { nameKey } = await import("../../runtime/model-registry.js");
    expect(nameKey("penguin-species_2")).toBe("penguin-species_2");
    expect(nameKey("Penguin")).toBe("%50enguin");
    expect(nameKey("../x")).toBe("%2E%2E%2Fx");
    expect(nameKey("é")).toBe("%C3%A9");
    const { reg, add } = registry();
    await add("A/b", 1);
    await add("a/b", 2);
    expect((await reg.names()).map((n) => [n.name, n.versions])).toEqual([["A/b", 1], ["a/b", 1]]);
  });

  it("flags the status of the run behind each version", async () => {
    const store = new RunStore(path.join(tempDir(), ".lathe"));
    const reg = new ModelRegistry(store);
    const started = (id: string) => store.begin({ id, startedAt: new Date().toISOString(), programPath: "p", programText: "", programSha: "s", params: {}, seed: 1, versions: {}, data: {} }, {});
    const ok = started("20260101-000000-000001");
    const failed = started("20260101-000000-000002");
    for (const [id, rec] of [["20260101-000000-000001", ok], ["20260101-000000-000002", failed]] as const) {
      await reg.register({ name: "a", runId: id, model: "m", algorithm: "decision_tree", task: "classification", artifact: rec.sink.putArtifact("model-m.json", "model", "json", id), metrics: [] });
    }
    ok.end({ status: "succeeded" });
    failed.end({ status: "failed", error: "boom" });
    expect((await reg.versions("a")).map((v) => [v.version, v.runStatus])).toEqual([[1, "succeeded"], [2, "failed"]]);
  });

  it("moves each alias on its own history: production and staging roll back without touching the champion; `latest` cannot move", async () => {
    const { reg, add } = registry();
    for (const n of [1, 2, 3]) await add("a", n);
    await reg.promote("a", 1, "run-1");
    expect(await reg.promote("a", 2, "run-2", { alias: "production", reason: "asserts passed" })).toEqual({ name: "a", version: 2, previous: undefined, alias: "production" });
    await reg.promote("a", 3, undefined, { alias: "production", reason: "manual" });
    await reg.promote("a", 3, "run-3", { alias: "staging" });
    expect((await reg.names())[0]).toMatchObject({ champion: 1, aliases: { champion: 1, production: 3, staging: 3 } });
    expect((await reg.versions("a")).map((v) => [v.version, v.champion, v.aliases])).toEqual([[1, true, ["champion"]], [2, false, []], [3, false, ["production", "staging"]]]);
    expect(await reg.rollback("a", undefined, undefined, { alias: "production" })).toEqual({ name: "a", version: 2, previous: 3, alias: "production" });
    expect((await reg.aliased("a", "production"))?.version).toBe(2);
    expect([(await reg.champion("a"))?.version, (await reg.aliased("a", "staging"))?.version]).toEqual([1, 3]);
    await expect(reg.rollback("a", undefined, "r", { alias: "staging" })).rejects.toThrow('"a" has no earlier version of the alias "staging" than version 3 to roll back to');
    await expect(reg.rollback("a", undefined, "r", { alias: "canary" })).rejects.toThrow('"a" has no alias "canary" to roll back');
    await expect(reg.promote("a", 1, "r", { alias: "latest" })).rejects.toMatchObject({ code: "invalid-alias" });
    // A run undoes its own promotion of one alias even after another alias moved.
    await reg.promote("a", 1, "run-9", { alias: "staging" });
    await reg.promote("a", 2, "run-8");
    expect(await reg.undoPromotion("a", 1, "run-9", { alias: "staging" })).toEqual({ name: "a", version: 3, previous: 1, alias: "staging" });
    // The audit fields: who, which alias, which run (none from the command line), why; the champion's changes keep their old shape.
    const changes = await reg.changes("a");
    expect(changes[0]).not.toHaveProperty("alias");
    expect(changes[1]).toMatchObject({ alias: "production", runId: "run-2", reason: "asserts passed", user: expect.any(String), host: expect.any(String) });
    expect(changes[2]).toMatchObject({ alias: "production", reason: "manual" });
    expect(changes[2]).not.toHaveProperty("runId");
    expect((await reg.versions("a"))[0]).toMatchObject({ user: expect.any(String), host: expect.any(String) });
  });
});
