import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../../runtime/data/database.js";
import { loadModel } from "../../../runtime/predict/load.js";
import { RunStore } from "../../../runtime/run-store.js";
import type { PredictionRecord } from "../../../runtime/serve/prediction-log.js";
import { startServer, type ServeHandle } from "../../../runtime/serve/server.js";
import { penguinRows, predict, raw, registeredStore, request, type Answer } from "./fixture.js";

const rows = penguinRows();
let root: string;
let server: ServeHandle;
let predictedRows = 0;
const logged: string[] = [];

/** `POST /predict`, counting the rows a 200 answered (the prediction log must hold exactly these). */
async function post(body: unknown, agent?: http.Agent | false, headers?: Record<string, string>): Promise<Answer> {
  const a = await predict(server.url, body, agent, headers);
  if (a.status === 200) {
    predictedRows += a.json.predictions.length;
    // The answer is assembled from pieces: it must be exactly what JSON.stringify makes of it, keys in order.
    expect(a.text).toBe(JSON.stringify({ predictions: a.json.predictions, model: a.json.model, request_id: a.json.request_id }));
  }
  return a;
}

const expectError = (a: Answer, status: number, code: string) => {
  expect(a.status, a.text).toBe(status);
  expect(a.headers["content-type"]).toMatch(/^application\/json/);
  expect(a.json.error.code).toBe(code);
  expect(typeof a.json.error.message).toBe("string");
  expect(a.text).not.toMatch(/\n\s+at |\.ts:\d+|\.js:\d+/);
};

beforeAll(async () => {
  root = await registeredStore();
  // Batches wait 30 s: what the log holds at the end, `close` wrote.
  server = await startServer({ store: root, ref: { name: "penguins" }, port: 0, pollMs: 0, log: (m) => logged.push(m), logOptions: { flushMs: 30_000 } });
});
afterAll(() => server?.close());

describe("a served model's endpoints", () => {
  it("GET /health, /ready and /model", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await request(server.url, { path: "/health" });
    expect([health.status, health.json]).toEqual([200, { status: "ok" }]);
    const ready = await request(server.url, { path: "/ready" });
    expect([ready.status, ready.json]).toEqual([200, { ready: true, model: { name: "penguins", version: 1 } }]);
    const model = await request(server.url, { path: "/model" });
    expect(model.status).toBe(200);
    expect(model.json).toMatchObject({ name: "penguins", version: 1, ref: "penguins", algorithm: "logistic_regression", task: "classification", target: "Species", classes: ["Adelie", "Chinstrap", "Gentoo"] });
    expect(model.json.input).toEqual([
      { name: "Beak Length (mm)", type: "number", sql_type: "DOUBLE" },
      { name: "Beak Depth (mm)", type: "number", sql_type: "DOUBLE" },
      { name: "Flipper Length (mm)", type: "number", sql_type: "BIGINT" },
      { name: "Body Mass (g)", type: "number", sql_type: "BIGINT" },
      { name: "Island", type: "string", sql_type: "VARCHAR" },
    ]);
    expect(model.json.metrics).toHaveLength(1);
    expect(model.json.metrics[0]).toMatchObject({ data: "test", metric: "accuracy" });
    expect(model.json.metrics[0].value).toBeGreaterThan(0.9);
  });

  it("POST /predict: one object or an array; the same predictions as the registered model loaded on its own", async () => {
    const { predictor } = await loadModel(new RunStore(root), { name: "penguins" });
    const one = await post(rows[0]);
    expect(one.status).toBe(200);
    expect(one.json.model).toEqual({ name: "penguins", version: 1 });
    expect(one.json.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(one.headers["x-request-id"]).toBe(one.json.request_id);
    expect(one.json.predictions).toEqual(JSON.parse(JSON.stringify(predictor.predict([rows[0]]))));
    const p = one.json.predictions[0];
    expect(Object.values(p.probabilities as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);

    const many = await post(rows.slice(0, 50));
    expect(many.status).toBe(200);
    expect(many.json.predictions).toEqual(JSON.parse(JSON.stringify(predictor.predict(rows.slice(0, 50)))));
    // A client's own request id is kept, so its logs join the server's.
    const tagged = await post(rows[1], undefined, { "X-Request-Id": "client-42" });
    expect([tagged.json.request_id, tagged.headers["x-request-id"]]).toEqual(["client-42", "client-42"]);
  });

  it("GET /metrics: Prometheus text with requests, latency, errors, the model version, RSS, CPU and event-loop lag", async () => {
    await post({});
    const m = await request(server.url, { path: "/metrics" });
    expect(m.status).toBe(200);
    expect(m.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(m.text).toMatch(/^lathe_requests_total\{route="\/predict",status="200"\} [1-9]\d*$/m);
    expect(m.text).toMatch(/^lathe_requests_total\{route="\/predict",status="400"\} 1$/m);
    expect(m.text).toMatch(/^lathe_request_duration_seconds_bucket\{le="0\.01",route="\/predict"\} \d+$/m);
    expect(m.text).toMatch(/^lathe_prediction_errors_total\{code="invalid-input"\} 1$/m);
    expect(m.text).toMatch(/^lathe_predictions_total 52$/m);
    expect(m.text).toMatch(/^lathe_model_info\{name="penguins",version="1"\} 1$/m);
    expect(m.text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(m.text).toMatch(/^process_cpu_seconds_total [\d.]+/m);
    expect(m.text).toMatch(/^nodejs_eventloop_lag_seconds [\d.e-]+/m);
  });
});

describe("bad requests get a coded JSON error and never crash the server", () => {
  const json = { "Content-Type": "application/json" };

  it("invalid JSON, a body that is not rows, no rows: 400", async () => {
    expectError(await request(server.url, { method: "POST", path: "/predict", body: '{"Island": ', headers: json }), 400, "invalid-json");
    expectError(await post(42), 400, "invalid-body");
    expectError(await post("Adelie"), 400, "invalid-body");
    expectError(await post(null), 400, "invalid-body");
    expectError(await post([]), 400, "no-rows");
  });

  it("a missing or mistyped field: 400 naming each field of each row", async () => {
    const missing = { ...rows[0] };
    delete missing.Island;
    const a = await post([rows[0], missing, { ...rows[2], "Body Mass (g)": "heavy" }, 7]);
    expectError(a, 400, "invalid-input");
    expect(a.json.error.problems).toEqual([
      { row: 1, field: "Island", message: "missing field `Island` (string)" },
      { row: 2, field: "Body Mass (g)", message: 'field `Body Mass (g)` takes a number, got "heavy"' },
      { row: 3, field: "", message: "a row is a JSON object of column values" },
    ]);
  });

  it("a body over the limit: 413 before the rest is sent, declared or not", async () => {
    // The declared length is 2 MiB; only 10 bytes are ever sent, so the answer cannot have waited for the rest.
    const declared = await raw(server.url, `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n[{"a": 1},`, 5000);
    expect(declared).toMatch(/^HTTP\/1\.1 413 /);
    expect(JSON.parse(declared.slice(declared.indexOf("\r\n\r\n") + 4)).error.code).toBe("body-too-large");
    // Chunked, no length: refused as soon as it passes the limit, the connection still open on our side.
    const chunk = "[" + '{"x": 1},'.repeat(1024 * 128);
    const streamed = await raw(server.url, `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n`, 5000);
    expect(streamed).toMatch(/^HTTP\/1\.1 413 /);
  });

  it("a wrong or missing content type: 415", async () => {
    expectError(await request(server.url, { method: "POST", path: "/predict", body: JSON.stringify(rows[0]), headers: { "Content-Type": "text/plain" } }), 415, "unsupported-media-type");
    expectError(await request(server.url, { method: "POST", path: "/predict", body: JSON.stringify(rows[0]) }), 415, "unsupported-media-type");
    // JSON with a charset, or a +json type, is JSON.
    expect((await post(rows[0], undefined, { "Content-Type": "application/json; charset=utf-8" })).status).toBe(200);
  });

  it("an unknown route: 404; a wrong method: 405 with Allow", async () => {
    expectError(await request(server.url, { path: "/predictions" }), 404, "not-found");
    expectError(await request(server.url, { path: "/" }), 404, "not-found");
    const get = await request(server.url, { path: "/predict" });
    expectError(get, 405, "method-not-allowed");
    expect(get.headers.allow).toBe("POST");
    const del = await request(server.url, { method: "DELETE", path: "/health" });
    expectError(del, 405, "method-not-allowed");
    expect(del.headers.allow).toBe("GET, HEAD");
  });

  it("malformed HTTP: 400 in JSON, then the connection closes", async () => {
    const answer = await raw(server.url, "THIS IS NOT HTTP\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)).error.code).toBe("bad-request");
  });

  it("is still serving after all of them", async () => {
    expect((await request(server.url, { path: "/health" })).status).toBe(200);
    expect((await post(rows[3])).status).toBe(200);
    expect(logged.filter((l) => /internal error/.test(l))).toEqual([]);
  });
});

describe("POST /feedback", () => {
  it("takes one label or an array, and refuses a body that is not labels, naming each problem", async () => {
    const a = await post([rows[0], rows[1]]);
    const id = a.json.request_id as string;
    const fb = (body: unknown) => request(server.url, { method: "POST", path: "/feedback", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
    const one = await fb({ request_id: id, label: "Adelie" });
    expect([one.status, one.json.accepted]).toEqual([200, 1]);
    const two = await fb([
      { request_id: id, row: 1, label: "Adelie" },
      { request_id: "from-elsewhere", label: 3.5 },
    ]);
    expect([two.status, two.json.accepted]).toEqual([200, 2]);
    const bad = await fb([{ request_id: id }, { request_id: 7, label: "x" }, { request_id: id, label: "x", row: -1 }, "Adelie"]);
    expectError(bad, 400, "invalid-feedback");
    expect(bad.json.error.problems.map((p: { item: number; field: string }) => [p.item, p.field])).toEqual([
      [0, "label"],
      [1, "request_id"],
      [2, "row"],
      [3, ""],
    ]);
    expectError(await fb([]), 400, "no-rows");
    expectError(await request(server.url, { method: "POST", path: "/feedback", body: "{", headers: { "Content-Type": "application/json" } }), 400, "invalid-json");
  });
});

describe("under load", () => {
  it("answers 200 concurrent clients, each on its own connection, all correctly", async () => {
    const { predictor } = await loadModel(new RunStore(root), { name: "penguins" });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 200 });
    const clients = Array.from({ length: 200 }, async (_, c) => {
      const out: { status: number; ok: boolean }[] = [];
      for (let k = 0; k < 5; k++) {
        const row = rows[(c * 5 + k) % rows.length];
        const a = await post(row, agent);
        out.push({ status: a.status, ok: a.json?.predictions?.[0]?.prediction === predictor.predict([row])[0].prediction });
      }
      return out;
    });
    const all = (await Promise.all(clients)).flat();
    agent.destroy();
    expect(all).toHaveLength(1000);
    expect(all.filter((a) => a.status !== 200 || !a.ok)).toEqual([]);
  });
});

describe("the prediction log", () => {
  it("holds every prediction answered, readable by DuckDB with a glob, joinable with the feedback", async () => {
    await server.close();
    const db = await Database.open();
    try {
      const glob = path.join(root, "predictions", "penguins", "*.ndjson");
      const [count] = await db.rows(`SELECT count(*)::INTEGER AS n, count(DISTINCT request_id)::INTEGER AS requests, min(version)::INTEGER AS v FROM read_json_auto('${glob}')`);
      expect(count).toEqual({ n: predictedRows, requests: expect.any(Number), v: 1 });
      const [one] = await db.rows(`SELECT request_id, "row", model, input."Island" AS island, prediction, probabilities."Adelie" AS p_adelie, latency_ms, typeof(time) AS time_type FROM read_json_auto('${glob}') WHERE request_id = 'client-42'`);
      expect(one).toMatchObject({ request_id: "client-42", row: 0, model: "penguins", island: rows[1].Island, time_type: "TIMESTAMP" });
      expect(typeof one.prediction).toBe("string");
      expect(one.p_adelie as number).toBeGreaterThan(0);
      expect(one.latency_ms as number).toBeGreaterThan(0);
      // Each line is assembled from pieces: exactly JSON.stringify of a PredictionRecord, fields in order.
      const lines = readdirSync(path.dirname(glob)).flatMap((f) => readFileSync(path.join(path.dirname(glob), f), "utf8").split("\n").filter(Boolean));
      expect(lines).toHaveLength(predictedRows);
      for (const line of lines) {
        const r = JSON.parse(line);
        const record: PredictionRecord = { request_id: r.request_id, row: r.row, time: r.time, model: r.model, version: r.version, input: r.input, prediction: r.prediction, ...(r.probabilities ? { probabilities: r.probabilities } : {}), latency_ms: r.latency_ms };
        expect(line).toBe(JSON.stringify(record));
      }
      const joined = await db.rows(`SELECT p.prediction, f.label FROM read_json_auto('${glob}') p JOIN read_json_auto('${path.join(root, "feedback", "penguins", "*.ndjson")}') f USING (request_id, "row")`);
      expect(joined).toHaveLength(2);
    } finally {
      db.close();
    }
  });
});

describe("binding and tokens", () => {
  it("refuses to bind beyond loopback without a token, before opening anything", async () => {
    await expect(startServer({ store: root, ref: { name: "penguins" }, host: "0.0.0.0", port: 0 })).rejects.toMatchObject({ code: "token-required" });
    await expect(startServer({ store: root, ref: { name: "penguins" }, port: 0, token: "has space" })).rejects.toMatchObject({ code: "invalid-token" });
    await expect(startServer({ store: root, ref: { name: "nope" }, port: 0 })).rejects.toMatchObject({ code: "unknown-model-name" });
  });

  it("with a token: every route but /health and /ready needs `Authorization: Bearer TOKEN`", async () => {
    const guarded = await startServer({ store: root, ref: { name: "penguins" }, port: 0, pollMs: 0, token: "s3cret-token", predictionLog: false });
    try {
      const none = await predict(guarded.url, rows[0]);
      expectError(none, 401, "unauthorized");
      expect(none.headers["www-authenticate"]).toMatch(/^Bearer/);
      expectError(await predict(guarded.url, rows[0], undefined, { Authorization: "Bearer s3cret-tokem" }), 401, "unauthorized");
      expectError(await predict(guarded.url, rows[0], undefined, { Authorization: "Bearer s3cret-token-and-more" }), 401, "unauthorized");
      expectError(await predict(guarded.url, rows[0], undefined, { Authorization: "Basic s3cret-token" }), 401, "unauthorized");
      expect((await predict(guarded.url, rows[0], undefined, { Authorization: "Bearer s3cret-token" })).status).toBe(200);
      expect((await request(guarded.url, { path: "/health" })).status).toBe(200);
      expect((await request(guarded.url, { path: "/ready" })).status).toBe(200);
      expectError(await request(guarded.url, { path: "/metrics" }), 401, "unauthorized");
      expectError(await request(guarded.url, { path: "/model" }), 401, "unauthorized");
    } finally {
      await guarded.close();
    }
  });

  it("a port in use is a coded error", async () => {
    const first = await startServer({ store: root, ref: { name: "penguins" }, port: 0, pollMs: 0, predictionLog: false });
    try {
      await expect(startServer({ store: root, ref: { name: "penguins" }, port: first.port, pollMs: 0 })).rejects.toMatchObject({ code: "port-in-use" });
    } finally {
      await first.close();
    }
  });
});
