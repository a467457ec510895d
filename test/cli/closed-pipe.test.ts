import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { penguinRows, registeredStore } from "../runtime/serve/fixture.js";
import { repo, tempDir } from "../helpers.js";

/** Runs the CLI with its stdout piped to a reader that closes the pipe at once (as `| head` does once it has its lines). */
function latheIntoClosedPipe(args: string[], cwd: string): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, "bin/lathe.js"), ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, err }));
  });
}

let root: string;
let dir: string;
beforeAll(async () => {
  root = await registeredStore();
  dir = tempDir("lathe-closed-pipe-");
  writeFileSync(path.join(dir, "new.json"), JSON.stringify(penguinRows()));
  writeFileSync(path.join(dir, "p.lathe"), 'source penguins = read "penguins.json"\n');
}, 120_000);

describe("stdout closed by its reader", () => {
  it.each([
    ["predict", ["predict", "penguins", "--input", "new.json"]],
    ["runs list", ["runs", "list"]],
    ["fmt", ["fmt", "p.lathe"]],
    ["monitor --json", ["monitor", "penguins", "--json"]],
  ])("%s ends quietly with its own exit code, no stack trace", async (_, args) => {
    const r = await latheIntoClosedPipe([...args, ...(args[0] === "fmt" ? [] : ["--store", root])], dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
  }, 120_000);
});
