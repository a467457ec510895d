import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repo, tempDir } from "../helpers.js";

// `run`, `check`, `fmt` and `explain` take their program from a file or, as `-`, from standard
// input (grammar.md, "Paths"); a program file that cannot be read is a usage error with its cause.

const dir = tempDir("lathe-program-source-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, "points.csv"), "day,x\n2024-03-05,1\n2024-03-06,2\n");
mkdirSync(path.join(dir, "a-folder"));

function lathe(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [path.join(repo, "bin/lathe.js"), ...args], { cwd: dir, input, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// A relative path read from standard input resolves from the working directory.
const program = 'source points = read "points.csv"\nshow   points\n';

describe("a program on standard input (`-`)", () => {
  it("runs, with relative paths from the working directory and DATE values printed as dates", () => {
    const r = lathe(["run", "--no-record", "-"], program);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\[1\/2\] collect points: 2 rows, 2 columns/);
    expect(r.out).toMatch(/^\s+2024-03-05\s+1$/m);
  });

  it("is checked, formatted and explained; its diagnostics name <stdin>", () => {
    expect(lathe(["check", "-"], program)).toMatchObject({ code: 0, out: "<stdin>: ok\n" });
    const bad = lathe(["check", "-"], "show nothing\n");
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^<stdin>:1:6: error\[unknown-dataset\]/);
    expect(lathe(["fmt", "-"], program)).toMatchObject({ code: 0, out: 'source points = read "points.csv"\nshow points\n' });
    expect(lathe(["fmt", "--check", "-"], program)).toMatchObject({ code: 1, err: "<stdin>: not formatted\n" });
    expect(lathe(["fmt", "--write", "-"], program)).toMatchObject({ code: 2, err: expect.stringContaining("fmt --write rewrites a file") });
    const explained = lathe(["explain", "-"], program);
    expect(explained.code).toBe(0);
    expect(explained.out).toContain(path.join(dir, "points.csv"));
  });
});

describe("a program file that cannot be read", () => {
  it("is a usage error (exit 2) for run, check, fmt and explain, saying why", () => {
    for (const command of ["run", "check", "fmt", "explain"]) {
      expect(lathe([command, "missing.lathe"]), command).toMatchObject({ code: 2, out: "", err: "lathe: error[file-not-found]: cannot read missing.lathe: no such file\n" });
    }
    expect(lathe(["check", "a-folder"])).toMatchObject({ code: 2, out: "", err: "lathe: error[file-not-regular]: cannot read a-folder: is a directory\n" });
  });
});
