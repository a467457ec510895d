import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { endpoint, parseConnectionInfo, readConnectionFile } from "../../../kernel/jupyter/connection.js";

const ports = { shell_port: 5001, iopub_port: 5002, stdin_port: 5003, control_port: 5004, hb_port: 5005 };

describe("connection files", () => {
  it("reads a jupyter_client connection file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "conn-"));
    const file = join(dir, "kernel-1.json");
    writeFileSync(
      file,
      JSON.stringify({ ...ports, ip: "127.0.0.1", key: "k", transport: "tcp", signature_scheme: "hmac-sha256", kernel_name: "lathe" }),
    );
    const info = await readConnectionFile(file);
    expect(info).toMatchObject({ ...ports, key: "k", kernel_name: "lathe" });
    expect(endpoint(info, "shell")).toBe("tcp://127.0.0.1:5001");
    expect(endpoint(info, "hb")).toBe("tcp://127.0.0.1:5005");
  });

  it("defaults transport, ip, key and scheme like older frontends expect", () => {
    const info = parseConnectionInfo(ports);
    expect(info).toMatchObject({ transport: "tcp", ip: "127.0.0.1", key: "", signature_scheme: "hmac-sha256" });
  });

  it("builds ipc endpoints as ip-port paths", () => {
    const info = parseConnectionInfo({ ...ports, transport: "ipc", ip: "/tmp/kernel-x" });
    expect(endpoint(info, "iopub")).toBe("ipc:///tmp/kernel-x-5002");
  });

  it("rejects missing ports, unknown transports and non-objects", async () => {
    expect(() => parseConnectionInfo({ ...ports, hb_port: undefined })).toThrow(/hb_port/);
    expect(() => parseConnectionInfo({ ...ports, shell_port: "5001" })).toThrow(/shell_port/);
    expect(() => parseConnectionInfo({ ...ports, transport: "udp" })).toThrow(/transport/);
    expect(() => parseConnectionInfo([])).toThrow();
    const dir = mkdtempSync(join(tmpdir(), "conn-"));
    writeFileSync(join(dir, "bad.json"), "{not json");
    await expect(readConnectionFile(join(dir, "bad.json"))).rejects.toThrow(/bad\.json/);
  });
});
