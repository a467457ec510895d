/**
 * The histogram pass split by features over several threads. With the native module the threads
 * are its own (native/work-pool.cc): one call builds every feature, the module handing ranges of
 * features to its kept threads. Without it (the JavaScript engine) they are worker threads:
 * everything the pass reads and writes lives in SharedArrayBuffers; a build posts the request to
 * each worker, wakes them through one Atomics word, builds this thread's features, then waits for
 * theirs. Either way each feature is built by one thread with the same loop
 * (gradient-histograms.ts), so the histograms — and the model — are the same bit for bit whatever
 * the number of threads.
 */
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { boostingKernels, buildHistograms, typedArray, type HistogramData, type HistogramRequest } from "./gradient-histograms.js";
import type { HistogramMessage, HistogramWorkerData } from "./histogram-worker.js";

/** Fewest row × feature cells for which a node's pass is shared with the workers (a wake costs tens of µs). */
const SHARE_MIN_CELLS = 50_000;

/** Histogram builds for one fit: in this thread only, or shared with workers. */
export class HistogramThreads {
  private readonly workers: { worker: Worker; port: MessagePort }[] = [];
  private readonly control: Int32Array;
  private readonly slots = new Map<Float64Array, number>();
  private seq = 0;
  /** The end of this thread's features [0, j1). */
  private readonly j1: number;

  private constructor(
    private readonly data: HistogramData,
    threads: number,
    /** The native module's threads a pass uses (1 when the JavaScript engine runs, or with worker threads). */
    readonly native = 1,
  ) {
    this.control = typedArray(Int32Array, threads, true);
    this.j1 = Math.floor(data.features / threads);
  }

  /**
   * Histogram builds over `data` on `threads` threads: the native module's when it is built, else
   * this one and `threads − 1` workers running `url`, started and loaded before this resolves
   * (this thread only without a url).
   */
  static async start(data: HistogramData, threads: number, url: URL | undefined): Promise<HistogramThreads> {
    if (boostingKernels()) return new HistogramThreads(data, 1, Math.max(1, Math.min(threads, data.features)));
    const t = url ? Math.max(1, Math.min(threads, data.features)) : 1;
    const pool = new HistogramThreads(data, t);
    const cut = (k: number) => Math.floor((k * data.features) / t);
    try {
      for (let k = 1; k < t; k++) {
        const { port1, port2 } = new MessageChannel();
        const workerData: HistogramWorkerData = { histogramWorker: true, data, control: pool.control, port: port2, index: k, j0: cut(k), j1: cut(k + 1) };
        const worker = new Worker(url!, { workerData, transferList: [port2] });
        pool.workers.push({ worker, port: port1 });
        await new Promise<void>((resolve, reject) => {
          worker.once("message", () => resolve());
          worker.once("error", reject);
          worker.once("exit", (code) => reject(new Error(`a histogram worker exited (${code}) before it started`)));
        });
        worker.removeAllListeners();
        // A worker that dies later fails its build through `control`; its error event must not crash the process.
        worker.on("error", () => undefined);
        worker.unref();
      }
    } catch (e) {
      pool.close();
      throw e;
    }
    return pool;
  }

  /** Threads building histograms (1 = this thread only). */
  get threads(): number {
    return this.workers.length + this.native;
  }

  /** A zeroed histogram buffer the workers can write (shared when there are workers). */
  allocate(size: number): Float64Array {
    if (this.workers.length === 0) return new Float64Array(size);
    const hist = typedArray(Float64Array, size, true);
    this.slots.set(hist, this.slots.size);
    for (const w of this.workers) w.port.postMessage({ op: "slot", hist } satisfies HistogramMessage);
    return hist;
  }

  /** Builds every feature's histograms for the request into zeroed `hist`. */
  build(hist: Float64Array, r: HistogramRequest): void {
    const cells = (r.root ? this.data.n : r.end - r.start) * this.data.features;
    if (this.workers.length === 0 || cells < SHARE_MIN_CELLS) {
      buildHistograms(this.data, hist, 0, this.data.features, r, this.native);
      return;
    }
    const seq = ++this.seq;
    const message: HistogramMessage = { op: "build", slot: this.slots.get(hist)!, seq, ...r };
    for (const w of this.workers) w.port.postMessage(message);
    Atomics.store(this.control, 0, seq);
    Atomics.notify(this.control, 0);
    buildHistograms(this.data, hist, 0, this.j1, r);
    for (let k = 1; k <= this.workers.length; k++) {
      for (let v = Atomics.load(this.control, k); v !== seq; v = Atomics.load(this.control, k)) {
        if (v === -1) throw new Error("a histogram worker failed");
        Atomics.wait(this.control, k, v, 1000);
      }
    }
  }

  /** Stops the workers. */
  close(): void {
    if (this.workers.length === 0) return;
    for (const w of this.workers) w.port.postMessage({ op: "stop" } satisfies HistogramMessage);
    Atomics.store(this.control, 0, ++this.seq);
    Atomics.notify(this.control, 0);
    for (const w of this.workers) {
      w.port.close();
      void w.worker.terminate();
    }
    this.workers.length = 0;
  }
}
