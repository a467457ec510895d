/** The error a cancelled training rejects with, recognisable by its name "AbortError". */
export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  const error = new Error("training was aborted");
  error.name = "AbortError";
  return error;
}
