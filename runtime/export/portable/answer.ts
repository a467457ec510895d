/**
 * The answers of an exported model's HTTP endpoints, the same for its server (`http-server.ts`)
 * and its serverless handler (`lambda-handler.ts`): `POST /predict`, `GET /health`, `GET /ready`,
 * `GET /model`, with `lathe serve`'s bodies and error codes. Copied into container exports.
 */
import { errorBody, HttpError, isJsonType } from "../../serve/http-io.js";
import { InputError } from "../../predict/predictor.js";
import type { ExportedModel } from "./exported-model.js";

/** Most problems an invalid request lists (the count of the rest follows). */
const maxProblems = 20;

/** The routes and the methods each takes. */
export const exportRoutes: Readonly<Record<string, string[]>> = {
  "/predict": ["POST"],
  "/health": ["GET"],
  "/ready": ["GET"],
  "/model": ["GET"],
};

/** A request as both hosts see it; `json()` reads and parses the body, throwing HttpError (invalid-json, body-too-large). */
export interface ExportRequest {
  method: string;
  route: string;
  contentType?: string;
  json(): Promise<unknown>;
}

/** An answer: status, JSON body, extra headers. */
export interface ExportAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/**
 * The answer to a request; never throws for a client's mistake. `routes` lists what the host
 * serves (the server adds `/metrics`, which it answers itself before asking here).
 */
export async function answerRequest(m: ExportedModel, req: ExportRequest, requestId: string, routes: Readonly<Record<string, string[]>> = exportRoutes): Promise<ExportAnswer> {
  const headers = { "X-Request-Id": requestId };
  try {
    if (!Object.prototype.hasOwnProperty.call(routes, req.route)) throw new HttpError(404, "not-found", `no route ${req.route}: the routes are ${Object.keys(routes).map((r) => `${routes[r][0]} ${r}`).join(", ")}`);
    const methods = routes[req.route];
    if (!methods.includes(req.method)) throw new HttpError(405, "method-not-allowed", `${req.route} takes ${methods.join(" or ")}, not ${req.method}`, { allow: methods }, { Allow: methods.join(", ") });
    if (req.route === "/health") return { status: 200, body: JSON.stringify({ status: "ok" }), headers };
    if (req.route === "/ready") return { status: 200, body: JSON.stringify({ ready: true, model: { name: m.info.name, version: m.info.version } }), headers };
    if (req.route === "/model") return { status: 200, body: JSON.stringify(m.info), headers };
    if (req.route !== "/predict") throw new HttpError(404, "not-found", `${req.route} is not served here`);
    if (!isJsonType(req.contentType)) throw new HttpError(415, "unsupported-media-type", `/predict takes \`Content-Type: application/json\`${req.contentType ? `, not ${req.contentType}` : " (the request has no Content-Type)"}`);
    const body = await req.json();
    const rows = Array.isArray(body) ? body : body !== null && typeof body === "object" ? [body] : undefined;
    if (!rows) throw new HttpError(400, "invalid-body", "the request body is a JSON object (one row) or an array of objects (rows)");
    if (!rows.length) throw new HttpError(400, "no-rows", "the request body is an empty array: send at least one row");
    try {
      const predictions = m.predictor.predict(rows);
      return { status: 200, body: JSON.stringify({ predictions, model: { name: m.info.name, version: m.info.version }, request_id: requestId }), headers };
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const problems = e.problems.slice(0, maxProblems);
      throw new HttpError(400, "invalid-input", `${e.problems.length} problem${e.problems.length > 1 ? "s" : ""} with the input: ${e.message}`, { problems, ...(e.problems.length > maxProblems ? { more: e.problems.length - maxProblems } : {}) });
    }
  } catch (e) {
    const err = e instanceof HttpError ? e : new HttpError(500, "internal", "the model failed on this request");
    return { status: err.status, body: errorBody(err), headers: { ...headers, ...err.headers } };
  }
}
