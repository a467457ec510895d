/**
 * DuckDB's value semantics, in plain JavaScript, for the column transforms a model applies when it
 * serves or runs at the edge (no DuckDB there). Values are what JSON carries: numbers, strings,
 * booleans and null; dates and timestamps are ISO strings. Only what Lathe's transforms and
 * expressions use is here, and `test/runtime/predict/transform-js.test.ts` holds it to DuckDB.
 *
 * This module imports nothing: it is copied as it is into exported model folders.
 */

export type Value = number | string | boolean | null;

/** A table's own entry for a name (never one inherited from Object.prototype, whatever a column is called). */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** A value that cannot be brought to what a step needs (DuckDB's Conversion / Out of Range errors). */
export class ValueError extends Error {
  override name = "ValueError";
}

const integerTypes = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT\d*)$/;
const floatTypes = /^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/;

/** Whether a DuckDB type holds numbers. */
export function isNumericType(type: string | undefined): boolean {
  return !!type && (integerTypes.test(type) || floatTypes.test(type));
}

/** Whether a DuckDB type holds whole numbers. */
export function isIntegerType(type: string | undefined): boolean {
  return !!type && integerTypes.test(type);
}

/** A double as DuckDB prints it (`CAST(x AS VARCHAR)`): the shortest round-trip digits, Python's repr layout. */
export function doubleText(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const [mantissa, expPart] = v.toExponential().split("e");
  const exp = Number(expPart);
  if (exp < -4 || exp >= 16) {
    const digits = mantissa.replace(/\.?0+$/, "");
    return `${digits}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const fixed = toPlainString(v);
  return fixed.includes(".") ? fixed : `${fixed}.0`;
}

/** The shortest round-trip digits of a number written without an exponent. */
function toPlainString(v: number): string {
  const s = String(v);
  if (!/e/i.test(s)) return s;
  const neg = v < 0;
  const [m, e] = Math.abs(v).toExponential().split("e");
  const exp = Number(e);
  const digits = m.replace(".", "");
  let out: string;
  if (exp >= 0) out = digits.length > exp + 1 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : digits + "0".repeat(exp + 1 - digits.length);
  else out = `0.${"0".repeat(-exp - 1)}${digits}`;
  return neg ? `-${out}` : out;
}

/** `CAST(v AS VARCHAR)` for a value of DuckDB type `type`. */
export function toText(v: Value, type?: string): string | null {
  if (v === null) return null;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return isIntegerType(type) && Number.isInteger(v) ? String(v) : doubleText(v);
  return v;
}

/** `CAST(v AS DOUBLE)`: strings are parsed as DuckDB does (surrounding spaces allowed; `inf`, `nan`). */
export function toDouble(v: Value): number | null {
  if (v === null) return null;
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  const s = v.trim().toLowerCase();
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(s)) return NaN;
  throw new ValueError(`could not convert ${JSON.stringify(v)} to a number`);
}

/** `CAST(v AS BIGINT)`: doubles round half to even (DuckDB's cast), numeric strings half away from zero. */
export function toInteger(v: Value): number | null {
  if (v === null) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") {
    const d = toDouble(v)!;
    if (!Number.isFinite(d)) throw new ValueError(`could not convert ${JSON.stringify(v)} to an integer`);
    return checkedInteger(Math.sign(d) * Math.round(Math.abs(d)), v);
  }
  if (!Number.isFinite(v)) throw new ValueError(`could not convert ${v} to an integer`);
  const floor = Math.floor(v);
  const diff = v - floor;
  const even = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  return checkedInteger(even, v);
}

function checkedInteger(n: number, from: Value): number {
  if (Math.abs(n) > 9.223372036854776e18) throw new ValueError(`${JSON.stringify(from)} is out of range for an integer`);
  return n === 0 ? 0 : n;
}

const trueWords = new Set(["true", "t", "1", "yes", "y"]);
const falseWords = new Set(["false", "f", "0", "no", "n"]);

/** `CAST(v AS BOOLEAN)`. */
export function toBoolean(v: Value): boolean | null {
  if (v === null) return null;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  const s = v.trim().toLowerCase();
  if (trueWords.has(s)) return true;
  if (falseWords.has(s)) return false;
  throw new ValueError(`could not convert ${JSON.stringify(v)} to true or false`);
}

/** `CAST(v AS DATE)` as an ISO date string. */
export function toDate(v: Value): string | null {
  if (v === null) return null;
  const m = typeof v === "string" ? /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?\s*$/.exec(v) : null;
  if (!m) throw new ValueError(`could not convert ${JSON.stringify(v)} to a date`);
  const iso = `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}`;
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) throw new ValueError(`could not convert ${JSON.stringify(v)} to a date`);
  return iso;
}

/**
 * `CAST(v AS TIMESTAMP)` as `YYYY-MM-DD HH:MM:SS[.ffffff]`. A trailing `Z` is taken, as DuckDB
 * takes it: it is how JSON writes a JavaScript Date (`lathe replay` sends a file's timestamps so).
 */
export function toTimestamp(v: Value): string | null {
  if (v === null) return null;
  const m = typeof v === "string" ? /^\s*(\d{4}-\d{1,2}-\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?Z?)?\s*$/.exec(v) : null;
  if (!m) throw new ValueError(`could not convert ${JSON.stringify(v)} to a timestamp`);
  const date = toDate(m[1])!;
  const [h, mi, s] = [m[2] ?? "0", m[3] ?? "0", m[4] ?? "0"].map(Number);
  if (h > 23 || mi > 59 || s > 59) throw new ValueError(`could not convert ${JSON.stringify(v)} to a timestamp`);
  const frac = m[5] ? m[5].replace(/0+$/, "") : "";
  return `${date} ${String(h).padStart(2, "0")}:${String(mi).padStart(2, "0")}:${String(s).padStart(2, "0")}${frac === "." ? "" : frac}`;
}

/** DuckDB orders NaN above every other number, and NaN equals NaN. */
function compareNumbers(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an && bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Byte order of UTF-8, which is how DuckDB compares strings (code points, not UTF-16 units). */
function compareStrings(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d) return d < 0 ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

/** SQL comparison: null when either side is null; a number against a string compares as numbers. */
export function compare(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  if (typeof a === "number" || typeof b === "number") return compareNumbers(toDouble(a)!, toDouble(b)!);
  if (typeof a === "boolean" || typeof b === "boolean") return Number(toBoolean(a)) - Number(toBoolean(b));
  return compareStrings(a, b);
}
