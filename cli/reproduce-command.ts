import { reproduce, type Reproduction } from "../api/reproduce.js";
import { Session } from "../api/session.js";
import { exitCodes } from "./exit-codes.js";
import { runDiffReport } from "./run-diff-report.js";
import { runWithProgress } from "./run-command.js";
import { loadRun } from "./store-commands.js";

/**
 * `lathe reproduce <run>`: runs a recorded run again from its record (program text, params, data
 * paths from its program's folder) without touching the registry or any deployment, records the
 * new run, and compares: exit 0 when the data, every metric (assert values included) and the model
 * files are identical bit for bit, 5 when they are not, the run's own code when it fails.
 */
export async function reproduceCommand(id: string, opts: { store: string }): Promise<number> {
  const session = await Session.open({ root: opts.store, record: true });
  try {
    const original = await loadRun(session.store, id);
    if (!original) return exitCodes.usage;
    if (original.parent) {
      process.stderr.write(`lathe: ${original.id} is trial ${original.trial?.number} of ${original.trial?.label} in run ${original.parent}, not a run of its own: reproduce run ${original.parent}\n`);
      return exitCodes.usage;
    }
    if (original.programPath.endsWith(".ipynb")) {
      const params = Object.entries(original.params).map(([k, v]) => ` --param ${k}=${String(v)}`).join("");
      process.stderr.write(`lathe: error[notebook-run]: run ${original.id} ran the notebook ${original.programPath}, whose cells only its kernel can run again: \`lathe notebook run ${original.programPath}${params}\` records a new run to compare with \`lathe runs diff\`\n`);
      return exitCodes.usage;
    }
    process.stdout.write(`reproducing run ${original.id} (${original.status}, ${original.startedAt}) of ${original.programPath}\n`);
    let diff: Reproduction["diff"];
    const { code } = await runWithProgress(session, original.programPath, async (o) => {
      const found = await reproduce(session, original, o);
      diff = found.diff;
      return found.outcome;
    });
    if (!diff) return code;
    process.stdout.write(`\n${runDiffReport(diff, ["recorded", "now"])}\n`);
    if (diff.identical) {
      process.stdout.write(`reproduced: run ${diff.b} matches run ${diff.a} — same data, ${diff.metrics.length} metric${diff.metrics.length === 1 ? "" : "s"} identical bit for bit, same model files\n`);
      return code;
    }
    const changed = diff.metrics.filter((m) => !m.same).length;
    const why = [
      original.status !== "succeeded" ? `the recorded run ${original.status === "running" ? "never finished" : original.status}` : "",
      diff.data.length ? `${diff.data.length} dataset${diff.data.length === 1 ? "" : "s"} changed` : "",
      changed ? `${changed} metric${changed === 1 ? " differs" : "s differ"}` : "",
      diff.models.length ? `${diff.models.length} model file${diff.models.length === 1 ? " differs" : "s differ"}` : "",
      engineChange(diff),
    ].filter(Boolean).join(", ");
    process.stderr.write(`lathe: not reproduced: run ${diff.b} differs from run ${diff.a}${why ? ` (${why})` : ""}\n`);
    return code === exitCodes.ok ? exitCodes.notReproduced : code;
  } finally {
    session.close();
  }
}

/** What ran differently this time (the backend, the native engine's build or CPU, library versions): the likely cause of a difference. */
function engineChange(diff: NonNullable<Reproduction["diff"]>): string {
  const parts = [diff.backend ? `backend ${diff.backend.a ?? "-"} → ${diff.backend.b ?? "-"}` : "", ...diff.versions.map((v) => v.name)].filter(Boolean);
  return parts.length ? `on other code: ${parts.join(", ")}` : "";
}
