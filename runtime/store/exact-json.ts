// JSON that gives numbers back bit for bit: plain JSON writes NaN and ±Infinity as null and -0 as
// 0, and a cached fitted constant (a median, a scale) must come back exactly as it was computed.
const tag = "$lathe-number";

/** JSON text of a value, with NaN, ±Infinity and -0 kept (as `{"$lathe-number": "NaN"}` …). */
export function toExactJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== "number" || (Number.isFinite(v) && !Object.is(v, -0))) return v;
    return { [tag]: Object.is(v, -0) ? "-0" : String(v) };
  });
}

/** The value `toExactJson` wrote. */
export function fromExactJson<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    if (keys.length !== 1 || keys[0] !== tag) return v;
    const s = (v as Record<string, string>)[tag];
    return s === "-0" ? -0 : Number(s);
  }) as T;
}
