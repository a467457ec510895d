/**
 * Reading the binary model codec (`../codec.ts` writes it), in code that runs anywhere — Node, a
 * browser, a worker: typed arrays, DataView and TextDecoder, nothing else.
 *
 *   "LATHEMDL" · u32 version · u32 header bytes · header JSON (UTF-8) · padding to 8 ·
 *   sections, each 8-byte aligned
 *
 * The header is the serialized model with each typed array (and each plain number array of 64 or
 * more elements) replaced by a marker `{"$lathe-array": type, "at": byte offset, "length":
 * elements}` into the sections, which are little-endian.
 */
import type { SerializedModel } from "../types.js";

export const MODEL_MAGIC = "LATHEMDL";
export const MODEL_VERSION = 1;
export const ARRAY_MARKER = "$lathe-array";
/** The section type of a plain number array (stored as float64, read back as a plain array). */
export const PLAIN_ARRAY = "plain-float64";

export type TypedArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

/** The typed arrays a section can hold, by constructor name. */
export const ARRAY_TYPES: Record<string, { new (buffer: ArrayBuffer): TypedArray; readonly BYTES_PER_ELEMENT: number }> = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
};

/** Whether this machine stores numbers little-endian (sections are; a big-endian host swaps bytes). */
export const hostLittleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Bytes that are not a model this code reads; the message says why. */
export class ModelBytesError extends Error {
  override name = "ModelBytesError";
}

/** Where a section's array is: its type, byte offset from the first section, and element count. */
export interface ArrayMarker {
  [ARRAY_MARKER]: string;
  at: number;
  length: number;
}

/** Whether `bytes` start like an encoded model. */
export function isModelBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 16 && new TextDecoder().decode(bytes.subarray(0, 8)) === MODEL_MAGIC;
}

/** The serialized model stored in `bytes`, typed arrays restored bit for bit. */
export function readModelBytes(bytes: Uint8Array): SerializedModel {
  if (!isModelBytes(bytes)) throw new ModelBytesError("not a Lathe model file (no LATHEMDL header)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== MODEL_VERSION) throw new ModelBytesError(`model file version ${version} is not supported (this Lathe reads version ${MODEL_VERSION})`);
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length) throw new ModelBytesError("model file is truncated (header)");
  let header: { model: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength))) as { model: unknown };
  } catch {
    throw new ModelBytesError("model file has a damaged header");
  }
  const base = 16 + headerLength + ((8 - ((16 + headerLength) % 8)) % 8);
  const restore = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(restore);
    if (value === null || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    if (typeof record[ARRAY_MARKER] === "string") {
      const m = record as unknown as ArrayMarker;
      const plain = m[ARRAY_MARKER] === PLAIN_ARRAY;
      const name = plain ? "Float64Array" : m[ARRAY_MARKER];
      const Type = Object.prototype.hasOwnProperty.call(ARRAY_TYPES, name) ? ARRAY_TYPES[name] : undefined;
      if (!Type || !Number.isInteger(m.at) || !Number.isInteger(m.length) || m.at < 0 || m.length < 0) throw new ModelBytesError("model file has a malformed section");
      const size = Type.BYTES_PER_ELEMENT;
      const start = base + m.at;
      const end = start + m.length * size;
      if (end > bytes.length) throw new ModelBytesError("model file is truncated (sections)");
      // Uint8Array's own slice copies; a Node Buffer's `slice` is a view of its (pooled) memory.
      const copy = Uint8Array.prototype.slice.call(bytes, start, end);
      if (!hostLittleEndian && size > 1) {
        for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
      }
      const typed = new Type(copy.buffer);
      return plain ? Array.from(typed) : typed;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) out[k] = restore(v);
    return out;
  };
  return restore(header.model) as SerializedModel;
}
