import type { ExecuteContext } from "../../kernel/jupyter/backend.js";

/** The context the Jupyter server would give a backend for cell `count`, recording what the cell streamed. */
export function cellContext(count: number): { ctx: ExecuteContext; streams: { name: string; text: string }[]; stdout: () => string; stderr: () => string } {
  const streams: { name: string; text: string }[] = [];
  const ctx: ExecuteContext = {
    stream: (name, text) => void streams.push({ name, text }),
    display: () => undefined,
    clearOutput: () => undefined,
    input: () => Promise.reject(new Error("no stdin")),
    signal: new AbortController().signal,
    executionCount: count,
    silent: false,
  };
  const text = (name: string) => streams.filter((s) => s.name === name).map((s) => s.text).join("");
  return { ctx, streams, stdout: () => text("stdout"), stderr: () => text("stderr") };
}
