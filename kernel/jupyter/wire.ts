/**
 * The Jupyter wire format (messaging spec 5.3):
 *
 *   [routing ids…, "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers…]
 *
 * The HMAC is the hex digest over the four JSON frames exactly as sent, keyed by
 * the connection file's key; an empty key disables signing.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

/** The delimiter frame between routing identities and the message proper. */
export const DELIMITER = "<IDS|MSG>";

/** The protocol version this server implements. */
export const PROTOCOL_VERSION = "5.3";

/** A message header. */
export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** A decoded message; `identities` are the ROUTER envelope used to address a reply. */
export interface JupyterMessage<C = Record<string, unknown>> {
  identities: Buffer[];
  header: MessageHeader;
  parent_header: MessageHeader | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** A message that failed to decode or verify; the server logs and drops it. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WireError";
  }
}

/** Signs and verifies message frames with the connection's key and scheme. */
export class Signer {
  private readonly key: Buffer;
  private readonly algorithm: string;

  constructor(key: string, scheme = "hmac-sha256") {
    if (!scheme.startsWith("hmac-")) throw new Error(`unsupported signature scheme ${scheme}`);
    this.key = Buffer.from(key, "utf8");
    this.algorithm = scheme.slice("hmac-".length);
    // Fail at start-up, not on the first message, if node lacks the digest.
    createHmac(this.algorithm, "probe");
  }

  /** Whether messages are signed at all (an empty key means no authentication). */
  get enabled(): boolean {
    return this.key.length > 0;
  }

  /** The hex signature of the four JSON frames. */
  sign(frames: readonly Buffer[]): string {
    if (!this.enabled) return "";
    const hmac = createHmac(this.algorithm, this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest("hex");
  }

  /** Constant-time check of a received signature. */
  verify(signature: Buffer, frames: readonly Buffer[]): boolean {
    if (!this.enabled) return true;
    const expected = Buffer.from(this.sign(frames), "utf8");
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
}

/** Serialises a message into ZeroMQ frames, signing it. */
export function encodeMessage(msg: Omit<JupyterMessage<unknown>, "buffers"> & { buffers?: Buffer[] }, signer: Signer): Buffer[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((part) =>
    Buffer.from(JSON.stringify(part), "utf8"),
  );
  return [
    ...msg.identities,
    Buffer.from(DELIMITER, "utf8"),
    Buffer.from(signer.sign(parts), "utf8"),
    ...parts,
    ...(msg.buffers ?? []),
  ];
}

/** Parses and verifies ZeroMQ frames into a message; throws {@link WireError}. */
export function decodeMessage(frames: readonly Buffer[], signer: Signer): JupyterMessage {
  const delimiter = frames.findIndex((frame) => frame.length === DELIMITER.length && frame.toString("utf8") === DELIMITER);
  if (delimiter < 0) throw new WireError("missing <IDS|MSG> delimiter");
  if (frames.length < delimiter + 6) throw new WireError(`expected 5 frames after the delimiter, got ${frames.length - delimiter - 1}`);
  const signature = frames[delimiter + 1]!;
  const parts = frames.slice(delimiter + 2, delimiter + 6);
  if (!signer.verify(signature, parts)) throw new WireError("invalid message signature");
  const [header, parent, metadata, content] = parts.map((part, i) => {
    try {
      return JSON.parse(part.toString("utf8")) as unknown;
    } catch {
      throw new WireError(`frame ${["header", "parent_header", "metadata", "content"][i]} is not JSON`);
    }
  });
  if (!isObject(header) || typeof header.msg_type !== "string" || typeof header.msg_id !== "string") {
    throw new WireError("header lacks msg_type or msg_id");
  }
  return {
    identities: frames.slice(0, delimiter),
    header: header as unknown as MessageHeader,
    parent_header: (isObject(parent) ? parent : {}) as unknown as MessageHeader,
    metadata: isObject(metadata) ? metadata : {},
    content: isObject(content) ? content : {},
    buffers: frames.slice(delimiter + 6),
  };
}

/** A fresh header for an outgoing message of this session. */
export function makeHeader(msgType: string, session: string, username: string): MessageHeader {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
