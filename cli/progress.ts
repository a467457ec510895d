/** A one-line progress bar: `[4/6] train species ██████░░░░ 60% epoch 120/200 loss 0.1234`. */
export function progressBar(prefix: string, e: { step: number; total: number; unit: string; loss?: number; valLoss?: number }, width = 24): string {
  const frac = Math.min(1, Math.max(0, e.step / Math.max(1, e.total)));
  const filled = Math.round(frac * width);
  const losses = `${e.loss !== undefined ? ` loss ${e.loss.toFixed(4)}` : ""}${e.valLoss !== undefined ? ` val ${e.valLoss.toFixed(4)}` : ""}`;
  return `${prefix} ${"█".repeat(filled)}${"░".repeat(width - filled)} ${String(Math.round(frac * 100)).padStart(3)}% ${e.unit} ${e.step}/${e.total}${losses}`;
}

/**
 * Decides when to draw: on a terminal at most ten times a second (redrawing in place); in a log
 * (CI) once per tenth of the work, as whole lines, for steps that have run two seconds or more —
 * long steps show they are alive, short ones do not flood the log.
 */
export class ProgressThrottle {
  private last = 0;
  private lastDecile = -1;
  private started = Date.now();

  constructor(private readonly tty: boolean) {}

  /** True when this update should be drawn. */
  shouldDraw(step: number, total: number, now = Date.now()): boolean {
    if (this.tty) {
      if (step < total && now - this.last < 100) return false;
      this.last = now;
      return true;
    }
    if (now - this.started < 2000) return false;
    const decile = Math.floor((10 * step) / Math.max(1, total));
    if (decile === this.lastDecile || decile === 0) return false;
    this.lastDecile = decile;
    return true;
  }

  /** Starts over for the next step. */
  reset(now = Date.now()): void {
    this.last = 0;
    this.lastDecile = -1;
    this.started = now;
  }
}
