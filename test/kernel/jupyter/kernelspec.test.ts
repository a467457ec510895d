import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installKernelSpec, kernelSpecJson, uninstallKernelSpec } from "../../../kernel/jupyter/kernelspec.js";

const argv = [process.execPath, "/opt/lathe/bin/lathe.js", "kernel", "--connection-file", "{connection_file}"];

describe("kernelSpecJson", () => {
  it("writes argv, display name, language and signal interrupts by default", () => {
    expect(kernelSpecJson({ name: "lathe", displayName: "Lathe", argv })).toEqual({
      argv,
      display_name: "Lathe",
      language: "lathe",
      interrupt_mode: "signal",
      env: {},
      metadata: {},
    });
    expect(kernelSpecJson({ name: "lathe", displayName: "Lathe", argv, interruptMode: "message" }).interrupt_mode).toBe("message");
  });

  it("refuses relative paths, a missing {connection_file} and bad names", () => {
    expect(() => kernelSpecJson({ name: "lathe", displayName: "L", argv: ["node", ...argv.slice(1)] })).toThrow(/absolute/);
    expect(() =>
      kernelSpecJson({ name: "lathe", displayName: "L", argv: [process.execPath, "bin/lathe.js", "kernel", "{connection_file}"] }),
    ).toThrow(/absolute/);
    expect(() => kernelSpecJson({ name: "lathe", displayName: "L", argv: argv.slice(0, 4) })).toThrow(/connection_file/);
    expect(() => kernelSpecJson({ name: "Lathe Kernel", displayName: "L", argv })).toThrow(/name/);
  });
});

describe("installKernelSpec / uninstallKernelSpec", () => {
  const prefix = mkdtempSync(join(tmpdir(), "lathe-kernelspec-"));
  afterAll(() => rmSync(prefix, { recursive: true, force: true }));

  const listed = (): Record<string, { resource_dir: string }> => {
    const out = execFileSync("/usr/bin/jupyter", ["kernelspec", "list", "--json"], {
      env: { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter") },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return JSON.parse(out).kernelspecs;
  };

  it("installs through jupyter into a prefix, with resources, and removes it again", async () => {
    const logo = join(prefix, "logo-64x64.png");
    writeFileSync(logo, Buffer.from("89504e470d0a1a0a", "hex"));
    const dir = await installKernelSpec({ name: "lathe-spec-test", displayName: "Lathe (test)", argv, prefix, resources: [logo] });
    expect(dir).toBe(join(prefix, "share", "jupyter", "kernels", "lathe-spec-test"));
    expect(JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8")).argv).toEqual(argv);
    expect(existsSync(join(dir, "logo-64x64.png"))).toBe(true);
    expect(listed()["lathe-spec-test"]?.resource_dir).toBe(dir);

    // Installing again replaces the spec instead of failing.
    await installKernelSpec({ name: "lathe-spec-test", displayName: "Lathe (again)", argv, prefix });
    expect(JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8")).display_name).toBe("Lathe (again)");

    await uninstallKernelSpec("lathe-spec-test", { prefix });
    expect(existsSync(dir)).toBe(false);
  }, 30_000);

  it("reports a missing jupyter executable clearly", async () => {
    await expect(
      installKernelSpec({ name: "x", displayName: "x", argv, prefix, jupyter: "/nonexistent/jupyter" }),
    ).rejects.toThrow(/not found/);
  });
});
