import { createReadStream } from "node:fs";
import { DataError } from "../errors.js";

/**
 * The deepest nesting of `[` and `{` Lathe lets DuckDB read. DuckDB's JSON reader takes time
 * cubic in the depth (64 levels: 0.2 s, 256: 6 s, 1,000: 52 s) and crashes the process from about
 * 10,000; data records nest a handful of levels (GeoJSON polygons: 5), so 64 leaves room.
 */
export const maxJsonDepth = 64;

const [LBRACE, RBRACE, LBRACKET, RBRACKET, QUOTE, BACKSLASH, NEWLINE, COMMA] = [0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x5c, 0x0a, 0x2c];
const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
const bom = [0xef, 0xbb, 0xbf];

/**
 * A streaming check of a JSON or NDJSON file's structure, run before DuckDB sees the file: nesting
 * no deeper than `maxJsonDepth`, brackets that match, strings and values that end, and values
 * that are records (objects) or an array of records, as Lathe reads them. Errors name the line.
 * It does not validate numbers or literals: DuckDB reports those.
 */
export class JsonShape {
  private depth = 0;
  private readonly open = new Uint8Array(maxJsonDepth + 1);
  private readonly openLine = new Uint32Array(maxJsonDepth + 1);
  private inString = false;
  private escaped = false;
  private stringLine = 0;
  private line = 1;
  /** The depth whose values are rows: 0 for NDJSON objects, 1 inside a top-level array. */
  private recordDepth = 0;
  private records = 0;
  /** Bytes seen, to skip a UTF-8 byte order mark at the start. */
  private offset = 0;

  constructor(private readonly file: string) {}

  /** Feeds the next bytes of the file. Throws a DataError at the first problem. */
  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++, this.offset++) {
      const b = bytes[i];
      if (this.offset < 3 && b === bom[this.offset]) {
        // DuckDB's JSON reader takes a file that starts with a byte order mark for one value of text.
        if (this.offset === 2) throw new DataError(`${this.file} starts with a byte order mark (BOM), which DuckDB's JSON reader does not accept: save it as UTF-8 without BOM`, this.file, "json-malformed");
        continue;
      }
      if (b === NEWLINE) this.line++;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) this.inString = false;
        continue;
      }
      if (isSpace(b)) continue;
      if (this.depth === this.recordDepth) this.recordLevel(b);
      if (b === QUOTE) {
        this.inString = true;
        this.stringLine = this.line;
      } else if (b === LBRACE || b === LBRACKET) {
        if (this.depth === maxJsonDepth) throw new DataError(`${this.file}, line ${this.line}: JSON nested deeper than ${maxJsonDepth} levels; Lathe reads records nested at most ${maxJsonDepth} deep`, this.file, "json-too-deep");
        this.open[this.depth] = b;
        this.openLine[this.depth] = this.line;
        this.depth++;
      } else if (b === RBRACE || b === RBRACKET) {
        const want = b === RBRACE ? LBRACE : LBRACKET;
        if (this.depth === 0 || this.open[this.depth - 1] !== want) throw new DataError(`${this.file}, line ${this.line}: unexpected \`${String.fromCharCode(b)}\`${this.depth ? ` (the ${this.open[this.depth - 1] === LBRACE ? "object" : "array"} opened on line ${this.openLine[this.depth - 1]} is not closed)` : ""}`, this.file, "json-malformed");
        this.depth--;
        if (this.depth === 0 && this.recordDepth === 1) this.recordDepth = 0;
      }
    }
  }

  /** A byte at the depth where rows are: it starts a record, opens the array of records, or is a comma. */
  private recordLevel(b: number): void {
    if (b === COMMA || b === RBRACE || b === RBRACKET) return;
    if (b === LBRACE) {
      this.records++;
      return;
    }
    if (b === LBRACKET && this.depth === 0) {
      this.recordDepth = 1;
      return;
    }
    const what = b === QUOTE ? "a string" : b === LBRACKET ? "an array" : b === 0x74 || b === 0x66 ? "a boolean" : b === 0x6e ? "null" : (b >= 0x30 && b <= 0x39) || b === 0x2d ? "a number" : undefined;
    if (!what) throw new DataError(`${this.file}, line ${this.line}: unexpected character \`${String.fromCharCode(b)}\`: not JSON`, this.file, "json-malformed");
    throw new DataError(`${this.file}, line ${this.line}: a row is ${what}, not a record; Lathe reads JSON objects (\`{"column": value, ...}\`), one per line or in one array`, this.file, "json-not-records");
  }

  /** Ends the file: throws if it stops inside a string or an open object or array, or holds no records. */
  end(): void {
    if (this.inString) throw new DataError(`${this.file}, line ${this.line}: the file ends inside a string that starts on line ${this.stringLine} (truncated?)`, this.file, "json-malformed");
    if (this.depth > 0) throw new DataError(`${this.file}, line ${this.line}: the file ends inside the ${this.open[this.depth - 1] === LBRACE ? "object" : "array"} opened on line ${this.openLine[this.depth - 1]} (truncated?)`, this.file, "json-malformed");
    if (!this.records) throw new DataError(`${this.file}: holds no records`, this.file, "file-empty");
  }
}

/** Streams a JSON or NDJSON file (gzip-compressed with `gzip`) through `JsonShape`. */
export async function checkJsonShape(file: string, shown = file, options: { gzip?: boolean } = {}): Promise<void> {
  const shape = new JsonShape(shown);
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  // zlib is loaded only for a compressed file, not on every start that loads this module.
  const stream = options.gzip ? raw.pipe((await import("node:zlib")).createGunzip()) : raw;
  try {
    for await (const chunk of stream) shape.push(chunk as Buffer);
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`cannot read ${shown}: ${(e as Error).message}`, file, options.gzip ? "file-compression" : "file-unreadable");
  } finally {
    raw.destroy();
    stream.destroy();
  }
  shape.end();
}
