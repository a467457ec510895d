import { describe, expect, it } from "vitest";
import { algorithms } from "../../../language/catalog.js";
import { learners } from "../../../runtime/models/registry.js";

// The catalog is what the checker accepts and completion offers; the learners are what runs.
// An option missing from either side is a program that checks but fails, or one that cannot be written.
describe("the learner registry and the language catalog", () => {
  it("name the same algorithms", () => {
    expect(Object.keys(learners).sort()).toEqual(Object.keys(algorithms).sort());
  });

  for (const [name, spec] of Object.entries(algorithms)) {
    it(`agree on ${name}'s options and their types`, () => {
      const defaults = learners[name].defaults;
      const options = Object.keys(spec.options).filter((k) => k !== "features" && k !== "task");
      expect(options.sort()).toEqual(Object.keys(defaults).sort());
      for (const key of options) {
        const value = defaults[key];
        const type = spec.options[key].type;
        const fits =
          type === "number" ? typeof value === "number" :
          type === "integer" ? Number.isInteger(value) :
          type === "boolean" ? typeof value === "boolean" :
          type === "string" ? typeof value === "string" || typeof value === "number" :
          type === "number-list" ? Array.isArray(value) && value.every((v) => typeof v === "number") :
          false;
        expect(fits, `${name}.${key}: default ${JSON.stringify(value)} is not a ${type}`).toBe(true);
        if (spec.options[key].choices && typeof value === "string") expect(spec.options[key].choices).toContain(value);
      }
    });
  }
});
