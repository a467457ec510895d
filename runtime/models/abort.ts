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
