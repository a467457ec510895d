import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { Session } from "../../../api/session.js";
import { dataset, tempDir } from "../../helpers.js";

/**
 * A run store whose registry a real Lathe program filled: "penguins" version 1 a logistic
 * regression (the champion), version 2 a random forest (registered, not promoted).
 */
export async function registeredStore(): Promise<string> {
  const root = path.join(tempDir("lathe-serve-"), ".lathe");
  const s = await Session.open({ root });
  try {
    const r = await s.run(`source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins {
  drop rows where Species is missing
  fill "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)" with median
  onehot Island
}
split clean into train 70%, test 30% stratify by Species seed 5
model lr = logistic_regression predicting Species from train { features: "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", Island }
model forest = random_forest predicting Species from train { features: "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", Island; trees: 20 }
evaluate lr on test metrics accuracy
register lr as "penguins"
promote "penguins"
register forest as "penguins"`);
    if (r.error || !r.ok) throw new Error(`the fixture program failed: ${r.error?.message ?? JSON.stringify(r.diagnostics)}`);
  } finally {
    s.close();
  }
  return root;
}

/** Raw penguins rows with a species (the fields a client would send; extra fields are ignored by the model). */
export function penguinRows(): Record<string, unknown>[] {
  return (JSON.parse(readFileSync(dataset("penguins.json"), "utf8")) as Record<string, unknown>[]).filter((r) => r.Species !== null);
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One HTTP request with a real client; the answer's status, headers and body (parsed when JSON). */
export function request(url: string, options: { method?: string; path?: string; body?: string | Buffer; headers?: Record<string, string>; agent?: http.Agent | false } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url + (options.path ?? ""), { method: options.method ?? "GET", headers: options.headers, agent: options.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/**
 * Writes raw bytes on a fresh connection and reads until the server closes it. A body over the
 * limit is refused before it is all sent and the connection closed: a client still writing it
 * may see EPIPE instead of the answer, so such a request is sent this way, never with `request`.
 */
export function raw(url: string, bytes: string, holdOpenMs = 0): Promise<string> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let got = "";
    socket.on("data", (d) => (got += d.toString("utf8")));
    socket.on("error", reject);
    socket.on("close", () => resolve(got));
    socket.write(bytes);
    // Never end our side: the server answers (and closes) without waiting for the rest.
    if (holdOpenMs) setTimeout(() => socket.destroy(), holdOpenMs).unref();
  });
}

/** `POST /predict` of a JSON body. */
export function predict(url: string, body: unknown, agent?: http.Agent | false, headers: Record<string, string> = {}): Promise<Answer> {
  return request(url, { method: "POST", path: "/predict", body: JSON.stringify(body), headers: { "Content-Type": "application/json", ...headers }, agent });
}

/** What one client of a load generator saw: the version of each answer, in order, and every failure. */
export interface ClientLog {
  versions: number[];
  failures: string[];
}

/**
 * Clients that each send single-row `POST /predict` requests one after another on keep-alive
 * connections until stopped; every answer that is not a 200 with a prediction is a failure.
 */
export function loadGenerator(url: string, clients: number, rows: Record<string, unknown>[]): { logs: ClientLog[]; stop: () => Promise<ClientLog[]> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  let running = true;
  const logs: ClientLog[] = Array.from({ length: clients }, () => ({ versions: [], failures: [] }));
  const loops = logs.map(async (log, c) => {
    for (let k = 0; running; k++) {
      try {
        const a = await predict(url, rows[(c + k * clients) % rows.length], agent);
        if (a.status !== 200 || typeof a.json?.predictions?.[0]?.prediction !== "string") log.failures.push(`${a.status} ${a.text}`);
        else log.versions.push(a.json.model.version);
      } catch (e) {
        log.failures.push(String(e));
      }
    }
  });
  return {
    logs,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return logs;
    },
  };
}

/** Waits until `check` holds, polling every 20 ms; throws after `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A port free at the moment (bound on 127.0.0.1 and released), for what cannot take port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
