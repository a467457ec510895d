import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import path from "node:path";
import { modelRefText, type ModelRef } from "../../language/model-ref.js";
import { DataError } from "../errors.js";
import type { LoadedModel } from "../predict/load.js";
import { InputError, type Prediction } from "../predict/predictor.js";
import { RunStore } from "../run-store.js";
import { bearerCheck, isLoopback, tokenProblem } from "./bearer-token.js";
import { errorBody, HttpError, isJsonType, readJsonBodyThen, sendJson } from "./http-io.js";
import { ModelWatch } from "./model-watch.js";
import { feedbackLogDir, predictionErrorLogDir, predictionLogDir, resourceLogDir, type FeedbackRecord, type PredictionErrorRecord, type PredictionRecord } from "./prediction-log.js";
import { ResourceSampler } from "./resource-log.js";
import { SegmentLog, type SegmentLogOptions } from "./segment-log.js";
import { ServeMetrics } from "./serve-metrics.js";
import { defaultServePort } from "./serving-spec.js";

/** How to serve a registered model. */
export interface ServeOptions {
  /** The run store (or its folder) whose registry holds the model; the logs go under it too. */
  store: RunStore | string;
  ref: ModelRef;
  /** Default 8080; 0 picks a free port (the handle's `url` says which). */
  port?: number;
  /** Default 127.0.0.1. Any address other than loopback needs a token. */
  host?: string;
  /** Required as `Authorization: Bearer TOKEN` on every route but /health and /ready. */
  token?: string;
  /** Told what happens while serving: versions swapped in, reloads and log writes that failed. */
  log?: (message: string) => void;
  /** How often the registry is checked for a moved alias, in ms (default 1000; 0: never). */
  pollMs?: number;
  /** Largest request body, in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Log every prediction and every failed `POST /predict` (default true). */
  predictionLog?: boolean;
  /** How often the process's RSS and CPU are logged for the monitor, in ms (default 10 s; also at start and at shutdown; 0: never). Off with `predictionLog: false`. */
  resourceSampleMs?: number;
  /** Batching and rotation of the prediction and feedback logs. */
  logOptions?: Omit<SegmentLogOptions, "dir" | "onError">;
  /** Longest a shutdown waits for requests in flight before closing their connections, in ms (default 10 s). */
  drainMs?: number;
}

/** A running server. */
export interface ServeHandle {
  url: string;
  host: string;
  port: number;
  /** The model answering now. */
  model(): LoadedModel;
  /** Its name and version. */
  version(): { name: string; version: number };
  /** The folder of its prediction log. */
  readonly predictionLogDir: string;
  /** Stops accepting, lets requests in flight finish, writes the logs out; idempotent. */
  close(): Promise<void>;
}

const routes: Record<string, string[]> = {
  "/predict": ["POST"],
  "/feedback": ["POST"],
  "/health": ["GET", "HEAD"],
  "/ready": ["GET", "HEAD"],
  "/model": ["GET", "HEAD"],
  "/metrics": ["GET", "HEAD"],
};
// Probes stay open when a token is required: an orchestrator's liveness and readiness checks carry no secrets.
const openRoutes = new Set(["/health", "/ready"]);
const maxProblems = 1000;

/**
 * Serves a registered model over HTTP (`node:http`, no framework): `POST /predict`, `POST /feedback`,
 * `GET /health`, `/ready`, `/model`, `/metrics`. The model is loaded before the port is opened
 * (a reference that resolves to nothing is a coded error here, not a server that answers 500),
 * then watched in the registry and swapped when its alias moves. Every prediction is logged
 * after it is answered, in batches, under `.lathe/predictions/<name>/`.
 */
export async function startServer(options: ServeOptions): Promise<ServeHandle> {
  const store = typeof options.store === "string" ? new RunStore(path.resolve(options.store)) : options.store;
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? defaultServePort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DataError(`a port is a whole number from 0 to 65535, got ${port}`, undefined, "invalid-port");
  if (options.token !== undefined) {
    const problem = tokenProblem(options.token);
    if (problem) throw new DataError(problem, undefined, "invalid-token");
  } else if (!isLoopback(host)) {
    throw new DataError(`serving on ${host} lets other machines call the model: give a token (--token, or LATHE_SERVE_TOKEN) that clients send as \`Authorization: Bearer TOKEN\`, or serve on 127.0.0.1`, undefined, "token-required");
  }
  const log = options.log ?? (() => undefined);
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const name = options.ref.name;
  const logDir = predictionLogDir(store.root, name);
  let logFailures = 0;
  const onLogError = (what: string) => (e: Error) => {
    // Serving goes on when the log cannot be written; the operator hears of it, without a flood.
    if (logFailures++ < 5 || logFailures % 1000 === 0) log(`could not write the ${what} log (${logFailures} failed write${logFailures > 1 ? "s" : ""} so far): ${e.message}`);
  };
  const predictions = options.predictionLog === false ? undefined : new SegmentLog<PredictionRecord>({ ...options.logOptions, dir: logDir, onError: onLogError("prediction") });
  const failures = options.predictionLog === false ? undefined : new SegmentLog<PredictionErrorRecord>({ ...options.logOptions, dir: predictionErrorLogDir(store.root, name), onError: onLogError("prediction error") });
  const feedback = new SegmentLog<FeedbackRecord>({ ...options.logOptions, dir: feedbackLogDir(store.root, name), onError: onLogError("feedback") });
  const none = { written: 0, dropped: 0, errors: 0 };
  const metrics = new ServeMetrics(() => ({ predictions: predictions?.stats ?? none, feedback: feedback.stats }));

  const watch = await ModelWatch.start(store, options.ref, options.pollMs ?? 1000, {
    onSwap(now, before) {
      metrics.model(name, now.version.version);
      metrics.reloaded(true);
      log(`serving ${modelRefText(options.ref)} version ${now.version.version} (was ${before.version.version})`);
    },
    onFailure(message) {
      metrics.reloaded(false);
      log(message);
    },
  });
  metrics.model(name, watch.current.version.version);

  const checkToken = options.token !== undefined ? bearerCheck(options.token) : undefined;
  let draining = false;

  const send = (res: ServerResponse, status: number, body: string, route: string, started: number, headers: Record<string, string | number>) => {
    sendJson(res, status, body, draining ? { ...headers, Connection: "close" } : headers);
    metrics.request(route, status, (performance.now() - started) / 1000);
  };

  function predict(body: unknown, model: LoadedModel, id: string, started: number, arrived: number): string {
    const rows = Array.isArray(body) ? body : body !== null && typeof body === "object" ? [body] : undefined;
    if (!rows) throw new HttpError(400, "invalid-body", "the request body is a JSON object (one row) or an array of objects (rows)");
    if (!rows.length) throw new HttpError(400, "no-rows", "the request body is an empty array: send at least one row");
    let out: Prediction[];
    try {
      out = model.predictor.predict(rows);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const problems = e.problems.slice(0, maxProblems);
      throw new HttpError(400, "invalid-input", `${e.problems.length} problem${e.problems.length > 1 ? "s" : ""} with the input: ${e.message}`, { problems, ...(e.problems.length > maxProblems ? { more: e.problems.length - maxProblems } : {}) });
    }
    const version = model.version.version;
    // Each row's prediction is serialised once, for the answer and for its log line: the answer is
    // `JSON.stringify({ predictions, model: { name, version }, request_id })` and each line
    // `JSON.stringify(PredictionRecord)`, byte for byte, made from the same pieces.
    const parts = out.map((p) => JSON.stringify(p));
    const idJson = JSON.stringify(id);
    const text = `{"predictions":[${parts.join(",")}],"model":${JSON.stringify({ name, version })},"request_id":${idJson}}`;
    metrics.predicted(rows.length);
    if (predictions) {
      const latency = performance.now() - started;
      const head = `{"request_id":${idJson},"row":`;
      const middle = `,"time":${JSON.stringify(isoTime(arrived))},"model":${JSON.stringify(name)},"version":${version},"input":`;
      const tail = `,"latency_ms":${JSON.stringify(latency)}}\n`;
      const schema = model.predictor.inputSchema;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i] as Record<string, unknown>;
        const input: Record<string, unknown> = {};
        for (const c of schema) input[c.name] = row[c.name];
        // `parts[i]` is `{"prediction":…,"probabilities":{…}}`: its fields follow the input's.
        predictions.appendLine(`${head}${i}${middle}${JSON.stringify(input)},${parts[i].slice(1, -1)}${tail}`);
      }
    }
    return text;
  }

  function acceptFeedback(body: unknown, id: string): string {
    const items = Array.isArray(body) ? body : [body];
    if (!items.length) throw new HttpError(400, "no-rows", "the request body is an empty array: send at least one label");
    const problems: { item: number; field: string; message: string }[] = [];
    const records: FeedbackRecord[] = [];
    const time = new Date().toISOString();
    items.forEach((raw, i) => {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return void problems.push({ item: i, field: "", message: "a label is a JSON object `{ \"request_id\": ..., \"label\": ... }`" });
      const f = raw as Record<string, unknown>;
      const before = problems.length;
      if (typeof f.request_id !== "string" || !f.request_id || f.request_id.length > 200) problems.push({ item: i, field: "request_id", message: "`request_id` is the non-empty string a /predict answer gave (at most 200 characters)" });
      const label = f.label;
      if (!(typeof label === "string" || typeof label === "boolean" || (typeof label === "number" && Number.isFinite(label)))) problems.push({ item: i, field: "label", message: "`label` is the true value: a string, a finite number or a boolean" });
      if (f.row !== undefined && !(Number.isInteger(f.row) && (f.row as number) >= 0)) problems.push({ item: i, field: "row", message: "`row` is the row's index in its request, a whole number from 0 (default 0)" });
      if (problems.length === before) records.push({ request_id: f.request_id as string, row: (f.row as number | undefined) ?? 0, label: label as FeedbackRecord["label"], time });
    });
    if (problems.length) throw new HttpError(400, "invalid-feedback", `${problems.length} problem${problems.length > 1 ? "s" : ""} with the feedback: ${problems[0].message}`, { problems: problems.slice(0, maxProblems) });
    for (const r of records) feedback.append(r);
    return JSON.stringify({ accepted: records.length, request_id: id });
  }

  /**
   * One request, with callbacks rather than promises: a one-row prediction is cheap enough that an
   * async chain (the body, then the answer) was a measurable share of its CPU.
   */
  function handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const arrived = Date.now();
    const id = requestIdOf(req.headers["x-request-id"]);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const route = q < 0 ? url : url.slice(0, q);
    const headers: Record<string, string> = { "X-Request-Id": id };
    // Read once, on arrival: the request finishes on this version even if a reload swaps another in meanwhile.
    const model = watch.current;
    const fail = (e: unknown): void => {
      // A client that went away mid-request has no one to answer.
      if (!(e instanceof HttpError) && (req.destroyed || res.destroyed)) return;
      const err = e instanceof HttpError ? e : internalError(e, log);
      if (route === "/predict") {
        metrics.predictionError(err.code);
        failures?.append({ request_id: id, time: isoTime(arrived), model: name, version: model.version.version, status: err.status, code: err.code, latency_ms: performance.now() - started });
      }
      if (res.headersSent || res.destroyed) return;
      send(res, err.status, errorBody(err), route, started, { ...headers, ...err.headers });
    };
    try {
      if (checkToken && !openRoutes.has(route) && !checkToken(req.headers.authorization)) {
        throw new HttpError(401, "unauthorized", "this server needs `Authorization: Bearer TOKEN` with its token", {}, { "WWW-Authenticate": 'Bearer realm="lathe"' });
      }
      const methods = routes[route];
      if (!methods) throw new HttpError(404, "not-found", `no route ${route}: the routes are ${Object.keys(routes).map((r) => `${routes[r][0]} ${r}`).join(", ")}`);
      if (!methods.includes(req.method ?? "")) throw new HttpError(405, "method-not-allowed", `${route} takes ${methods.join(" or ")}, not ${req.method}`, { allow: methods }, { Allow: methods.join(", ") });
      if (req.method === "POST" && !isJsonType(req.headers["content-type"])) {
        throw new HttpError(415, "unsupported-media-type", `${route} takes \`Content-Type: application/json\`${req.headers["content-type"] ? `, not ${req.headers["content-type"]}` : " (the request has no Content-Type)"}`);
      }
      if (route === "/predict" || route === "/feedback") {
        return readJsonBodyThen(req, bodyLimit, (err, parsed) => {
          if (err) return fail(err);
          try {
            send(res, 200, route === "/predict" ? predict(parsed, model, id, started, arrived) : acceptFeedback(parsed, id), route, started, headers);
          } catch (e) {
            fail(e);
          }
        });
      }
      if (route === "/metrics") {
        metrics.text().then((m) => send(res, 200, m.body, route, started, { ...headers, "Content-Type": m.type }), fail);
        return;
      }
      let body: string;
      if (route === "/health") body = JSON.stringify({ status: "ok" });
      else if (route === "/ready") {
        if (draining) throw new HttpError(503, "shutting-down", "the server is shutting down");
        body = JSON.stringify({ ready: true, model: { name, version: model.version.version } });
      } else body = JSON.stringify(modelDescription(model));
      send(res, 200, body, route, started, headers);
    } catch (e) {
      fail(e);
    }
  }

  const server = createServer(handle);
  // Malformed HTTP never reaches a handler: answer it in JSON too, then close.
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || err.code === "ECONNRESET") return void socket.destroy();
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const body = errorBody(new HttpError(status, "bad-request", `the request is not valid HTTP (${err.code ?? "parse error"})`));
    socket.end(`HTTP/1.1 ${status} ${status === 431 ? "Request Header Fields Too Large" : status === 408 ? "Request Timeout" : "Bad Request"}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.removeListener("error", reject);
        resolve();
      });
    });
  } catch (e) {
    watch.stop();
    throw listenError(e as NodeJS.ErrnoException, host, port);
  }
  // Sampled only once serving: a server that never opened its port has nothing to report.
  const sampleMs = options.resourceSampleMs ?? 10_000;
  const resources = options.predictionLog === false || sampleMs <= 0 ? undefined : new ResourceSampler({ dir: resourceLogDir(store.root, name), model: name, everyMs: sampleMs, onError: onLogError("resource") });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const url = `http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${actualPort}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port: actualPort,
    predictionLogDir: logDir,
    model: () => watch.current,
    version: () => ({ name, version: watch.current.version.version }),
    close() {
      closing ??= (async () => {
        draining = true;
        watch.stop();
        await new Promise<void>((resolve) => {
          // Stops accepting and closes idle keep-alive connections; those with a request in flight
          // close after its answer (`Connection: close`), and `close` calls back when none is left.
          server.close(() => resolve());
          setTimeout(() => server.closeAllConnections(), options.drainMs ?? 10_000).unref();
        });
        await Promise.all([predictions?.close(), failures?.close(), feedback.close(), resources?.stop()]);
      })();
      return closing;
    },
  };
}

let lastMs = Number.NaN;
let lastIso = "";
/** `new Date(ms).toISOString()`, made once per millisecond: under load many requests arrive within one. */
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** What `GET /model` says about the model served. */
function modelDescription(m: LoadedModel): Record<string, unknown> {
  const p = m.predictor;
  return {
    name: m.version.name,
    version: m.version.version,
    ref: modelRefText(m.ref),
    algorithm: p.algorithm,
    task: p.task,
    target: p.target,
    ...(p.task === "classification" ? { classes: p.classes } : {}),
    features: m.pkg.features,
    input: p.inputSchema.map((c) => ({ name: c.name, type: c.json, sql_type: c.type })),
    metrics: m.version.metrics,
    registered_at: m.version.registeredAt,
    run_id: m.version.runId,
    sha256: m.version.sha256,
  };
}

/** A client's `X-Request-Id` when it is a sane token (kept, so its logs join ours), else a new UUID. */
function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === "string" && /^[A-Za-z0-9._:@-]{1,128}$/.test(header) ? header : randomUUID();
}

/** A failure no request should cause: 500 without details; the operator's log gets the stack. */
function internalError(e: unknown, log: (m: string) => void): HttpError {
  log(`internal error answering a request: ${(e as Error)?.stack ?? String(e)}`);
  return new HttpError(500, "internal-error", "the server could not answer this request; its log says why");
}

/** Why a port could not be opened, as a coded error the user can act on. */
function listenError(e: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (e.code) {
    case "EADDRINUSE":
      return new DataError(`port ${port} on ${host} is in use by another process: stop it, or serve on another port (--port)`, undefined, "port-in-use");
    case "EACCES":
      return new DataError(`this user may not open port ${port} on ${host} (ports below 1024 need privileges): serve on a port from 1024`, undefined, "port-not-allowed");
    case "EADDRNOTAVAIL":
      return new DataError(`${host} is not an address of this machine`, undefined, "address-unavailable");
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new DataError(`cannot resolve the host ${host}`, undefined, "unknown-host");
    default:
      return e;
  }
}
