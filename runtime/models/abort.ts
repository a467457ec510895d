/** Throws an AbortError if the signal has fired; learners call it at epoch/iteration boundaries. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason = signal.reason;
    if (reason instanceof Error && reason.name === "AbortError") throw reason;
    throw new DOMException(
      reason instanceof Error ? reason.message : "training was aborted",
      "AbortError",
    );
  }
}

/** Yields to the event loop so timers and abort handlers can run between epochs. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Paces a long synchronous computation so the process stays responsive: `due()` is cheap enough to
 * ask in a hot loop, and `pause()` gives the event loop a turn (a kernel's interrupt and control
 * messages, SIGINT, timers) and throws an AbortError once the signal has fired.
 */
export class Pacer {
  private last = performance.now();

  constructor(
    private readonly signal?: AbortSignal,
    private readonly everyMs = 50,
  ) {}

  /** Whether `everyMs` have passed since the last pause. */
  due(): boolean {
    return performance.now() - this.last >= this.everyMs;
  }

  /** Yields to the event loop, then throws if the signal aborted meanwhile. */
  async pause(): Promise<void> {
    await yieldToEventLoop();
    throwIfAborted(this.signal);
    this.last = performance.now();
  }

  /** Pauses when one is due. */
  async tick(): Promise<void> {
    if (this.due()) await this.pause();
  }
}
