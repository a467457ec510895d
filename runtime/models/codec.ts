/**
 * The binary model file: a small JSON header plus raw little-endian typed-array sections, so a
 * model of any size (a 1,000-tree forest) is written without ever building one giant string —
 * `JSON.stringify` of such a model throws `RangeError: Invalid string length` in V8.
 *
 *   "LATHEMDL" · u32 version · u32 header bytes · header JSON (UTF-8) · padding to 8 ·
 *   sections, each 8-byte aligned
 *
 * The header is the learner's serialized model (`serialize()` where it has one, else `toJSON()`)
 * with every typed array, and every plain number array of 64 or more elements, replaced by a
 * marker `{"$lathe-array": type, "at": byte offset, "length": elements}` into the sections. Plain
 * arrays come back as plain arrays and typed arrays as the same typed arrays, bit for bit, so a
 * decoded model predicts exactly as the encoded one. `encodeModelChunks` gives the file as a
 * list of buffers (sections are views on the model's own arrays, not copies) to write in turn.
 * A file that is not a model, is truncated or names no known learner is a `DataError` with code
 * `bad-model-file`.
 */
import { endianness } from "node:os";
import { DataError } from "../errors.js";
import { findLearner } from "./registry.js";
import type { SerializedModel, TrainedModel } from "./types.js";

const MAGIC = "LATHEMDL";
const VERSION = 1;
const MARKER = "$lathe-array";
/** Plain number arrays at least this long go to a section (shorter ones stay readable in the header). */
const PLAIN_MIN = 64;
const PLAIN = "plain-float64";

type Typed = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;
const TYPES: Record<string, new (buffer: ArrayBuffer) => Typed> = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
};

interface Marker {
  [MARKER]: string;
  at: number;
  length: number;
}

const littleEndian = endianness() === "LE";

/** The bytes of a typed array in little-endian order (a view when the host is little-endian). */
function leBytes(a: Typed): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (littleEndian || a.BYTES_PER_ELEMENT === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  const size = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += size) for (let b = 0; b < size; b++) out[i + b] = bytes[i + size - 1 - b];
  return out;
}

/** The file as buffers to write in order; their total is the encoded model. */
export function encodeModelChunks(model: TrainedModel): Uint8Array[] {
  const serialized = model.serialize?.() ?? model.toJSON();
  const sections: Uint8Array[] = [];
  let offset = 0;
  const section = (a: Typed, type: string): Marker => {
    const marker: Marker = { [MARKER]: type, at: offset, length: a.length };
    sections.push(leBytes(a));
    offset += a.byteLength;
    const pad = (8 - (offset % 8)) % 8;
    if (pad > 0) {
      sections.push(new Uint8Array(pad));
      offset += pad;
    }
    return marker;
  };
  const replace = (value: unknown): unknown => {
    if (ArrayBuffer.isView(value)) {
      if (value instanceof DataView) throw new Error("cannot encode a DataView in a model");
      const name = Object.prototype.toString.call(value).slice(8, -1);
      if (!(name in TYPES)) throw new Error(`cannot encode a ${name} in a model`);
      return section(value as Typed, name);
    }
    if (Array.isArray(value)) {
      if (value.length >= PLAIN_MIN && value.every((v) => typeof v === "number")) return section(Float64Array.from(value as number[]), PLAIN);
      return value.map(replace);
    }
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = replace(v);
      return out;
    }
    return value;
  };
  const header = new TextEncoder().encode(JSON.stringify({ model: replace(serialized) }));
  const prefix = new Uint8Array(16 + header.length + ((8 - ((16 + header.length) % 8)) % 8));
  prefix.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(prefix.buffer);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, header.length, true);
  prefix.set(header, 16);
  return [prefix, ...sections];
}

/** The whole model file in one buffer. */
export function encodeModel(model: TrainedModel): Uint8Array {
  const chunks = encodeModelChunks(model);
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Whether `bytes` start like an encoded model (model files written before the codec are JSON). */
export function isEncodedModel(bytes: Uint8Array): boolean {
  return bytes.length >= 16 && new TextDecoder().decode(bytes.subarray(0, 8)) === MAGIC;
}

/** The serialized model stored in `bytes`, typed arrays restored. */
export function decodeSerialized(bytes: Uint8Array): SerializedModel {
  if (!isEncodedModel(bytes)) throw new DataError("not a Lathe model file (no LATHEMDL header)", undefined, "bad-model-file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION) throw new DataError(`model file version ${version} is not supported (this Lathe reads version ${VERSION})`, undefined, "bad-model-file");
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length) throw new DataError("model file is truncated (header)", undefined, "bad-model-file");
  let header: { model: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength))) as { model: unknown };
  } catch {
    throw new DataError("model file has a damaged header", undefined, "bad-model-file");
  }
  const base = 16 + headerLength + ((8 - ((16 + headerLength) % 8)) % 8);
  const restore = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(restore);
    if (value === null || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    if (typeof record[MARKER] === "string") {
      const m = record as unknown as Marker;
      const plain = m[MARKER] === PLAIN;
      const Type = TYPES[plain ? "Float64Array" : m[MARKER]];
      if (!Type || !Number.isInteger(m.at) || !Number.isInteger(m.length) || m.at < 0 || m.length < 0) throw new DataError("model file has a malformed section", undefined, "bad-model-file");
      const size = (Type as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      const start = base + m.at;
      const end = start + m.length * size;
      if (end > bytes.length) throw new DataError("model file is truncated (sections)", undefined, "bad-model-file");
      const copy = bytes.slice(start, end);
      if (!littleEndian && size > 1) {
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

/** Rebuilds a trained model from `encodeModel` output through its learner's `load`. */
export function decodeModel(bytes: Uint8Array): TrainedModel {
  const serialized = decodeSerialized(bytes);
  const learner = findLearner(serialized.kind);
  if (!learner) throw new DataError(`model file holds a ${JSON.stringify(serialized.kind)} model, which this Lathe has no learner for`, undefined, "bad-model-file");
  return learner.load(serialized);
}
