import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseParams } from "../../cli/exit-codes.js";
import { repo, tempDir } from "../helpers.js";

describe("--param", () => {
  it("parses name=value into numbers, booleans and text", () => {
    expect(parseParams(["seed=7", "flag=true", "name=a=b", "empty=", "space= "])).toEqual({ seed: 7, flag: true, name: "a=b", empty: "", space: " " });
  });

  it("says what is wrong with a malformed --param, and exits 2", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "job.lathe"), "param seed = 1\n");
    for (const [arg, message] of [
      ["=5", "the name before `=` is missing"],
      ["seed", 'give "seed" a value'],
      ["a b=1", 'is not a param name'],
    ]) {
      for (const command of arg === "seed" ? ["run", "check", "explain"] : ["run"]) {
        const r = spawnSync(process.execPath, [path.join(repo, "bin/lathe.js"), command, "job.lathe", "--param", arg], { cwd: dir, encoding: "utf8" });
        expect(r.status, `${command} --param ${arg}`).toBe(2);
        expect(r.stderr).toContain(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    }
  });
});
