import { describe, expect, it } from "vitest";
import { learnerNames, loadLearner } from "../../../runtime/models/load-learner.js";
import { learners } from "../../../runtime/models/registry.js";

// `lathe run` trains through the lazy loader, model files decode through the registry: both must know the same learners.
describe("loadLearner", () => {
  it("knows the registry's learners, each as the registry holds it", async () => {
    expect([...learnerNames].sort()).toEqual(Object.keys(learners).sort());
    for (const name of learnerNames) expect(await loadLearner(name)).toBe(learners[name]);
  });

  it("gives undefined for a name it does not know, inherited ones included", async () => {
    expect(await loadLearner("no_such_learner")).toBeUndefined();
    expect(await loadLearner("toString")).toBeUndefined();
  });
});
