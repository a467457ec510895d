import { opOf, type PlanStep } from "./ops/index.js";
import { viewableSplit } from "./ops/split.js";
import type { Plan } from "./plan.js";

/**
 * The plan of a one-shot run (`lathe run`: nothing runs after it, so the plan says every later
 * reader of each dataset), marked on copies of its steps. Keys are left as they are, and the run
 * record keeps the plan unmarked; only how the executor holds rows changes:
 *
 * - `release` on a step: datasets no later step reads, dropped once it has run (a split's root after
 *   the split, each part after its last reader), so DuckDB does not hold every table to the end.
 * - `lazy` on a file source only prepares read, each of which reads its rows once (staging them
 *   before its first step that learns): a view over the file, never a table.
 * - `fitOnce` on a prepare nothing reads (a view): its steps learn in one aggregate query each, as
 *   for a table, not inside the view's query (a median over a window holds every row; only its row
 *   count and columns are shown, and those are the same).
 * - `stream` on a prepare only `save` reads: fitted over its input (rows staged once where they are
 *   costly to recompute) and kept as a view with its constants inlined, so a save is one COPY.
 * - `viewParts` on a split that can keep its parts as views over its root (`viewableSplit`), whose
 *   root is not defined again: every reader of a part reads the root too, which lives until the last.
 *
 * The interactive kernel and notebooks never get these: a later cell may read any dataset.
 */
export function planLifetimes(plan: Plan, options: { snapshot?: boolean } = {}): Plan {
  const steps = plan.steps.map((s) => ({ ...s }));
  const ios = steps.map((s) => opOf(s).io(s));
  // Which step defined each name a step reads (the latest definition before it).
  const producerOf: Map<string, number>[] = [];
  const current = new Map<string, number>();
  for (const [i, io] of ios.entries()) {
    producerOf.push(new Map(current));
    for (const d of io.defines) current.set(d, i);
  }
  const readersOf = new Map<number, Map<string, number[]>>();
  for (const [i, io] of ios.entries()) {
    for (const name of io.reads) {
      const p = producerOf[i].get(name);
      if (p === undefined) continue;
      const byName = readersOf.get(p) ?? new Map<string, number[]>();
      byName.set(name, [...(byName.get(name) ?? []), i]);
      readersOf.set(p, byName);
    }
  }
  const readers = (p: number, name: string) => (readersOf.get(p)?.get(name) ?? []).map((i) => steps[i]);

  for (const [i, step] of steps.entries()) {
    if (step.op === "prepare" && step.view && !step.engine) step.fitOnce = true;
    if (step.op === "prepare" && !step.view && !step.engine) {
      const rs = readers(i, step.dataset);
      if (rs.length && rs.every((r) => r.op === "save")) step.stream = true;
    }
  }
  for (const [i, step] of steps.entries()) {
    if (step.op !== "load" || step.engine || step.spec.kind !== "file" || options.snapshot || step.snapshot) continue;
    // A split reads its root once for each part and each step that learns: it reads a table.
    // (Not a prepare of the same name: the view must stay until the table replacing it is written.)
    const once = readers(i, step.dataset).every((r) => r.op === "prepare" && !r.view && !r.engine && r.dataset !== step.dataset);
    if (once) step.lazy = true;
  }

  for (const [i, step] of steps.entries()) {
    if (step.op !== "split" || !viewableSplit(step)) continue;
    if (!ios.slice(i + 1).some((io) => io.defines.includes(step.root))) step.viewParts = true;
  }

  // The datasets each step reads, implicitly too: `register` profiles its model's training rows
  // from the split's root; `tune` trains again on the model's training data.
  const trainedFrom = new Map<string, string[]>();
  const rootOf = new Map<string, string>();
  const reads = steps.map((step, i) => {
    const names = new Set(ios[i].reads);
    if (step.op === "register" || step.op === "tune") {
      for (const d of trainedFrom.get(step.model) ?? []) {
        names.add(d);
        if (step.op === "register" && rootOf.has(d)) names.add(rootOf.get(d)!);
      }
    }
    if (step.op === "train") trainedFrom.set(step.model, [step.input, ...(step.validation ? [step.validation] : [])]);
    if (step.op === "split") for (const part of step.parts) rootOf.set(part.name, step.root);
    // A view reads its input when it is read; so may a streamed prepare (when it staged nothing),
    // and a part of a split kept as views its root.
    for (const name of [...names]) {
      for (let n = name, p = producerOf[i].get(n); p !== undefined; ) {
        const s = steps[p];
        const input = s.op === "prepare" && (s.view || s.stream) ? s.input : s.op === "split" && s.viewParts ? s.root : undefined;
        if (input === undefined) break;
        names.add(input);
        n = input;
        p = producerOf[p].get(n);
      }
    }
    return names;
  });
  // Each defined dataset goes after its last reader (before the name is defined again), or at once.
  for (const [p, step] of steps.entries()) {
    for (const name of ios[p].defines) {
      if (step.op === "train" || step.op === "tune") continue;
      let last = p;
      for (let i = p + 1; i < steps.length; i++) {
        if (reads[i].has(name)) last = i;
        if (ios[i].defines.includes(name)) break;
      }
      // A step that reads a name and defines it again must not drop what it just defined.
      if (last !== p && ios[last].defines.includes(name)) continue;
      (steps[last].release ??= []).push(name);
    }
  }
  return { ...plan, steps };
}
