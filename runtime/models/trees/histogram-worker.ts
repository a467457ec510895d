/**
 * Worker-thread entry of the histogram pass: builds its features' share of each node's histograms
 * over buffers shared with the main thread (histogram-threads.ts has the protocol). It blocks in
 * Atomics.wait between requests and takes them with `receiveMessageOnPort`, so a request costs a
 * futex wake, not a trip through either event loop.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import { buildHistograms, type HistogramData, type HistogramRequest } from "./gradient-histograms.js";

/** What the main thread passes when it starts a worker. */
export interface HistogramWorkerData {
  histogramWorker: true;
  data: HistogramData;
  /** [0]: the latest request's sequence number; [1 + t]: the last one worker t finished (−1: it failed). */
  control: Int32Array;
  port: MessagePort;
  /** This worker's number t ≥ 1 and its features [j0, j1). */
  index: number;
  j0: number;
  j1: number;
}

/** Messages on the port, in order: a new histogram slot, a build request, or the end. */
export type HistogramMessage = { op: "slot"; hist: Float64Array } | ({ op: "build"; slot: number; seq: number } & HistogramRequest) | { op: "stop" };

if (workerData && (workerData as { histogramWorker?: boolean }).histogramWorker) {
  const { data, control, port, index, j0, j1 } = workerData as HistogramWorkerData;
  const slots: Float64Array[] = [];
  let seen = 0;
  let running = true;
  // Loaded: from here on a failure is reported through `control`, so the main thread never waits on a dead worker.
  parentPort?.postMessage("ready");
  while (running) {
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
      const message = m.message as HistogramMessage;
      if (message.op === "slot") slots.push(message.hist);
      else if (message.op === "stop") running = false;
      else {
        try {
          buildHistograms(data, slots[message.slot], j0, j1, message);
          Atomics.store(control, index, message.seq);
        } catch {
          Atomics.store(control, index, -1);
        }
        Atomics.notify(control, index);
      }
    }
  }
  port.close();
}
