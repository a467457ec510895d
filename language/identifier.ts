/**
 * What a bare name is: a letter (any script: `café`, `größe`, `数量`) or `_`, then letters, digits,
 * combining marks and `_`, as Python and SQL engines allow. Anything else is written in quotes.
 * Chevrotain-free, so `runtime/` may use it too.
 */

/** A name at a position (sticky: matches only where `lastIndex` points). */
export const identifierAt = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;

const whole = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u;

/** Whether `s` can be written as a bare name (reserved words aside). */
export function isIdentifier(s: string): boolean {
  return whole.test(s);
}

/** A name as Lathe text writes it: bare when it can be, else as a quoted string. */
export function nameText(s: string): string {
  return isIdentifier(s) ? s : JSON.stringify(s);
}
