import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../runtime/data/database.js";
import { freePort, penguinRows, predict, registeredStore, request } from "../runtime/serve/fixture.js";
import { dataset, latheSync, repo, tempDir } from "../helpers.js";

const rows = penguinRows();
const bin = path.join(repo, "bin/lathe.js");

/** A `lathe` process and its output so far. */
interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

function start(args: string[], env: Record<string, string> = {}, cwd?: string): Running {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env }, cwd });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

/** Waits for a line of stdout matching `re`; fails with the process's output if it exits first. */
async function waitFor(p: Running, re: RegExp, ms = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = re.exec(p.out());
    if (m) return m;
    if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${re} in the output (exit ${p.child.exitCode}):\n${p.out()}\n${p.err()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const lathe = latheSync;

let root: string;
beforeAll(async () => {
  root = await registeredStore();
});

describe("lathe serve", () => {
  it("SIGTERM under load: requests in flight all finish, the prediction log is complete, exit 0", async () => {
    const p = start(["serve", "penguins", "--port", "0", "--store", root]);
    const [, version, url] = await waitFor(p, /^serving penguins \(version (\d+)\) at (http:\/\/127\.0\.0\.1:\d+)$/m);
    expect(version).toBe("1");
    let signalled = false;
    let answered = 0;
    const failures: string[] = [];
    let refused = 0;
    // Clients open a connection per request, so a request is either accepted (and must be answered)
    // or refused at connect once the server stops listening.
    const clients = Array.from({ length: 24 }, async (_, c) => {
      for (let k = 0; ; k++) {
        try {
          const a = await predict(url, rows[(c + 24 * k) % rows.length], false);
          if (a.status === 200 && a.json.predictions.length === 1) answered++;
          else failures.push(`${a.status} ${a.text}`);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (signalled && (code === "ECONNREFUSED" || code === "ECONNRESET" || code === "EPIPE")) {
            refused++;
            return;
          }
          failures.push(`${signalled ? "after" : "before"} SIGTERM: ${String(e)}`);
          return;
        }
      }
    });
    // Requests surely in flight: headers and half a body sent before the signal, the rest after it.
    const body = JSON.stringify(rows[0]);
    const inFlight = Array.from({ length: 4 }, () => {
      const socket = net.connect(Number(new URL(url).port), "127.0.0.1");
      let answer = "";
      socket.on("data", (d) => (answer += d));
      socket.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 20)}`);
      return { socket, answer: new Promise<string>((resolve) => socket.on("close", () => resolve(answer))) };
    });
    await new Promise((r) => setTimeout(r, 800));
    const before = answered;
    expect(before).toBeGreaterThan(20);
    signalled = true;
    p.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    for (const f of inFlight) f.socket.write(body.slice(20));
    const answers = await Promise.all(inFlight.map((f) => f.answer));
    await Promise.all(clients);
    expect(await p.exit).toBe(0);
    expect(failures).toEqual([]);
    for (const a of answers) {
      expect(a).toMatch(/^HTTP\/1\.1 200 /);
      expect(a).toMatch(/\r\nConnection: close\r\n/i);
      expect(JSON.parse(a.slice(a.indexOf("\r\n\r\n") + 4)).model).toEqual({ name: "penguins", version: 1 });
    }
    expect(p.out()).toMatch(/stopping \(SIGTERM\): finishing requests in flight/);
    // Every answered prediction is in the log, written out before the process exited.
    const db = await Database.open();
    try {
      const [{ n }] = await db.rows(`SELECT count(*)::INTEGER AS n FROM read_json_auto('${path.join(root, "predictions", "penguins", "*.ndjson")}')`);
      expect(n).toBe(answered + answers.length);
      // And the process's last resource sample, taken as it stopped.
      const [{ samples }] = await db.rows(`SELECT count(*)::INTEGER AS samples FROM read_json_auto('${path.join(root, "resources", "penguins", "*.ndjson")}') WHERE rss_bytes > 0`);
      expect(samples).toBeGreaterThanOrEqual(1);
    } finally {
      db.close();
    }
  });

  it("a user's mistake is a coded message and exit 2 or 4, never 70", async () => {
    const unknown = lathe(["serve", "nope", "--store", root]);
    expect([unknown.code, unknown.err]).toEqual([4, expect.stringContaining("lathe: error[unknown-model-name]: no model is registered as \"nope\"; the registry has \"penguins\"")]);
    const open = lathe(["serve", "penguins", "--host", "0.0.0.0", "--store", root]);
    expect([open.code, open.err]).toEqual([2, expect.stringContaining("error[token-required]")]);
    const alias = lathe(["serve", "penguins@be st", "--store", root]);
    expect([alias.code, alias.err]).toEqual([2, expect.stringContaining("error[invalid-alias]")]);
    const unset = lathe(["serve", "penguins@best", "--store", root]);
    expect([unset.code, unset.err]).toEqual([4, expect.stringContaining('error[unknown-alias]: "penguins" has no alias "best"')]);
    const port = lathe(["serve", "penguins", "--port", "http", "--store", root]);
    expect([port.code, port.err]).toEqual([2, expect.stringContaining("--port takes a whole number from 0 to 65535")]);
    const taken = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => taken.once("listening", r));
    try {
      const busy = lathe(["serve", "penguins", "--port", String((taken.address() as net.AddressInfo).port), "--store", root]);
      expect([busy.code, busy.err]).toEqual([2, expect.stringContaining("error[port-in-use]")]);
      expect(busy.err).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });
});

describe("serve in a program", () => {
  it("`lathe run` records the spec and returns; `--serve` serves after the run; `lathe serve NAME` uses the recorded port", async () => {
    const dir = tempDir();
    const port = await freePort();
    writeFileSync(
      path.join(dir, "job.lathe"),
      `source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins { drop rows where Species is missing
  fill "Flipper Length (mm)" with median }
split clean into train 80%, test 20% stratify by Species seed 1
model m = decision_tree predicting Species from train { features: "Flipper Length (mm)" }
assert m on test: accuracy >= 0.5
register m as "birds"
promote "birds"
serve "birds" port ${port}
`,
    );
    const run = start(["run", "job.lathe", "--serve"], {}, dir);
    const [, url] = await waitFor(run, /^serving birds \(version 1\) at (http:\/\/127\.0\.0\.1:\d+)$/m);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(run.out()).toMatch(/serve "birds" port \d+: birds \(now version 1\) to be served on port \d+, recorded in \.lathe\/serving\/birds\.json: served when the run ends \(--serve\)/);
    const a = await predict(url, { "Flipper Length (mm)": 190 });
    expect([a.status, a.json.model]).toEqual([200, { name: "birds", version: 1 }]);
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);

    // Without --serve a run never blocks: the statement records the spec and says how to start it.
    writeFileSync(path.join(dir, "serve-only.lathe"), `serve "birds" port ${port}\n`);
    const plain = lathe(["run", "serve-only.lathe"], dir);
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/start it with `lathe serve birds`, or run the program with --serve/);

    // `lathe serve NAME` takes the recorded port; a token from LATHE_SERVE_TOKEN guards it.
    const served = start(["serve", "birds"], { LATHE_SERVE_TOKEN: "t0ken" }, dir);
    await waitFor(served, new RegExp(`^serving birds \\(version 1\\) at http://127\\.0\\.0\\.1:${port}$`, "m"));
    expect((await predict(url, { "Flipper Length (mm)": 190 })).status).toBe(401);
    expect((await predict(url, { "Flipper Length (mm)": 190 }, undefined, { Authorization: "Bearer t0ken" })).status).toBe(200);
    expect((await request(url, { path: "/health", agent: new http.Agent() })).status).toBe(200);
    served.child.kill("SIGTERM");
    expect(await served.exit).toBe(0);
  });
});
