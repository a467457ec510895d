import { unlinkSync } from "node:fs";
import { ModelRegistry } from "../model-registry.js";
import { fsyncDir } from "./durable-file.js";
import { journalFile, readJournal } from "./run-journal.js";
import { storeIoError } from "./store-error.js";
import type { StoreLayout } from "./store-layout.js";

/** Why a run was not deleted. */
export interface DeleteRefusal {
  id: string;
  code: "run-referenced" | "run-running";
  message: string;
}

/**
 * Deletes runs (their journals; their child runs go with them), all or none: a run still running
 * is refused, and so is a run that registered a version still in the registry, unless `force` —
 * the version and its model file stay, but the record of how it was made (program, params, data,
 * metrics) goes, so `reproduce` cannot run it again and `models show` flags it. Artifacts are left
 * to `lathe gc`, which removes those no remaining run or registered version references.
 */
export async function deleteRuns(store: StoreLayout, ids: string[], options: { force?: boolean } = {}): Promise<{ deleted: string[]; refused: DeleteRefusal[]; trials: number }> {
  const refused: DeleteRefusal[] = [];
  let trials = 0;
  for (const id of ids) {
    const run = readJournal(journalFile(store.runsDir, id));
    trials += run.children.length;
    if (run.status === "running") refused.push({ id, code: "run-running", message: `run ${id} is still running (pid ${run.owner.pid} on ${run.owner.host || "?"}); stop it first` });
  }
  if (!options.force) {
    const registry = new ModelRegistry(store);
    const wanted = new Set(ids);
    const by = new Map<string, string[]>();
    for (const { name } of await registry.names()) {
      for (const v of await registry.versions(name)) if (wanted.has(v.runId)) by.set(v.runId, [...(by.get(v.runId) ?? []), `"${name}" version ${v.version}`]);
    }
    for (const [id, versions] of by) {
      refused.push({ id, code: "run-referenced", message: `run ${id} registered ${versions.join(", ")}, still in the registry; deleting the run would leave ${versions.length === 1 ? "that version" : "those versions"} without the record of how ${versions.length === 1 ? "it was" : "they were"} made (program, params, data, metrics), so \`lathe reproduce\` could not run it again. --force deletes it anyway (the versions and their model files stay)` });
    }
  }
  if (refused.length) return { deleted: [], refused, trials: 0 };
  for (const id of ids) {
    try {
      unlinkSync(journalFile(store.runsDir, id));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw storeIoError(e, "delete", journalFile(store.runsDir, id));
    }
  }
  fsyncDir(store.runsDir);
  return { deleted: ids, refused, trials };
}
