/**
 * A kernel's messaging session: its id and user name in every header, and the
 * signer. Builds the frames of outgoing messages, parented to a request so
 * frontends can route outputs and replies to the right cell.
 */
import { randomUUID } from "node:crypto";
import { userInfo } from "node:os";
import { encodeMessage, makeHeader, type JupyterMessage, type Signer } from "./wire.js";

/** Optional parts of an outgoing message. */
export interface OutgoingOptions {
  /** Routing envelope: the request's identities for ROUTER replies, a topic for IOPub. */
  identities?: Buffer[];
  metadata?: Record<string, unknown>;
  buffers?: Buffer[];
}

/** Builds signed frames for messages sent by this kernel. */
export class Session {
  readonly id: string = randomUUID();
  readonly username: string = currentUser();

  constructor(readonly signer: Signer) {}

  /** Frames for a message of `msgType`, replying to (or caused by) `parent`. */
  frames(msgType: string, content: unknown, parent: JupyterMessage | undefined, opts: OutgoingOptions = {}): Buffer[] {
    return encodeMessage(
      {
        identities: opts.identities ?? [],
        header: makeHeader(msgType, this.id, this.username),
        parent_header: parent?.header ?? {},
        metadata: opts.metadata ?? {},
        content,
        buffers: opts.buffers,
      },
      this.signer,
    );
  }
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // Containers often run under a uid without a passwd entry.
    return process.env.USER ?? "kernel";
  }
}
