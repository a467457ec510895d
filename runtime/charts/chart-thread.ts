import { Worker } from "node:worker_threads";
import { abortError } from "../errors.js";
import { compiledWorkerUrl } from "../worker-url.js";
import type { DrawReply, DrawRequest } from "./chart-worker.js";
import { bundleOf, drawImages, type ChartImages, type DrawChart } from "./render-bundle.js";

type Waiting = Omit<DrawRequest, "id"> & { resolve: (images: ChartImages) => void; reject: (e: Error) => void };

/**
 * A worker thread that draws a run's charts (`chart-worker.ts`). Started when a one-shot run's plan
 * will draw a chart, it loads Vega, Vega-Lite and resvg (≈ 200 ms of CPU) on another core while the
 * data steps run, instead of in the plot step. It never keeps the process alive: it is unreferenced
 * but while a chart is being drawn, and `close` (at the run's end, whatever the outcome) terminates it.
 * It is only a head start: should the thread die, its charts are drawn in this thread instead.
 */
export class ChartThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Waiting>();
  private nextId = 0;
  /** Why the thread draws no more: closed, or the run was interrupted. */
  private stopped: Error | undefined;
  /** The thread died (an error no chart caught, its script broken): charts are drawn in this thread. */
  private dead = false;
  private readonly onAbort = () => this.stop(abortError());

  private constructor(
    url: URL,
    private readonly signal?: AbortSignal,
  ) {
    this.worker = new Worker(url);
    this.worker.on("message", (reply: DrawReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      this.referenced();
      if ("images" in reply) waiting.resolve(reply.images);
      else waiting.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name, stack: reply.error.stack }));
    });
    this.worker.on("error", () => this.died());
    this.worker.on("exit", () => this.died());
    signal?.addEventListener("abort", this.onAbort, { once: true });
    // After the listeners: listening for messages references the worker's port again.
    this.worker.unref();
  }

  /**
   * Starts the thread; undefined where there is no compiled script to run in it (running from the
   * TypeScript sources) or no thread can start, and charts are then drawn in the main thread.
   */
  static start(signal?: AbortSignal): ChartThread | undefined {
    const url = compiledWorkerUrl("chart-worker.js", import.meta.url);
    try {
      return url && new ChartThread(url, signal);
    } catch {
      return undefined;
    }
  }

  /** Draws a chart on the thread: the same bundle as `renderBundle` in this thread, byte for byte. */
  readonly draw: DrawChart = async (spec, opts = {}) => {
    if (this.stopped) throw this.stopped;
    if (this.dead) return bundleOf(spec, await drawImages(spec, opts));
    const id = this.nextId++;
    const images = new Promise<ChartImages>((resolve, reject) => this.pending.set(id, { spec, opts, resolve, reject }));
    this.referenced();
    this.worker.postMessage({ id, spec, opts } satisfies DrawRequest);
    return bundleOf(spec, await images);
  };

  /** Ends the thread (a run's end, or its failure); a chart still being drawn fails. */
  close(): void {
    this.stop(new Error("the chart thread was closed"));
  }

  /** The thread holds the process open only while a chart is awaited, so an ending run never waits for it. */
  private referenced(): void {
    if (this.pending.size) this.worker.ref();
    else this.worker.unref();
  }

  /** The thread ended by itself: what it was drawing is drawn here, as is every later chart. */
  private died(): void {
    if (this.stopped || this.dead) return;
    this.dead = true;
    this.worker.unref();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const w of waiting) drawImages(w.spec, w.opts).then(w.resolve, w.reject);
  }

  private stop(why: Error): void {
    if (this.stopped) return;
    this.stopped = why;
    this.signal?.removeEventListener("abort", this.onAbort);
    for (const { reject } of this.pending.values()) reject(why);
    this.pending.clear();
    this.worker.unref();
    void this.worker.terminate();
  }
}
