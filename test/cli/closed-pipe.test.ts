import { spawn } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
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
  writeFileSync(path.join(dir, "p.lathe"), 'source penguins = read "new.json"\nshow penguins\n');
}, 120_000);

describe("stdout closed by its reader", () => {
  const run = () => readdirSync(path.join(root, "runs")).find((f) => f.endsWith(".jsonl"))!.replace(/\.jsonl$/, "");
  // One command of each way of printing (every command installs the same guard first in `main`;
  // each was checked by hand with its output closed): `runs show X | head -1` is the case.
  it.each([
    ["predict", ["predict", "penguins", "--input", "new.json"]],
    ["runs list", ["runs", "list"]],
    ["runs show", ["runs", "show", "RUN"]],
    ["models show", ["models", "show", "penguins"]],
    ["monitor --json", ["monitor", "penguins", "--json"]],
  ])("%s ends quietly with its own exit code, no stack trace", async (_, args) => {
    const r = await latheIntoClosedPipe([...args.map((a) => (a === "RUN" ? run() : a)), "--store", root], dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
  }, 120_000);

  it.each([
    ["fmt", ["fmt", "p.lathe"]],
    ["explain", ["explain", "p.lathe"]],
    ["--help", ["--help"]],
  ])("%s (no store) ends quietly too", async (_, args) => {
    const r = await latheIntoClosedPipe(args, dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
  }, 120_000);
});
