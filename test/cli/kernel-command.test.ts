import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repo, tempDir } from "../helpers.js";

// The user's setup going wrong around the kernel is said in a line, never an internal error (70).

const dir = tempDir("lathe-kernel-command-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lathe(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repo, "bin/lathe.js"), ...args], { cwd: dir, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("lathe kernel", () => {
  it("uninstall with nothing installed says so and has nothing left to do (exit 0)", () => {
    const r = lathe(["kernel", "uninstall", "--prefix", path.join(dir, "no-such-prefix")]);
    expect(r).toMatchObject({ code: 0, out: "" });
    expect(r.err).toBe(`lathe: no kernel named lathe is installed under ${path.join(dir, "no-such-prefix")}; nothing to remove (\`jupyter kernelspec list\` shows what is)\n`);
  });

  it("start -f with a missing or broken connection file is a usage error naming the file", () => {
    const missing = lathe(["kernel", "start", "-f", path.join(dir, "missing.json")]);
    expect(missing).toMatchObject({ code: 2, out: "" });
    expect(missing.err).toMatch(/^lathe: error\[bad-connection-file\]: cannot read .*missing\.json: no such file \(Jupyter writes this file/);
    writeFileSync(path.join(dir, "broken.json"), '{"shell_port": 1');
    const broken = lathe(["kernel", "start", "-f", path.join(dir, "broken.json")]);
    expect(broken).toMatchObject({ code: 2, out: "" });
    expect(broken.err).toMatch(/^lathe: error\[bad-connection-file\]: connection file .*broken\.json: /);
  });

  it("install with a name Jupyter would refuse says why (exit 2)", () => {
    const r = lathe(["kernel", "install", "--name", "Not Valid", "--prefix", path.join(dir, "prefix")]);
    expect(r).toMatchObject({ code: 2, out: "", err: 'lathe: error[kernelspec]: kernel name "Not Valid" may only contain a-z, 0-9, ".", "_" and "-"\n' });
  });
});
