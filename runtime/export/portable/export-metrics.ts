/**
 * Prometheus text for an exported model's server, without prom-client (the folder has no
 * dependencies): requests by route and status, a latency histogram, rows predicted, the model's
 * version, and the process's memory, CPU and event-loop lag — the series `lathe serve` exposes
 * under the same names. Copied into container exports.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

/** Latency buckets in seconds (prom-client's defaults). */
const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A label value, escaped for the text format. */
function label(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** What the server counts, and its text. */
export class ExportMetrics {
  private readonly requests = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private readonly counts = new Map<string, number[]>();
  private readonly sums = new Map<string, number>();
  private rows = 0;
  private readonly lag = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly model: { name: string; version: number }) {
    this.lag.enable();
  }

  /** One answered request. */
  request(route: string, status: number, seconds: number): void {
    const key = `route="${label(route)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const counts = this.counts.get(route) ?? new Array<number>(buckets.length + 1).fill(0);
    let b = buckets.findIndex((x) => seconds <= x);
    if (b < 0) b = buckets.length;
    counts[b]++;
    this.counts.set(route, counts);
    this.sums.set(route, (this.sums.get(route) ?? 0) + seconds);
  }

  /** Rows predicted by one successful `/predict`. */
  predicted(rows: number): void {
    this.rows += rows;
  }

  /** A `/predict` that failed, by its error code. */
  predictionError(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** The exposition text (`text/plain; version=0.0.4`). */
  text(): string {
    const out: string[] = [];
    const series = (name: string, help: string, type: string, lines: string[]) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    series("lathe_http_requests_total", "Requests answered, by route and status.", "counter", [...this.requests].map(([k, v]) => `lathe_http_requests_total{${k}} ${v}`));
    const hist: string[] = [];
    for (const [route, counts] of this.counts) {
      let cum = 0;
      buckets.forEach((le, i) => hist.push(`lathe_http_request_duration_seconds_bucket{route="${label(route)}",le="${le}"} ${(cum += counts[i])}`));
      cum += counts[buckets.length];
      hist.push(`lathe_http_request_duration_seconds_bucket{route="${label(route)}",le="+Inf"} ${cum}`);
      hist.push(`lathe_http_request_duration_seconds_sum{route="${label(route)}"} ${this.sums.get(route)}`);
      hist.push(`lathe_http_request_duration_seconds_count{route="${label(route)}"} ${cum}`);
    }
    series("lathe_http_request_duration_seconds", "Time to answer a request.", "histogram", hist);
    series("lathe_predictions_total", "Rows predicted.", "counter", [`lathe_predictions_total ${this.rows}`]);
    series("lathe_prediction_errors_total", "Failed /predict requests, by error code.", "counter", [...this.errors].map(([k, v]) => `lathe_prediction_errors_total{code="${label(k)}"} ${v}`));
    series("lathe_model_version", "The model version served.", "gauge", [`lathe_model_version{name="${label(this.model.name)}"} ${this.model.version}`]);
    const cpu = process.cpuUsage();
    series("process_cpu_seconds_total", "User and system CPU time spent, in seconds.", "counter", [`process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`]);
    series("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", [`process_resident_memory_bytes ${process.memoryUsage().rss}`]);
    const lag = this.lag.mean;
    series("nodejs_eventloop_lag_seconds", "Mean event-loop delay, in seconds.", "gauge", [`nodejs_eventloop_lag_seconds ${Number.isFinite(lag) ? lag / 1e9 : 0}`]);
    return out.join("\n") + "\n";
  }
}
