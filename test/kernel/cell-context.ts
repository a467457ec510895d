import type { DisplayOptions, ExecuteContext, MimeBundle } from "../../kernel/jupyter/backend.js";

/** The context the Jupyter server would give a backend for cell `count`, recording what the cell streamed and displayed. */
export function cellContext(count: number): {
  ctx: ExecuteContext & { resultMetadata: Record<string, unknown> };
  streams: { name: string; text: string }[];
  displays: { data: MimeBundle; opts: DisplayOptions }[];
  stdout: () => string;
  stderr: () => string;
} {
  const streams: { name: string; text: string }[] = [];
  const displays: { data: MimeBundle; opts: DisplayOptions }[] = [];
  const ctx = {
    stream: (name: "stdout" | "stderr", text: string) => void streams.push({ name, text }),
    display: (data: MimeBundle, opts: DisplayOptions = {}) => void displays.push({ data, opts }),
    clearOutput: () => undefined,
    input: () => Promise.reject(new Error("no stdin")),
    signal: new AbortController().signal,
    executionCount: count,
    silent: false,
    resultMetadata: {},
  };
  const text = (name: string) => streams.filter((s) => s.name === name).map((s) => s.text).join("");
  return { ctx, streams, displays, stdout: () => text("stdout"), stderr: () => text("stderr") };
}
