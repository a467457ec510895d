import type { Statement, StatementKind } from "../../language/ast.js";
import type { StepResult } from "../results.js";
import type { Draft, OpDefinition, Rendered, StepBase } from "./types.js";

/** A statement the language checks but this runtime cannot execute yet: the run fails on it with a coded error rather than skipping it. */
export type PendingStep = StepBase & { op: "pending"; statement_kind: StatementKind };

/** Plans any statement whose op does not exist yet. */
export function planPending(s: Statement): Draft<PendingStep> {
  return { op: "pending", statement_kind: s.kind, label: s.kind };
}

export const pending: OpDefinition<PendingStep> = {
  op: "pending",
  io: () => ({ reads: [], defines: [] }),
  cacheable: () => false,
  async run(_ctx, step) {
    const { DataError } = await import("../errors.js");
    throw new DataError(`\`${step.statement_kind}\` is checked but this version of the runtime cannot execute it yet`, undefined, "not-implemented");
  },
};

/** A notice: a sentence. */
export function renderNotice(r: Extract<StepResult, { kind: "notice" }>): Rendered {
  return { summary: r.message, parts: [] };
}
