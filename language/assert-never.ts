/**
 * Closes an exhaustive `switch` over a union: `default: return assertNever(x)`. Once every member
 * has a case, `x` is `never` there; a member added to the union without a case makes this call a
 * compile error instead of a silent fall-through. Imports nothing, so `language/` and `runtime/`
 * may both use it.
 */
export function assertNever(value: never, what = "case"): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
