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
 * A file that is not a model or is truncated is a `DataError` with code `bad-model-file`; rebuilding
 * the model through its learner is `decode-model.ts` (this file loads no learner, so writing a model
 * file after training does not import all seven).
 */
import { DataError } from "../errors.js";
import { ARRAY_MARKER, ARRAY_TYPES, hostLittleEndian, isModelBytes, MODEL_MAGIC, MODEL_VERSION, ModelBytesError, PLAIN_ARRAY, readModelBytes, type ArrayMarker, type TypedArray } from "./scoring/model-bytes.js";
import type { SerializedModel, TrainedModel } from "./types.js";

/** Plain number arrays at least this long go to a section (shorter ones stay readable in the header). */
const PLAIN_MIN = 64;

/** The bytes of a typed array in little-endian order (a view when the host is little-endian). */
function leBytes(a: TypedArray): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (hostLittleEndian || a.BYTES_PER_ELEMENT === 1) return bytes;
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
  const section = (a: TypedArray, type: string): ArrayMarker => {
    const marker: ArrayMarker = { [ARRAY_MARKER]: type, at: offset, length: a.length };
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
      if (!(name in ARRAY_TYPES)) throw new Error(`cannot encode a ${name} in a model`);
      return section(value as TypedArray, name);
    }
    if (Array.isArray(value)) {
      if (value.length >= PLAIN_MIN && value.every((v) => typeof v === "number")) return section(Float64Array.from(value as number[]), PLAIN_ARRAY);
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
  prefix.set(new TextEncoder().encode(MODEL_MAGIC), 0);
  const view = new DataView(prefix.buffer);
  view.setUint32(8, MODEL_VERSION, true);
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
  return isModelBytes(bytes);
}

/** The serialized model stored in `bytes`, typed arrays restored (`scoring/model-bytes.ts`, which runs anywhere). */
export function decodeSerialized(bytes: Uint8Array): SerializedModel {
  try {
    return readModelBytes(bytes);
  } catch (e) {
    if (e instanceof ModelBytesError) throw new DataError(e.message, undefined, "bad-model-file");
    throw e;
  }
}

