import type { RetrainClaim } from "../api/retrain.js";
import type { RetrainDecision } from "../runtime/retrain/retrain-log.js";

/** The decision as one line: what happened to the champion and why. */
export function decisionLine(d: RetrainDecision, claim?: Pick<RetrainClaim, "champion">): string {
  const champion = d.champion?.version ?? claim?.champion.version;
  const alias = d.alias ?? "champion";
  if (d.outcome === "promoted") return `decision: promoted version ${d.challenger?.version} (${alias} was version ${champion}): ${d.reason}`;
  if (d.outcome === "kept") return `decision: kept version ${champion}${d.challenger ? ` (challenger version ${d.challenger.version} registered, not promoted)` : ""}: ${d.reason}`;
  return `decision: none, the ${alias}${champion !== undefined ? ` (version ${champion})` : ""} is unchanged: ${d.reason}`;
}
