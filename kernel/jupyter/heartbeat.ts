/**
 * The heartbeat channel: a REP socket echoing every ping. It runs in a worker
 * thread so it keeps answering while the main thread is busy in a long cell;
 * otherwise frontends would declare the kernel dead mid-computation.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** A running heartbeat; `stop` closes its socket and ends the thread. */
export interface Heartbeat {
  stop(): Promise<void>;
}

// Inline (CommonJS) source rather than a sibling file, so the heartbeat works
// whether this module runs from dist/ or from TypeScript sources under vitest.
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const zmq = require(workerData.zeromq);
const socket = new zmq.Reply({ linger: 0 });
parentPort.on("message", (m) => {
  if (m === "stop") { socket.close(); parentPort.close(); }
});
(async () => {
  await socket.bind(workerData.address);
  parentPort.postMessage({ bound: true });
  for await (const frames of socket) await socket.send(frames);
})().catch((err) => {
  if (!socket.closed) parentPort.postMessage({ error: String(err && err.stack || err) });
});
`;

/** Binds the heartbeat socket at `address` in a worker thread; resolves once bound. */
export function startHeartbeat(address: string): Promise<Heartbeat> {
  const zeromq = createRequire(import.meta.url).resolve("zeromq");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { zeromq, address } });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    worker.on("error", reject);
    worker.on("message", (msg: { bound?: boolean; error?: string }) => {
      if (msg.bound) {
        resolve({
          async stop() {
            // terminate() would abort the process inside the native addon; ask the thread to close its socket instead.
            worker.postMessage("stop");
            await exited;
          },
        });
      } else if (msg.error) {
        reject(new Error(`heartbeat: ${msg.error}`));
        process.stderr.write(`heartbeat: ${msg.error}\n`);
      }
    });
  });
}
