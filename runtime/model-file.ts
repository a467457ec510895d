import { DataError } from "./errors.js";
import { modelArtifact, type ModelState } from "./model-state.js";
import type { ModelPackage } from "./predict/predictor.js";
import { ModelBytesError, readModelBytes } from "./models/scoring/model-bytes.js";
import type { SerializedModel, TrainedModel } from "./models/types.js";

/**
 * The model file `register` stores and batch scoring, serving and export load: the package (what
 * the model predicts from which raw columns, its transform, classes) as JSON, then the learner's
 * state in the binary model codec (`models/codec.ts`), so a model of any size is written without
 * one giant string.
 *
 *   "LATHEPKG" · u32 LE package bytes · package JSON (UTF-8, without `model`) · the codec's bytes
 *
 * Files written as plain JSON (the package with `model` inline) still load.
 */
const MAGIC = "LATHEPKG";

/** The bytes of a model file for a trained model state. */
export async function encodeModelFile(state: ModelState): Promise<Uint8Array> {
  const { encodeModelChunks } = await import("./models/codec.js");
  const { model: _model, ...pkg } = modelArtifact(state);
  const header = Buffer.from(JSON.stringify(pkg));
  const head = Buffer.alloc(12);
  head.write(MAGIC, 0, "latin1");
  head.writeUInt32LE(header.length, 8);
  return Buffer.concat([head, header, ...encodeModelChunks(state.model)]);
}

/** A model file's package and the learner's model, rebuilt. */
export async function decodeModelFile(bytes: Uint8Array, file: string): Promise<{ pkg: ModelPackage; model: TrainedModel }> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts = packageParts(buf, file);
  if (parts) {
    const { decodeModel } = await import("./models/decode-model.js");
    return { pkg: parts.pkg, model: decodeModel(parts.body) };
  }
  let pkg: ModelPackage;
  try {
    pkg = JSON.parse(buf.toString("utf8")) as ModelPackage;
  } catch {
    throw badModelFile(file, "neither a model file nor JSON");
  }
  if (pkg?.format !== "lathe-model" || pkg.version !== 2) throw badModelFile(file, "an unknown format");
  const { loadLearner } = await import("./models/load-learner.js");
  const learner = await loadLearner(pkg.algorithm);
  if (!learner) throw badModelFile(file, `it names an unknown algorithm \`${pkg.algorithm}\``);
  return { pkg, model: learner.load(pkg.model as never) };
}

/**
 * A model file's package and its learner's serialized model (typed arrays restored bit for bit),
 * read without loading any learner (`models/scoring/model-bytes.ts`); undefined for the old
 * plain-JSON files.
 */
export function readModelFile(bytes: Uint8Array, file: string): { pkg: ModelPackage; serialized: SerializedModel } | undefined {
  const parts = packageParts(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
  if (!parts) return undefined;
  try {
    return { pkg: parts.pkg, serialized: readModelBytes(parts.body) };
  } catch (e) {
    throw e instanceof ModelBytesError ? badModelFile(file, e.message) : e;
  }
}

/** The package and the codec's bytes of a model file in the `LATHEPKG` form; undefined for another form. */
function packageParts(buf: Buffer, file: string): { pkg: ModelPackage; body: Uint8Array } | undefined {
  if (buf.subarray(0, 8).toString("latin1") !== MAGIC) return undefined;
  if (buf.length < 12) throw badModelFile(file, "it is cut short");
  const n = buf.readUInt32LE(8);
  if (12 + n > buf.length) throw badModelFile(file, "it is cut short");
  let pkg: ModelPackage;
  try {
    pkg = JSON.parse(buf.subarray(12, 12 + n).toString("utf8")) as ModelPackage;
  } catch {
    throw badModelFile(file, "its header is damaged");
  }
  return { pkg: { ...pkg, model: undefined }, body: new Uint8Array(buf.buffer, buf.byteOffset + 12 + n, buf.length - 12 - n) };
}

function badModelFile(file: string, why: string): DataError {
  return new DataError(`${file} is not a model file this version of Lathe reads (${why}); register the model again`, file, "bad-model-file");
}
