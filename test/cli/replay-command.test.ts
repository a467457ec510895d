import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { feedbackLogDir, predictionLogDir, type FeedbackRecord, type PredictionRecord } from "../../runtime/serve/prediction-log.js";
import { startServer, type ServeHandle } from "../../runtime/serve/server.js";
import { freePort, penguinRows, registeredStore } from "../runtime/serve/fixture.js";
import { repo, tempDir } from "../helpers.js";

const bin = path.join(repo, "bin/lathe.js");

/** `lathe ARGS` as a child process, waited for without blocking the server this process runs. */
function lathe(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LATHE_STORE: "" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b));
    child.stderr.on("data", (b: Buffer) => (err += b));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

/** Every record of the NDJSON segments of a log folder. */
function records<T>(dir: string): T[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ndjson"))
    .flatMap((f) => readFileSync(path.join(dir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as T));
}

const inputColumns = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "Island"];
// 47 rows in batches of 10: the last request is short, so row indices within a request are exercised.
const rows = penguinRows().filter((_, i) => i % 7 === 0).slice(0, 47);
let root: string;
let server: ServeHandle;
let input: string;

beforeAll(async () => {
  root = await registeredStore();
  server = await startServer({ store: root, ref: { name: "penguins" }, port: 0, pollMs: 0, logOptions: { flushMs: 20 } });
  input = path.join(tempDir("lathe-replay-"), "penguins-later.json");
  writeFileSync(input, JSON.stringify(rows));
}, 120_000);
afterAll(() => server?.close());

describe("lathe replay", () => {
  it("sends every row to /predict and its label to /feedback, joined to the request id and row that answered it", async () => {
    const r = await lathe(["replay", "penguins", "--input", input, "--label", "Species", "--url", server.url, "--batch", "10", "--store", root]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toMatch(new RegExp(`^replayed 47 rows of .*penguins-later\\.json to ${server.url.replace(/\./g, "\\.")} in 5 requests, answered by version 1 \\(47 rows\\); 47 labels sent to /feedback; \\d+ of 47 answers \\([\\d.]+%\\) matched their label\\n$`));
    await server.close(); // writes what the logs still buffer

    const predictions = records<PredictionRecord>(predictionLogDir(root, "penguins"));
    const feedback = records<FeedbackRecord>(feedbackLogDir(root, "penguins"));
    expect(predictions).toHaveLength(47);
    expect(feedback).toHaveLength(47);
    expect(new Set(predictions.map((p) => p.request_id)).size).toBe(5);
    expect(predictions.every((p) => !("Species" in p.input))).toBe(true);
    const byKey = new Map(predictions.map((p) => [`${p.request_id}/${p.row}`, p]));
    // Requests in file order, rows in request order: feedback record k belongs to file row k.
    const requestIds = [...new Set(predictions.map((p) => p.request_id))];
    const ordered = [...feedback].sort((a, b) => requestIds.indexOf(a.request_id) - requestIds.indexOf(b.request_id) || a.row - b.row);
    ordered.forEach((f, k) => {
      const p = byKey.get(`${f.request_id}/${f.row}`);
      expect(p, `feedback ${f.request_id}/${f.row} has no prediction`).toBeDefined();
      expect(f.row).toBe(k % 10);
      expect(f.label).toBe(rows[k].Species);
      expect(Object.fromEntries(inputColumns.map((c) => [c, p!.input[c]]))).toEqual(Object.fromEntries(inputColumns.map((c) => [c, rows[k][c]])));
    });
    server = await startServer({ store: root, ref: { name: "penguins" }, port: 0, pollMs: 0, logOptions: { flushMs: 20 } });
  }, 120_000);

  it("coded errors exit 4: no server, no such label column, another model, another version", async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await lathe(["replay", "penguins", "--input", input, "--label", "Species", "--url", nobody, "--store", root]);
    expect(unreachable.code).toBe(4);
    expect(unreachable.err).toMatch(/^lathe: error\[server-unreachable\]: no server answers at http:\/\/127\.0\.0\.1:\d+ /);

    const column = await lathe(["replay", "penguins", "--input", input, "--label", "species", "--url", server.url, "--store", root]);
    expect(column.code).toBe(4);
    expect(column.err).toMatch(/^lathe: error\[unknown-column\]: .*penguins-later\.json has no column "species"/);

    const model = await lathe(["replay", "puffins", "--input", input, "--label", "Species", "--url", server.url, "--store", root]);
    expect(model.code).toBe(4);
    expect(model.err).toMatch(/^lathe: error\[wrong-model\]: the server at .* serves "penguins", not "puffins"/);

    // The server serves the champion, version 1; version 2 is registered but never promoted, so the wait times out.
    const version = await lathe(["replay", "penguins", "--input", input, "--label", "Species", "--url", server.url, "--version", "2", "--store", root]);
    expect(version.code).toBe(4);
    expect(version.err).toMatch(/^lathe: error\[version-mismatch\]: the server at .* still serves version 1 of "penguins" after 15 s, not version 2/);
    for (const r of [unreachable, column, model, version]) expect(r.err).not.toMatch(/\n\s+at |\.js:\d+/);
    // None of them sent a prediction.
    expect(records<PredictionRecord>(predictionLogDir(root, "penguins"))).toHaveLength(47);
  }, 120_000);

  it("usage errors exit 2", async () => {
    for (const args of [
      ["--input", input, "--label", "Species", "--url", server.url, "--batch", "0"],
      ["--input", input, "--label", "Species", "--url", server.url, "--version", "two"],
      ["--input", input, "--label", "Species", "--url", "127.0.0.1:8080"],
      ["--label", "Species", "--url", server.url],
    ]) {
      const r = await lathe(["replay", "penguins", ...args, "--store", root]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
