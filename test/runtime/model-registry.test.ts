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
    expect(await reg.names()).toEqual([{ name: "a", versions: 2, latest: 2, champion: undefined }, { name: "b", versions: 1, latest: 1, champion: undefined }]);
  });

  it("promotes the latest version by default; a rollback returns to the champion before, however often", async () => {
    const { reg, add } = registry();
    for (const n of [1, 2, 3]) await add("a", n);
    expect(await reg.promote("a", 1, "r")).toEqual({ name: "a", version: 1, previous: undefined });
    expect(await reg.promote("a", undefined, "r")).toEqual({ name: "a", version: 3, previous: 1 });
    expect(await reg.promote("a", 2, "r")).toEqual({ name: "a", version: 2, previous: 3 });
    expect((await reg.champion("a"))?.version).toBe(2);
    expect(await reg.rollback("a", undefined, "r")).toEqual({ name: "a", version: 3, previous: 2 });
    expect(await reg.rollback("a", undefined, "r")).toEqual({ name: "a", version: 1, previous: 3 });
    await expect(reg.rollback("a", undefined, "r")).rejects.toThrow('"a" has no earlier champion than version 1 to roll back to');
    expect(await reg.rollback("a", 3, "r")).toEqual({ name: "a", version: 3, previous: 1 });
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
