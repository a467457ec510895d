import type { IncomingMessage, ServerResponse } from "node:http";

/** A request the server refuses: an HTTP status, a kebab-case code and a sentence, plus any details (`problems`, `allow`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The JSON body of an error: `{ error: { code, message, ... } }`, never a stack trace. */
export function errorBody(e: HttpError): string {
  return JSON.stringify({ error: { code: e.code, message: e.message, ...e.details } });
}

/** Whether a Content-Type header names JSON (`application/json`, or `application/*+json`), whatever its parameters. */
export function isJsonType(header: string | undefined): boolean {
  if (!header) return false;
  if (header === "application/json") return true; // what nearly every client sends, without splitting it
  const type = header.split(";")[0].trim().toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/**
 * Reads a request's body as JSON, refusing more than `limit` bytes without reading the rest: a
 * declared length over it is refused before any byte is read, a longer body as soon as it passes.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => readJsonBodyThen(req, limit, (err, body) => (err ? reject(err) : resolve(body))));
}

/**
 * `readJsonBody` with a callback, called once: the server's request path, where a promise and its
 * microtasks per request cost a measurable share of a one-row prediction's CPU.
 */
export function readJsonBodyThen(req: IncomingMessage, limit: number, done: (err: Error | undefined, body?: unknown) => void): void {
  const tooLarge = () => new HttpError(413, "body-too-large", `the request body is over the limit of ${limit} bytes`, { limit }, { Connection: "close" });
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    // Nothing more of this connection is read: it closes after the answer.
    req.pause();
    return done(tooLarge());
  }
  let finished = false;
  const finish = (err: Error | undefined, body?: unknown) => {
    if (finished) return;
    finished = true;
    done(err, body);
  };
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (c: Buffer) => {
    size += c.length;
    if (size > limit) {
      req.removeListener("data", onData);
      req.pause();
      finish(tooLarge());
      return;
    }
    chunks.push(c);
  };
  req.on("data", onData);
  req.on("error", finish);
  // A client that goes away mid-body: no `end` will come.
  req.on("close", () => {
    if (!req.complete) finish(new Error("the client closed the connection before sending the whole body"));
  });
  req.on("end", () => {
    if (size > limit) return;
    const text = chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      return finish(new HttpError(400, "invalid-json", `the request body is not valid JSON: ${(e as Error).message}`));
    }
    finish(undefined, body);
  });
}

/** Sends a JSON answer with its length (and, while the server drains, `Connection: close`). */
export function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string | number>): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body), ...headers });
  res.end(body);
}
