import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ModelRegistry } from "../../../runtime/model-registry.js";
import { exportModel } from "../../../runtime/ops/export.js";
import { loadModel } from "../../../runtime/predict/load.js";
import { RunStore } from "../../../runtime/run-store.js";
import { tempDir } from "../../helpers.js";
import { freePort, penguinRows, predict, raw, registeredStore, request, until } from "../serve/fixture.js";

// `export ... for container`: the Dockerfile's CMD run in the folder (no container engine here),
// every endpoint, the manifests' structure, and the serverless handler with API Gateway v2 events.
const folder = path.join(tempDir("lathe-container-"), "penguins");
let registry: ModelRegistry;
let cmd: string[];
let server: ChildProcess;
let url = "";
let output = "";

beforeAll(async () => {
  const root = await registeredStore();
  registry = new ModelRegistry(new RunStore(root));
  await exportModel(registry, { name: "penguins" }, folder, "container");
  const line = readFileSync(path.join(folder, "Dockerfile"), "utf8").split("\n").find((l) => l.startsWith("CMD "))!;
  cmd = JSON.parse(line.slice(4)) as string[];
  const port = await freePort();
  // The image's CMD, as it is, in the exported folder: `node` is this Node.
  server = spawn(cmd[0] === "node" ? process.execPath : cmd[0], cmd.slice(1), { cwd: folder, env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LATHE_SERVE_TOKEN: "" } });
  server.stdout!.on("data", (c) => (output += c));
  server.stderr!.on("data", (c) => (output += c));
  await until(() => output.includes("serving "), 20_000, "the exported server to listen");
  url = `http://127.0.0.1:${port}`;
}, 240_000);

afterAll(() => {
  if (server.exitCode === null) server.kill("SIGKILL");
});

describe("export for container", () => {
  it("the Dockerfile: pinned official Node image, non-root user, HEALTHCHECK on /health, CMD node server.js", () => {
    const text = readFileSync(path.join(folder, "Dockerfile"), "utf8");
    expect(text).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/^HEALTHCHECK .*\/health/m);
    expect(cmd).toEqual(["node", "server.js"]);
    // The health check's own command, run against the server.
    const hc = JSON.parse(text.split("\n").find((l) => l.startsWith("HEALTHCHECK "))!.replace(/^HEALTHCHECK .*? CMD /, "")) as string[];
    const port = new URL(url).port;
    expect(spawnSync(process.execPath, hc.slice(1), { env: { ...process.env, PORT: port } }).status).toBe(0);
    expect(spawnSync(process.execPath, hc.slice(1), { env: { ...process.env, PORT: "1" } }).status).toBe(1);
  });

  it("serves every endpoint from the folder alone, predicting what the registry's model predicts", async () => {
    const rows = penguinRows().slice(0, 30);
    const want = (await loadModel(registry, { name: "penguins" })).predictor.predict(rows);
    const a = await predict(url, rows);
    expect(a.status).toBe(200);
    expect(a.json.predictions).toEqual(want);
    expect(a.json.model).toEqual({ name: "penguins", version: 1 });
    expect(typeof a.json.request_id).toBe("string");
    expect((await predict(url, rows[0])).json.predictions).toEqual(want.slice(0, 1));
    expect((await request(url, { path: "/health" })).json).toEqual({ status: "ok" });
    expect((await request(url, { path: "/ready" })).json).toEqual({ ready: true, model: { name: "penguins", version: 1 } });
    const m = await request(url, { path: "/model" });
    expect(m.json).toMatchObject({ name: "penguins", version: 1, algorithm: "logistic_regression", task: "classification", target: "Species", classes: ["Adelie", "Chinstrap", "Gentoo"] });
    expect(m.json.input.map((c: { name: string }) => c.name).sort()).toEqual(["Beak Depth (mm)", "Beak Length (mm)", "Body Mass (g)", "Flipper Length (mm)", "Island"]);
    expect(m.json.metrics.length).toBeGreaterThan(0);
    const metrics = await request(url, { path: "/metrics" });
    expect(metrics.status).toBe(200);
    expect(metrics.headers["content-type"]).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/^lathe_http_requests_total\{route="\/predict",status="200"\} 2$/m);
    expect(metrics.text).toMatch(/^lathe_predictions_total 31$/m);
    expect(metrics.text).toMatch(/^lathe_model_version\{name="penguins"\} 1$/m);
    expect(metrics.text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(metrics.text).toMatch(/^lathe_http_request_duration_seconds_bucket\{route="\/predict",le="\+Inf"\} 2$/m);
  });

  it("answers bad requests with coded JSON errors and keeps serving", async () => {
    const post = (body: string, type = "application/json") => request(url, { method: "POST", path: "/predict", body, headers: { "Content-Type": type } });
    expect((await post("{not json")).json.error.code).toBe("invalid-json");
    expect((await post("42")).json.error.code).toBe("invalid-body");
    expect((await post("[]")).json.error.code).toBe("no-rows");
    const bad = await post(JSON.stringify([{ Island: "Biscoe", "Body Mass (g)": "heavy" }]));
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("invalid-input");
    expect(bad.json.error.problems.map((p: { field: string }) => p.field).sort()).toEqual(["Beak Depth (mm)", "Beak Length (mm)", "Body Mass (g)", "Flipper Length (mm)"]);
    expect(bad.json.error.problems.find((p: { field: string }) => p.field === "Body Mass (g)").message).toMatch(/takes a number/);
    expect((await post("{}", "text/plain")).status).toBe(415);
    // Declared over the limit, 10 bytes sent: refused before the rest (a client still writing it may see EPIPE: `raw`).
    const large = await raw(url, `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${1024 * 1024 + 10}\r\n\r\n[{"a": 1},`, 5000);
    expect(large).toMatch(/^HTTP\/1\.1 413 /);
    expect(JSON.parse(large.slice(large.indexOf("\r\n\r\n") + 4)).error.code).toBe("body-too-large");
    expect((await request(url, { path: "/nope" })).status).toBe(404);
    const wrong = await request(url, { method: "GET", path: "/predict" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("POST");
    expect((await request(url, { path: "/health" })).status).toBe(200);
  });

  it("needs a token off loopback, and checks it on every route but the probes", async () => {
    const refused = spawnSync(process.execPath, ["server.js"], { cwd: folder, env: { ...process.env, PORT: "0", HOST: "0.0.0.0", LATHE_SERVE_TOKEN: "" }, encoding: "utf8" });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/needs a token: set LATHE_SERVE_TOKEN/);
    const port = await freePort();
    const guarded = spawn(process.execPath, ["server.js"], { cwd: folder, env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LATHE_SERVE_TOKEN: "s3cret" } });
    let out = "";
    guarded.stdout!.on("data", (c) => (out += c));
    try {
      await until(() => out.includes("serving "), 20_000, "the guarded server");
      const u = `http://127.0.0.1:${port}`;
      expect((await predict(u, penguinRows()[0])).status).toBe(401);
      expect((await predict(u, penguinRows()[0], undefined, { Authorization: "Bearer s3cret" })).status).toBe(200);
      expect((await request(u, { path: "/model" })).status).toBe(401);
      expect((await request(u, { path: "/health" })).status).toBe(200);
      expect((await request(u, { path: "/ready" })).status).toBe(200);
    } finally {
      guarded.kill("SIGKILL");
    }
  });

  it("the Kubernetes manifests: a Deployment with /health and /ready probes on the served port, and a Service selecting it", () => {
    const docs = parseAllDocuments(readFileSync(path.join(folder, "kubernetes.yaml"), "utf8"));
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    const [deployment, service] = docs.map((d) => d.toJS());
    expect(deployment).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "penguins" } });
    const labels = deployment.spec.selector.matchLabels;
    expect(deployment.spec.template.metadata.labels).toMatchObject(labels);
    const [c] = deployment.spec.template.spec.containers;
    expect(c.image).toBe("penguins:1");
    expect(c.ports).toEqual([{ name: "http", containerPort: 8080 }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
    expect(c.readinessProbe.httpGet).toEqual({ path: "/ready", port: "http" });
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(c.env.find((e: { name: string }) => e.name === "LATHE_SERVE_TOKEN").valueFrom.secretKeyRef.name).toBe("penguins-serve-token");
    expect(service).toMatchObject({ apiVersion: "v1", kind: "Service", metadata: { name: "penguins" }, spec: { selector: labels, ports: [{ port: 80, targetPort: "http" }] } });
  });

  it("the serverless handler answers API Gateway v2 events: 200 with predictions, 400 JSON for bad requests", async () => {
    const { handler } = await import(/* @vite-ignore */ pathToFileURL(path.join(folder, "handler.js")).href);
    const event = (method: string, rawPath: string, body?: string, extra: Record<string, unknown> = {}) => ({
      version: "2.0",
      routeKey: "$default",
      rawPath,
      rawQueryString: "",
      headers: { "content-type": "application/json" },
      requestContext: { requestId: "req-1", http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "127.0.0.1" } },
      ...(body !== undefined ? { body, isBase64Encoded: false } : {}),
      ...extra,
    });
    const rows = penguinRows().slice(0, 5);
    const want = (await loadModel(registry, { name: "penguins" })).predictor.predict(rows);
    const ok = await handler(event("POST", "/prod/predict", JSON.stringify(rows)));
    expect(ok.statusCode).toBe(200);
    expect(ok.headers["Content-Type"]).toMatch(/^application\/json/);
    expect(JSON.parse(ok.body)).toEqual({ predictions: want, model: { name: "penguins", version: 1 }, request_id: "req-1" });
    const b64 = await handler(event("POST", "/predict", Buffer.from(JSON.stringify(rows[0])).toString("base64"), { isBase64Encoded: true }));
    expect(JSON.parse(b64.body).predictions).toEqual(want.slice(0, 1));
    const invalid = await handler(event("POST", "/predict", "{oops"));
    expect(invalid.statusCode).toBe(400);
    expect(JSON.parse(invalid.body).error.code).toBe("invalid-json");
    const missing = await handler(event("POST", "/predict", JSON.stringify({ Island: "Biscoe" })));
    expect(missing.statusCode).toBe(400);
    expect(JSON.parse(missing.body).error).toMatchObject({ code: "invalid-input" });
    expect(JSON.parse(missing.body).error.problems.map((p: { field: string }) => p.field)).toContain("Body Mass (g)");
    expect((await handler(event("GET", "/health"))).statusCode).toBe(200);
    expect(JSON.parse((await handler(event("GET", "/model"))).body).name).toBe("penguins");
    expect((await handler(event("GET", "/predict"))).statusCode).toBe(405);
    expect((await handler(event("GET", "/metrics"))).statusCode).toBe(404);
  });

  it("SIGTERM: the server finishes and exits 0", async () => {
    const exited = new Promise<number | null>((r) => server.once("exit", (code) => r(code)));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
