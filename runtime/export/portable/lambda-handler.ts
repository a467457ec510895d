/**
 * A serverless handler around an exported model: AWS Lambda behind an API Gateway HTTP API
 * (payload format 2.0) — and any host that passes the same event shape. The answer is
 * `{ statusCode, headers, body }` with a JSON body. Copied into container exports.
 */
import { HttpError } from "../../serve/http-io.js";
import { answerRequest } from "./answer.js";
import type { ExportedModel } from "./exported-model.js";

/** The fields of an API Gateway v2 event the handler reads. */
export interface HttpApiEvent {
  rawPath?: string;
  headers?: Record<string, string | undefined>;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: { requestId?: string; http?: { method?: string; path?: string } };
}

/** What the handler answers. */
export interface HttpApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Largest request body taken, as the server (API Gateway itself stops at 10 MB). */
const bodyLimit = 1024 * 1024;

/** The handler: routes by the path's last segment, so a stage or base path in front does not matter. */
export function createHandler(m: ExportedModel): (event: HttpApiEvent) => Promise<HttpApiResult> {
  let count = 0;
  return async (event) => {
    const method = (event.requestContext?.http?.method ?? "GET").toUpperCase();
    const path = event.rawPath ?? event.requestContext?.http?.path ?? "/";
    const route = "/" + (path.replace(/\/+$/, "").split("/").pop() ?? "");
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
    const requestId = event.requestContext?.requestId ?? `lambda-${++count}`;
    const a = await answerRequest(
      m,
      {
        method,
        route,
        contentType: headers["content-type"],
        async json() {
          const raw = event.body ?? "";
          const text = event.isBase64Encoded ? new TextDecoder().decode(Uint8Array.from(atob(raw), (c) => c.charCodeAt(0))) : raw;
          if (text.length > bodyLimit) throw new HttpError(413, "body-too-large", `the request body is over the limit of ${bodyLimit} bytes`, { limit: bodyLimit });
          try {
            return JSON.parse(text);
          } catch (e) {
            throw new HttpError(400, "invalid-json", `the request body is not valid JSON: ${(e as Error).message}`);
          }
        },
      },
      requestId,
    );
    return { statusCode: a.status, headers: { "Content-Type": "application/json; charset=utf-8", ...a.headers }, body: a.body };
  };
}
