/**
 * The chart thread's script (`chart-thread.ts` starts it): loads Vega, Vega-Lite and resvg as soon as
 * it starts — while the run goes on in the main thread, on another core — then draws each chart it
 * is sent with the same code as the main thread (`drawImages`), so the bytes are the same.
 */
import { parentPort, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { confusionMatrixChart } from "./confusion-matrix-chart.js";
import { drawImages, loadEngines, renderSvg, type ChartImages, type RenderOptions } from "./render-bundle.js";
import type { VegaLiteSpec } from "./types.js";

/** A chart to draw, as the main thread sends it. */
export interface DrawRequest {
  id: number;
  spec: VegaLiteSpec;
  opts: RenderOptions;
}

/** What the thread answers: the images, or the error drawing threw (its name, message and stack, which a structured clone would not keep whole). */
export type DrawReply = { id: number; images: ChartImages } | { id: number; error: { name: string; message: string; stack?: string } };

if (parentPort) serve(parentPort);

/** Draws what `port` asks, one chart at a time in the order asked (as in the main thread), after warming up. */
function serve(port: MessagePort): void {
  let queue: Promise<void> = Promise.resolve();
  const ask = (req: DrawRequest) => {
    queue = queue.then(() => draw(port, req));
  };
  // A chart asked for while warming up is drawn next, and the warm-up is cut short for it.
  const asked = () => {
    const waiting = receiveMessageOnPort(port);
    if (waiting) ask(waiting.message as DrawRequest);
    return waiting !== undefined;
  };
  queue = queue.then(() => warmUp(asked));
  port.on("message", ask);
}

async function draw(port: MessagePort, req: DrawRequest): Promise<void> {
  let reply: DrawReply;
  try {
    reply = { id: req.id, images: await drawImages(req.spec, req.opts) };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    reply = { id: req.id, error: { name: err.name, message: err.message, stack: err.stack } };
  }
  port.postMessage(reply);
}

/**
 * Loads the libraries, then draws the SVG of a small chart nobody sees, unless a chart is asked for
 * first: a first SVG costs about twice a later one (Vega's code compiled and optimised), and here
 * that happens while the run's data steps still go on. Not its PNG: resvg reads the system fonts for
 * every image, so a first PNG costs hardly more than a later one. Vega's per-chart ids are reset for
 * every chart, so what was drawn before does not change a chart.
 */
async function warmUp(asked: () => boolean): Promise<void> {
  try {
    loadEngines();
    if (asked()) return;
    await renderSvg(confusionMatrixChart({ classes: ["a", "b"], matrix: [[1, 0], [0, 1]] }));
  } catch {
    // A library that does not load fails each chart with the error it gives in the main thread.
  }
}
