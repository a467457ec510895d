import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DataError } from "../errors.js";
import { exportMarker } from "./export-folder.js";

/** Whether `dir` holds an earlier export (its marker file says so). */
function isExport(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(path.join(dir, exportMarker), "utf8")) as { format?: unknown }).format === "lathe-export";
  } catch {
    return false;
  }
}

/**
 * Writes `files` as the folder `dir`: built whole in a temporary sibling folder, then renamed into
 * place, so no reader sees half an export. An earlier export there is replaced (moved aside, the new
 * one renamed in, the old one removed); an empty folder too. Anything else there is the user's:
 * `export-target-exists`.
 */
export function writeFolder(dir: string, files: Map<string, string>): void {
  const target = path.resolve(dir);
  let replace = false;
  if (existsSync(target) || isSymlink(target)) {
    const st = lstatSync(target);
    if (!st.isDirectory()) throw new DataError(`cannot export to ${target}: it exists and is not a folder`, undefined, "export-target-exists");
    if (readdirSync(target).length > 0) {
      if (!isExport(target)) throw new DataError(`cannot export to ${target}: the folder exists and is not an earlier export (it has no ${exportMarker}); choose another folder or empty it`, undefined, "export-target-exists");
    }
    replace = true;
  }
  const parent = path.dirname(target);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw new DataError(`cannot create the folder ${parent}: ${(e as Error).message}`, undefined, "export-failed");
  }
  const temp = mkdtempSync(path.join(parent, `.${path.basename(target)}.lathe-export-`));
  try {
    for (const [file, text] of files) {
      const full = path.join(temp, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
    if (replace) {
      const old = `${temp}.old`;
      renameSync(target, old);
      renameSync(temp, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(temp, target);
    }
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    if (e instanceof DataError) throw e;
    throw new DataError(`cannot write the export to ${target}: ${(e as Error).message}`, undefined, "export-failed");
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
