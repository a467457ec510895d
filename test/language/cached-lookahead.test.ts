import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CachedLookahead, grammarFingerprint, pathNames } from "../../language/cached-lookahead.js";
import { chevrotain } from "../../language/chevrotain.js";
import { lookaheadPaths } from "../../language/lookahead-paths.js";
import { LatheParser } from "../../language/parser.js";

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../language/lookahead-paths.ts");
type Internals = { lookaheadStrategy: CachedLookahead; gastProductionsCache: Record<string, unknown> };

// The golden AST tests (examples, grammar.md) parse with the kept paths.
describe("lookahead paths kept ahead of time", () => {
  // A parser that computes every path, as Chevrotain would without the kept ones.
  const fresh = new LatheParser(null) as unknown as Internals;
  const rules = Object.values(fresh.gastProductionsCache) as Parameters<typeof grammarFingerprint>[0];
  const computed = pathNames(fresh.lookaheadStrategy.computed, grammarFingerprint(rules));

  it("are Chevrotain's paths for this grammar (UPDATE_GOLDEN=1 regenerates them)", () => {
    if (process.env.UPDATE_GOLDEN) {
      const text = readFileSync(file, "utf8").split("export const")[0];
      writeFileSync(file, `${text}export const lookaheadPaths: LookaheadPaths | undefined = ${JSON.stringify(computed)};\n`);
      return;
    }
    expect(lookaheadPaths).toEqual(computed);
  });

  it("cover every production, so a start computes none", () => {
    const kept = new LatheParser() as unknown as Internals;
    expect(kept.lookaheadStrategy.computed).toEqual({ alternations: {}, optionals: {} });
  });

  it("are ignored for another grammar: a changed fingerprint computes them all", () => {
    const strategy = new CachedLookahead(3, [], { ...lookaheadPaths!, grammar: "another" });
    strategy.initialize({ rules });
    const rule = rules.find((r) => r.name === "program")!;
    strategy.buildLookaheadForOptional({ prodOccurrence: 0, prodType: "Repetition", rule, maxLookahead: 3, dynamicTokensEnabled: false });
    expect(Object.keys(strategy.computed.optionals)).toEqual(["program:Repetition:0"]);
    expect(chevrotain.VERSION).toBe("11.2.0"); // the lookahead functions restate this version's
  });

});
