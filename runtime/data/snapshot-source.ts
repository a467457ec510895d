import { existsSync } from "node:fs";
import type { SourceSpec } from "../../language/ast.js";
import { DataError } from "../errors.js";
import type { SnapshotUse } from "../ops/types.js";
import { engineFingerprint, engineRefOf } from "./engine-dataset.js";
import { fingerprint, hashText, sourceSql } from "./source.js";

/** A snapshot a recorded run kept of a source's rows: its Parquet file and the fingerprint of the data it holds. */
export interface RecordedSnapshot {
  file: string;
  fingerprint: string;
  run: string;
}

/**
 * Whether a run's snapshot stands in for a source when the run is reproduced: when the source's
 * files are gone or unreadable, or hold other data than the run read (another fingerprint). An
 * unchanged source is read itself; a snapshot whose file is gone stands in for nothing.
 */
export async function snapshotInstead(spec: SourceSpec, baseDir: string, recorded: RecordedSnapshot): Promise<SnapshotUse | undefined> {
  if (!existsSync(recorded.file)) return undefined;
  // A query's text does not pin its rows: what the run read is its snapshot.
  if (spec.kind === "sql") return { ...recorded, why: "a query's rows are not fixed by its text" };
  let why: string;
  if (spec.kind === "table" && spec.engine) {
    // An engine's rows: the engine fingerprints them now, as the run's load did then.
    try {
      if ((await engineFingerprint(engineRefOf(spec))) === recorded.fingerprint) return undefined;
      return { ...recorded, why: "the engine's rows have changed since" };
    } catch (e) {
      return { ...recorded, why: `the engine's rows cannot be read: ${(e as Error).message}` };
    }
  }
  try {
    const { sql, files } = await sourceSql(spec, baseDir);
    if ((files.length ? await fingerprint(files) : hashText(sql)) === recorded.fingerprint) return undefined;
    why = "the source has changed since";
  } catch (e) {
    why = e instanceof DataError && e.code === "file-not-found" ? "the source file is gone" : `the source cannot be read: ${(e as Error).message}`;
  }
  return { ...recorded, why };
}
