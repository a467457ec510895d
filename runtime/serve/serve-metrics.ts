import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { SegmentLogStats } from "./segment-log.js";

/** The routes metrics are labelled with; anything else is `other`, so a scan of random paths cannot grow the label set. */
export const metricRoutes = ["/predict", "/feedback", "/health", "/ready", "/model", "/metrics"] as const;

/**
 * A server's Prometheus metrics, in a registry of its own (a kernel may serve several models):
 * requests by route and status, latency, prediction errors, rows predicted, the model version
 * served, reloads, the prediction log's counters, and prom-client's process metrics (RSS, CPU,
 * event-loop lag, heap, GC).
 */
export class ServeMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: "lathe_requests_total", help: "HTTP requests answered, by route and status", labelNames: ["route", "status"], registers: [this.registry] });
  private readonly duration = new Histogram({
    name: "lathe_request_duration_seconds",
    help: "Time from a request's arrival to its answer, by route",
    labelNames: ["route"],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly errors = new Counter({ name: "lathe_prediction_errors_total", help: "Prediction requests that failed, by error code", labelNames: ["code"], registers: [this.registry] });
  private readonly rows = new Counter({ name: "lathe_predictions_total", help: "Rows predicted", registers: [this.registry] });
  private readonly info = new Gauge({ name: "lathe_model_info", help: "The model version being served (value 1)", labelNames: ["name", "version"], registers: [this.registry] });
  private readonly reloads = new Counter({ name: "lathe_model_reloads_total", help: "Times a new version was swapped in after the registry moved", registers: [this.registry] });
  private readonly reloadFailures = new Counter({ name: "lathe_model_reload_failures_total", help: "Reloads that failed (the version before kept serving)", registers: [this.registry] });
  // Bound children, so a request does not hash its labels.
  private readonly bound = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();

  constructor(logStats: () => { predictions: SegmentLogStats; feedback: SegmentLogStats }) {
    collectDefaultMetrics({ register: this.registry });
    // The logs count for themselves; a scrape brings these counters up to their totals.
    const logCounter = (name: string, help: string, read: (s: ReturnType<typeof logStats>) => number) => {
      let last = 0;
      return new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          const now = read(logStats());
          this.inc(now - last);
          last = now;
        },
      });
    };
    logCounter("lathe_prediction_log_records_total", "Predictions written to the prediction log", (s) => s.predictions.written);
    logCounter("lathe_prediction_log_dropped_total", "Predictions not logged (the log's writes failed or lagged too far behind)", (s) => s.predictions.dropped);
    logCounter("lathe_prediction_log_write_errors_total", "Failed writes of the prediction log", (s) => s.predictions.errors);
    logCounter("lathe_feedback_log_records_total", "Labels written to the feedback log", (s) => s.feedback.written);
  }

  /** Counts an answered request and its time in seconds. */
  request(route: string, status: number, seconds: number): void {
    const r = (metricRoutes as readonly string[]).includes(route) ? route : "other";
    const key = `${r} ${status}`;
    let b = this.bound.get(key);
    if (!b) {
      b = { count: this.requests.labels(r, String(status)), time: this.duration.labels(r) };
      this.bound.set(key, b);
    }
    b.count.inc();
    b.time.observe(seconds);
  }

  /** Counts a failed prediction request by its code. */
  predictionError(code: string): void {
    this.errors.inc({ code });
  }

  /** Counts rows predicted. */
  predicted(n: number): void {
    this.rows.inc(n);
  }

  /** Sets the version served. */
  model(name: string, version: number): void {
    this.info.reset();
    this.info.set({ name, version: String(version) }, 1);
  }

  /** Counts a reload, or a failed one. */
  reloaded(ok: boolean): void {
    (ok ? this.reloads : this.reloadFailures).inc();
  }

  /** The Prometheus text exposition and its content type. */
  async text(): Promise<{ body: string; type: string }> {
    return { body: await this.registry.metrics(), type: this.registry.contentType };
  }
}
