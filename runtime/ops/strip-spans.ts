/** Spans change when unrelated text moves; cache keys must not, so plans keep AST parts without them. */
export function stripSpans<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === "span" ? undefined : v))) as T;
}
