/**
 * The HTTP server of a container export, on node:http alone: the folder's `server.js` (the
 * Dockerfile's CMD) starts it. Configured by the environment: PORT (8080), HOST (127.0.0.1; the
 * image sets 0.0.0.0) and LATHE_SERVE_TOKEN — like `lathe serve`, binding anything but loopback
 * needs a token, checked in constant time on every route but /health and /ready (probes).
 * SIGTERM/SIGINT: stop accepting, finish what is in flight, exit 0. Copied into container exports.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { bearerCheck, isLoopback, tokenProblem } from "../../serve/bearer-token.js";
import { errorBody, HttpError, readJsonBody, sendJson } from "../../serve/http-io.js";
import { answerRequest, exportRoutes } from "./answer.js";
import type { ExportedModel } from "./exported-model.js";
import { ExportMetrics } from "./export-metrics.js";

const bodyLimit = 1024 * 1024;
const routes = { ...exportRoutes, "/metrics": ["GET"] };
const openRoutes = new Set(["/health", "/ready"]);

/** Why the environment cannot be served as it is, or the port, host and token to serve with. */
export function serverConfig(env: Record<string, string | undefined>): { port: number; host: string; token?: string } | { problem: string } {
  const port = env.PORT === undefined || env.PORT === "" ? 8080 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return { problem: `PORT is a whole number from 0 to 65535, got ${JSON.stringify(env.PORT)}` };
  const host = env.HOST || "127.0.0.1";
  const token = env.LATHE_SERVE_TOKEN || undefined;
  if (token !== undefined) {
    const p = tokenProblem(token);
    if (p) return { problem: `LATHE_SERVE_TOKEN: ${p}` };
  } else if (!isLoopback(host)) {
    return { problem: `serving on ${host} (not loopback) needs a token: set LATHE_SERVE_TOKEN; clients send \`Authorization: Bearer TOKEN\`` };
  }
  return { port, host, ...(token ? { token } : {}) };
}

/** Starts serving `m`; resolves once listening. */
export async function startExportServer(m: ExportedModel, config: { port: number; host: string; token?: string }, log: (line: string) => void = (l) => console.log(l)): Promise<Server> {
  const metrics = new ExportMetrics(m.info);
  const checkToken = config.token ? bearerCheck(config.token) : undefined;
  let draining = false;
  const server = createServer((req, res) => {
    const started = performance.now();
    const id = typeof req.headers["x-request-id"] === "string" && /^[\x21-\x7e]{1,200}$/.test(req.headers["x-request-id"]) ? req.headers["x-request-id"] : randomUUID();
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const route = q < 0 ? url : url.slice(0, q);
    const send = (status: number, body: string, headers: Record<string, string>, type?: string) => {
      if (res.headersSent || res.destroyed) return;
      sendJson(res, status, body, { ...headers, ...(type ? { "Content-Type": type } : {}), ...(draining ? { Connection: "close" } : {}) });
      metrics.request(route, status, (performance.now() - started) / 1000);
      if (route === "/predict" && status !== 200) metrics.predictionError((JSON.parse(body) as { error: { code: string } }).error.code);
    };
    if (checkToken && !openRoutes.has(route) && !checkToken(req.headers.authorization)) {
      const e = new HttpError(401, "unauthorized", "this server needs `Authorization: Bearer TOKEN` with its token", {}, { "WWW-Authenticate": 'Bearer realm="lathe"' });
      return send(e.status, errorBody(e), { "X-Request-Id": id, ...e.headers });
    }
    if (route === "/ready" && draining) {
      const e = new HttpError(503, "shutting-down", "the server is shutting down");
      return send(e.status, errorBody(e), { "X-Request-Id": id });
    }
    if (route === "/metrics" && req.method === "GET") return send(200, metrics.text(), { "X-Request-Id": id }, "text/plain; version=0.0.4; charset=utf-8");
    void answerRequest(m, { method: req.method ?? "GET", route, contentType: req.headers["content-type"], json: () => readJsonBody(req, bodyLimit) }, id, routes).then((a) => {
      if (a.status === 200 && route === "/predict") metrics.predicted((JSON.parse(a.body) as { predictions: unknown[] }).predictions.length);
      send(a.status, a.body, a.headers);
    });
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n" + errorBody(new HttpError(400, "bad-request", "the request is not valid HTTP")));
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const shutdown = (signal: string) => {
    if (draining) return;
    draining = true;
    log(`${signal}: finishing requests in flight, then exiting`);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  const { port } = server.address() as AddressInfo;
  log(`serving ${m.info.name} version ${m.info.version} at http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`);
  return server;
}

/** The folder's `server.js`: serve with the environment's settings, or say what is wrong and exit 2. */
export async function serveFromEnvironment(m: ExportedModel): Promise<void> {
  const config = serverConfig(process.env);
  if ("problem" in config) {
    console.error(`lathe export server: ${config.problem}`);
    process.exit(2);
  }
  try {
    await startExportServer(m, config);
  } catch (e) {
    console.error(`lathe export server: cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`);
    process.exit(2);
  }
}
