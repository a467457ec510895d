import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repo } from "../helpers.js";

describe("commander", () => {
  // The built CLI (dist/), in a process of its own: commander comes from the build's bundle, none of the package's code (only its package.json, for the version).
  it("is loaded from the build's bundle, with the package's classes, and parses a command line", () => {
    const url = path.join(repo, "dist/cli/commander.js");
    const script = `
      import { createRequire } from "node:module";
      const { Command, CommanderError } = await import(${JSON.stringify(url)});
      let got;
      const program = new Command("lathe").exitOverride().configureOutput({ writeErr: () => {} });
      program.command("run <file>").option("--no-record").action((file, opts) => (got = { file, record: opts.record }));
      program.parse(["node", "lathe", "run", "job.lathe", "--no-record"]);
      let usage;
      try { program.parse(["node", "lathe", "nope"]); } catch (e) { usage = e instanceof CommanderError && e.code; }
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes("commander") && !f.endsWith("package.json")).map((f) => f.slice(f.lastIndexOf("/dist/") >= 0 ? f.lastIndexOf("/dist/") + 1 : f.indexOf("node_modules")));
      console.log(JSON.stringify({ got, usage, loaded }));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as { got: unknown; usage: unknown; loaded: string[] };
    expect(out.got).toEqual({ file: "job.lathe", record: false });
    expect(out.usage).toBe("commander.unknownCommand");
    expect(out.loaded).toHaveLength(1);
    expect(out.loaded[0]).toMatch(/^dist\/vendor\/commander-[\d.]+\.cjs$/);
  });
});
