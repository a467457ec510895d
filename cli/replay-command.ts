import path from "node:path";
import { DataError } from "../runtime/errors.js";
import { exitCodes, usageError } from "./exit-codes.js";

/** How long `--version N` waits for the server to follow the registry to that version. */
const versionWaitMs = 15_000;

export interface ReplayOptions {
  /** Files replayed one after another (one line of output each). */
  input: string | string[];
  label: string;
  url?: string;
  batch: string;
  version?: string;
  store: string;
}

/**
 * `lathe replay NAME --input FILE... --label COLUMN [--url URL] [--batch N] [--version N]`: sends the
 * rows of a file to a running server the way live traffic arrives — `POST /predict` in batches of
 * N rows without the label column, then each row's true label to `POST /feedback` with the request
 * id and row the answer gave — so the server's prediction and feedback logs hold what `monitor`
 * scores. Real HTTP to a real server: nothing is written to the logs directly. The URL defaults to
 * loopback on the port the model's `serve` statement recorded (else 8080). `--version N` waits for
 * the server to serve version N (it follows promotions by itself) and refuses answers from another.
 */
export async function replayCommand(name: string, opts: ReplayOptions): Promise<number> {
  const batch = Number(opts.batch);
  if (!(Number.isInteger(batch) && batch >= 1 && batch <= 10_000)) throw usageError(`--batch takes a whole number of rows from 1 to 10000, got ${JSON.stringify(opts.batch)}`);
  const version = opts.version === undefined ? undefined : Number(opts.version);
  if (version !== undefined && !(Number.isInteger(version) && version >= 1)) throw usageError(`--version takes a whole number from 1, got ${JSON.stringify(opts.version)}`);
  if (opts.url !== undefined && !/^https?:\/\/[^/]+\/?$/.test(opts.url)) throw usageError(`--url takes the server's address, such as http://127.0.0.1:8080, got ${JSON.stringify(opts.url)}`);
  const inputs = typeof opts.input === "string" ? [opts.input] : opts.input;
  if (!inputs.length) throw usageError("--input takes a file of rows to replay");
  try {
    const url = (opts.url ?? (await defaultUrl(path.resolve(opts.store), name))).replace(/\/$/, "");
    // One process for several files: each file is a replay of its own, in order.
    for (const input of inputs) await replayFile(name, url, input, opts.label, batch, version);
    return exitCodes.ok;
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    process.stderr.write(`lathe: error[${e.code}]: ${e.message}\n`);
    return exitCodes.dataError;
  }
}

/** Replays one file's rows to the server at `url`, then says what was sent and how many answers matched. */
async function replayFile(name: string, url: string, input: string, label: string, batch: number, version: number | undefined): Promise<void> {
  const rows = await readRows(input, label);
  const served = await servedVersion(url, name, version);
  let requests = 0;
  let labels = 0;
  let matched = 0;
  const versions = new Map<number, number>();
  for (let start = 0; start < rows.length; start += batch) {
    const chunk = rows.slice(start, start + batch);
    const answer = (await post(url, "/predict", chunk.map((r) => r.input))) as { predictions: { prediction: unknown }[]; model: { name: string; version: number }; request_id: string };
    requests++;
    if (version !== undefined && answer.model.version !== version) throw new DataError(`the server answered with version ${answer.model.version} of "${name}" while version ${version} was asked for (--version): it changed version during the replay`, undefined, "version-mismatch");
    versions.set(answer.model.version, (versions.get(answer.model.version) ?? 0) + chunk.length);
    const feedback = chunk.flatMap((r, row) => (r.label === null || r.label === undefined ? [] : [{ request_id: answer.request_id, row, label: r.label }]));
    chunk.forEach((r, i) => r.label !== null && r.label !== undefined && String(answer.predictions[i].prediction) === String(r.label) && matched++);
    if (feedback.length) await post(url, "/feedback", feedback);
    labels += feedback.length;
  }
  const by = [...versions].map(([v, n]) => `version ${v} (${n} rows)`).join(", ") || `version ${served}`;
  const share = labels ? `; ${matched} of ${labels} answers (${((100 * matched) / labels).toFixed(1)}%) matched their label` : "";
  process.stdout.write(`replayed ${rows.length} rows of ${input} to ${url} in ${requests} requests, answered by ${by}; ${labels} labels sent to /feedback${share}\n`);
}

/** Loopback on the port the name's `serve` statement recorded, else the default port. */
async function defaultUrl(root: string, name: string): Promise<string> {
  const { defaultServePort, readServingSpec } = await import("../runtime/serve/serving-spec.js");
  return `http://127.0.0.1:${readServingSpec(root, name)?.port ?? defaultServePort}`;
}

/** The file's rows, each split into the input sent to /predict and the label sent to /feedback. */
async function readRows(input: string, label: string): Promise<{ input: Record<string, unknown>; label: unknown }[]> {
  const { Database } = await import("../runtime/data/database.js");
  const { sourceSql } = await import("../runtime/data/source.js");
  const { ident } = await import("../runtime/sql/quote.js");
  const db = await Database.open();
  try {
    const { sql } = await sourceSql({ kind: "file", path: { value: input } as never, options: [] }, process.cwd(), { db });
    const columns = (await db.describe(`SELECT * FROM ${sql}`)).map((c) => c.name);
    if (!columns.includes(label)) throw new DataError(`${input} has no column ${JSON.stringify(label)} to take the labels from (--label); its columns: ${columns.join(", ")}`, input, "unknown-column");
    // Row order is the file's: the replay is the same every time.
    const rows = await db.rows(`SELECT * FROM ${sql}`);
    return rows.map((r) => {
      const { [label]: value, ...rest } = r;
      return { input: rest, label: value ?? null };
    });
  } finally {
    db.close();
  }
}

/** Which version the server at `url` serves; with `want`, waits for the server to serve that version. */
async function servedVersion(url: string, name: string, want: number | undefined): Promise<number> {
  const deadline = Date.now() + versionWaitMs;
  for (;;) {
    const model = (await request(url, "/model")) as { name: string; version: number };
    if (model.name !== name) throw new DataError(`the server at ${url} serves "${model.name}", not "${name}"`, undefined, "wrong-model");
    if (want === undefined || model.version === want) return model.version;
    if (Date.now() > deadline) throw new DataError(`the server at ${url} still serves version ${model.version} of "${name}" after ${versionWaitMs / 1000} s, not version ${want} (--version): promote it, or serve that version`, undefined, "version-mismatch");
    await new Promise((r) => setTimeout(r, 200));
  }
}

function post(url: string, route: string, body: unknown): Promise<unknown> {
  return request(url, route, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** One request; a server that is not there or refuses it is a coded error, with the server's own code when it gave one. */
async function request(url: string, route: string, init?: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url + route, init);
  } catch (e) {
    throw new DataError(`no server answers at ${url} (${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message}): start one with \`lathe serve NAME\` or a \`serve\` statement in the kernel, or give --url`, undefined, "server-unreachable");
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new DataError(`${route} answered ${res.status}: ${err?.message ?? text.slice(0, 200)}`, undefined, err?.code ?? "server-refused");
  }
  if (body === undefined) throw new DataError(`${route} answered ${res.status} with a body that is not JSON: is ${url} a Lathe server?`, undefined, "server-refused");
  return body;
}
