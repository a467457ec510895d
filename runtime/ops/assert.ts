import { compare } from "../metrics/compare.js";
import type { AssertCondition } from "../../language/ast.js";
import type { StepResult } from "../results.js";
import { measure } from "./evaluate.js";
import type { Draft, OpDefinition, Planner, Rendered, StepBase } from "./types.js";

/** `assert MODEL on DATA: metric op bound, ...`: a gate; a failed one fails the run after the rest has run. */
export type AssertStep = StepBase & { op: "assert"; model: string; data: string; conditions: { metric: string; op: AssertCondition["op"]; bound: number }[] };

export const planAssert: Planner<"assert", Draft<AssertStep>> = (s) =>
  ({
    op: "assert",
    model: s.model.text,
    data: s.data.text,
    conditions: s.conditions.map((c) => ({ metric: c.metric.text, op: c.op, bound: Number(c.bound.value) })),
    label: `assert ${s.model.text} on ${s.data.text}`,
  });

export const assertOp: OpDefinition<AssertStep> = {
  op: "assert",
  io: (step) => ({ reads: [step.model, step.data], defines: [] }),
  cacheable: () => false,
  async run(ctx, step) {
    const values = await measure(ctx, step.model, step.data, [...new Set(step.conditions.map((c) => c.metric))]);
    const checks = step.conditions.map((c) => ({ ...c, value: values[c.metric], passed: compare(values[c.metric], c.op, c.bound) }));
    return { kind: "assert", model: step.model, data: step.data, passed: checks.every((c) => c.passed), checks };
  },
};

/** An assert result: passed or failed, and each condition with its value. */
export function renderAssert(r: Extract<StepResult, { kind: "assert" }>): Rendered {
  return {
    summary: r.passed ? "passed" : `FAILED (${r.checks.filter((c) => !c.passed).map((c) => `${c.metric} = ${c.value.toFixed(4)}, required ${c.op} ${c.bound}`).join("; ")})`,
    parts: [{ kind: "table", columns: ["metric", "value", "required", "passed"], rows: r.checks.map((c) => ({ metric: c.metric, value: c.value, required: `${c.op} ${c.bound}`, passed: c.passed })) }],
  };
}

export { compare } from "../metrics/compare.js";
