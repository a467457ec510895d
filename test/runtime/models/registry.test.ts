import { describe, expect, it } from "vitest";
import { algorithms, commonOptions, inRange } from "../../../language/catalog.js";
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
      // The common options (features, task, seed, validation) are the planner's, not the learner's.
      const options = Object.keys(spec.options).filter((k) => !Object.hasOwn(commonOptions, k));
      expect(options.sort()).toEqual(Object.keys(defaults).sort());
      for (const key of options) {
        const value = defaults[key];
        const type = spec.options[key].type;
        const fits =
          type === "number" ? typeof value === "number" :
          type === "integer" ? Number.isInteger(value) :
          type === "boolean" ? typeof value === "boolean" :
          type === "string" ? typeof value === "string" || typeof value === "number" :
          type === "integer-list" ? Array.isArray(value) && (value as unknown[]).every((v) => Number.isInteger(v)) :
          false;
        expect(fits, `${name}.${key}: default ${JSON.stringify(value)} is not a ${type}`).toBe(true);
        if (spec.options[key].choices && typeof value === "string") expect(spec.options[key].choices).toContain(value);
        // The default lies in the range the checker allows, so an option written as its default checks.
        const range = spec.options[key].range;
        for (const v of Array.isArray(value) ? value : [value]) if (range && typeof v === "number") expect(inRange(v, range), `${name}.${key}: default ${v} is outside its range`).toBe(true);
      }
    });
  }
});
