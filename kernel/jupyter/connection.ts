/**
 * The connection file a Jupyter frontend writes before launching a kernel:
 * where to bind the five sockets and the key that signs every message.
 */
import { readFile } from "node:fs/promises";

/** The five channels of the messaging protocol. */
export type Channel = "shell" | "control" | "iopub" | "stdin" | "hb";

/** The parsed contents of a kernel connection file. */
export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  control_port: number;
  iopub_port: number;
  stdin_port: number;
  hb_port: number;
  kernel_name?: string;
}

const CHANNELS: Channel[] = ["shell", "control", "iopub", "stdin", "hb"];

/** Validates a parsed connection file, filling the fields older frontends omit. */
export function parseConnectionInfo(raw: unknown): ConnectionInfo {
  if (typeof raw !== "object" || raw === null) throw new Error("connection file: not a JSON object");
  const obj = raw as Record<string, unknown>;
  const transport = obj.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") {
    throw new Error(`connection file: unsupported transport ${JSON.stringify(transport)}`);
  }
  const info: ConnectionInfo = {
    transport,
    ip: typeof obj.ip === "string" ? obj.ip : "127.0.0.1",
    key: typeof obj.key === "string" ? obj.key : "",
    signature_scheme: typeof obj.signature_scheme === "string" ? obj.signature_scheme : "hmac-sha256",
    shell_port: 0,
    control_port: 0,
    iopub_port: 0,
    stdin_port: 0,
    hb_port: 0,
  };
  for (const channel of CHANNELS) {
    const port = obj[`${channel}_port`];
    if (typeof port !== "number" || !Number.isInteger(port) || port <= 0) {
      throw new Error(`connection file: ${channel}_port must be a positive integer`);
    }
    info[`${channel}_port`] = port;
  }
  if (typeof obj.kernel_name === "string") info.kernel_name = obj.kernel_name;
  return info;
}

/** Reads and validates a connection file. */
export async function readConnectionFile(path: string): Promise<ConnectionInfo> {
  const text = await readFile(path, "utf8");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`connection file ${path}: ${(err as Error).message}`);
  }
  return parseConnectionInfo(raw);
}

/** The ZeroMQ endpoint to bind for a channel (ipc endpoints are `ip-port` paths, as in jupyter_client). */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info[`${channel}_port`];
  return info.transport === "tcp" ? `tcp://${info.ip}:${port}` : `ipc://${info.ip}-${port}`;
}
