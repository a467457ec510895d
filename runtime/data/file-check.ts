import { DataError } from "../errors.js";
import { readBytes, statDataFile } from "./file-access.js";
import { checkJsonShape } from "./json-shape.js";

/** How much of a text file is looked at for blank, binary or header-only content. */
const headBytes = 1 << 16;

/** Verdicts already reached in this process, by path and how it is read; kept while size and mtime are unchanged. */
const verdicts = new Map<string, { size: number; mtimeMs: number; error?: DataError }>();

/**
 * Checks a data file before DuckDB reads it, so a file that cannot be read as its format gets an
 * error about the file (with a code and, where it applies, the line) instead of a hang, a crash,
 * or a silent misreading:
 * - it must be a regular, readable file (a FIFO would block; a directory is not data);
 * - it must not be empty or blank;
 * - text formats must be text: no NUL bytes, no UTF-16, and not a Parquet file under another name;
 * - a csv file read with a header needs a row after it;
 * - JSON is scanned whole for its structure (`JsonShape`: nesting depth, truncation, records).
 * Parquet files must carry Parquet's magic bytes at both ends.
 */
export async function checkDataFile(file: string, format: string, options: { header?: boolean; shown?: string } = {}): Promise<void> {
  const shown = options.shown ?? file;
  const st = statDataFile(file, shown);
  const key = `${file}\0${format}\0${options.header}`;
  const known = verdicts.get(key);
  if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) {
    if (known.error) throw known.error;
    return;
  }
  let error: DataError | undefined;
  try {
    await checkContent(file, shown, format, st.size, options.header);
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    error = e;
  }
  verdicts.set(key, { size: st.size, mtimeMs: st.mtimeMs, error });
  if (error) throw error;
}

async function checkContent(file: string, shown: string, format: string, size: number, header?: boolean): Promise<void> {
  if (size === 0) throw new DataError(`${shown} is empty (0 bytes)`, file, "file-empty");
  // Compressed files (DuckDB reads .gz and .zst itself): gzip'd JSON is scanned through zlib, as
  // deep nesting crashes DuckDB whatever the compression; the rest is left to DuckDB's errors.
  if (/\.(gz|zst)$/i.test(file)) {
    if (/\.gz$/i.test(file) && (format === "json" || format === "ndjson" || format === "jsonl")) await checkJsonShape(file, shown, { gzip: true });
    return;
  }
  const head = readBytes(file, 0, Math.min(size, headBytes));
  const whole = head.length >= size;
  if (format === "parquet") {
    const tail = size >= 8 ? readBytes(file, size - 4, 4) : Buffer.alloc(0);
    if (size < 12 || head.subarray(0, 4).toString("latin1") !== "PAR1" || tail.toString("latin1") !== "PAR1") {
      throw new DataError(`${shown} is not a Parquet file${head.subarray(0, 4).toString("latin1") === "PAR1" ? " (it ends early: truncated?)" : " (no PAR1 magic bytes)"}`, file, "parquet-malformed");
    }
    return;
  }
  if (head.subarray(0, 4).toString("latin1") === "PAR1") throw new DataError(`${shown} is a Parquet file, not ${format}; read it with \`format parquet\``, file, "file-not-text");
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) throw new DataError(`${shown} is UTF-16 text; Lathe reads UTF-8: save it as UTF-8`, file, "file-not-text");
  const nul = head.indexOf(0);
  if (nul >= 0) throw new DataError(`${shown}, line ${lineAt(head, nul)}: holds NUL bytes: a binary file, not ${format} text`, file, "file-not-text");
  const text = head.toString("utf8");
  if (whole && !text.trim()) throw new DataError(`${shown} holds only blank lines`, file, "file-empty");
  if (format === "json" || format === "ndjson" || format === "jsonl") {
    await checkJsonShape(file, shown);
    return;
  }
  if ((format === "csv" || format === "tsv") && header !== false) {
    const first = text.trimStart()[0];
    if (first === "{" || first === "[") throw new DataError(`${shown} looks like JSON, not ${format}; read it with \`format json\``, file, "csv-malformed");
    if (whole && text.split(/\r?\n|\r/).filter((l) => l.trim()).length === 1) throw new DataError(`${shown} has a header line and no rows`, file, "csv-no-rows");
  }
}

/** The 1-based line of a byte offset. */
function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}
