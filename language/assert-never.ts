/** Marks the end of an exhaustive switch: a union member without a case is a compile error here. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
