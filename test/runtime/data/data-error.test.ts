import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dataErrorCodes } from "../../../runtime/data/data-error.js";
import { repo } from "../../helpers.js";

describe("data error codes", () => {
  it("are kebab-case and every one is documented in grammar.md's data error table", () => {
    const doc = readFileSync(path.join(repo, "grammar.md"), "utf8");
    const table = doc.slice(doc.indexOf("### Data errors"));
    for (const code of Object.keys(dataErrorCodes)) {
      expect(code).toMatch(/^[a-z]+(-[a-z0-9]+)+$/);
      expect(table, code).toContain(`| \`${code}\` |`);
    }
    const documented = [...table.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(dataErrorCodes).sort());
  });
});
