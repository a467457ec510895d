import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { repo, tempDir } from "../helpers.js";

// Real `lathe` processes on real folders. LATHE_BIN runs the same tests against another build
// (e.g. an older commit's, to see a test fail before a fix).
export const latheBin = process.env.LATHE_BIN ?? path.join(repo, "bin/lathe.js");

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** Starts `lathe ARGS` in `cwd`; `onStart` gets the child (to kill it). */
export function lathe(args: string[], cwd: string, env: Record<string, string> = {}, onStart?: (child: ReturnType<typeof spawn>) => void): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [latheBin, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, out, err }));
    onStart?.(child);
  });
}

/** Runs tasks with at most `n` at a time, results in order. */
export async function pool<T>(tasks: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]();
      }
    }),
  );
  return out;
}

/** 240 rows of two features and a label that depends on them. */
export function pointsCsv(): string {
  const rows = ["a,b,label"];
  for (let i = 0; i < 240; i++) {
    const a = (i * 37) % 101;
    const b = (i * 53) % 89;
    rows.push(`${a},${b},${a + b > 95 ? "yes" : "no"}`);
  }
  return rows.join("\n") + "\n";
}

const head = `param seed = 42
source points = read "points.csv"
`;
const model = `split points into train 70%, test 30% stratify by label seed seed
model tree = decision_tree predicting label from train { max_depth: 3 }
evaluate tree on test metrics accuracy, f1
`;

/** Programs of different shapes and outcomes, each writing to the store differently. */
export const programs = {
  /** Data only: a journal with steps and no artifacts. */
  data: { text: head + `prepare wide = points { derive s = a + b }\nshow wide limit 3\n`, exit: 0 },
  /** A model, its metrics and its file. */
  tree: { text: head + model, exit: 0 },
  /** A failed gate: the run ends failed (exit 3), nothing registered. */
  gate: { text: head + model + `assert tree on test: accuracy >= 0.999\nregister tree as "gated"\n`, exit: 3 },
  /** Registers and promotes its own version of a shared name, with a chart. */
  register: { text: head + model + `assert tree on test: accuracy >= 0.5\nregister tree as "shared"\npromote "shared"\nplot confusion of tree on test\n`, exit: 0 },
};

export type ProgramName = keyof typeof programs;

/** A scratch folder holding points.csv and every program as NAME.lathe. */
export function workspace(): string {
  const dir = tempDir("lathe-reliability-");
  writeFileSync(path.join(dir, "points.csv"), pointsCsv());
  for (const [name, p] of Object.entries(programs)) writeFileSync(path.join(dir, `${name}.lathe`), p.text);
  return dir;
}

/** The run id a `lathe run` printed. */
export function runIdOf(out: string): string | undefined {
  return /run (\d{8}-\d{6}-[0-9a-f]{6}) recorded/.exec(out)?.[1];
}

/** No stack trace and no "internal error" in what a command printed. */
export function expectNoCrashText(e: Exit, what: string): void {
  expect(e.err, what).not.toMatch(/internal error|\n\s+at [\w.<]+ \(|\n\s+at file:/);
}

/** Every run of the store as `lathe runs show --json` gives it (through the journals). */
export function journals(store: string): { id: string; file: string }[] {
  const dir = path.join(store, "runs");
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".jsonl")).map((f) => ({ id: f.slice(0, -6), file: path.join(dir, f) })) : [];
}

/**
 * What must hold of a store after anything: `runs list` works and shows no run as running (none is),
 * every artifact a run or version references exists whole (its name is its content's hash), and
 * the models commands work. Returns the listed statuses by run id.
 */
export async function expectConsistent(dir: string, store = path.join(dir, ".lathe")): Promise<Map<string, string>> {
  const list = await lathe(["runs", "list", "-n", "100000", "--store", store], dir);
  expectNoCrashText(list, "runs list");
  expect(list.code, list.err).toBe(0);
  const statuses = new Map<string, string>();
  for (const line of list.out.split("\n").slice(2)) {
    const m = /^(\d{8}-\d{6}-[0-9a-f]{6})\s+\S+\s+(\S+)/.exec(line);
    if (m) statuses.set(m[1], m[2]);
  }
  expect([...statuses.values()].filter((s) => s === "running"), "runs left running").toEqual([]);
  expect(statuses.size, "every journal listed").toBe(journals(store).length);
  const referenced = new Set<string>();
  for (const { file } of journals(store)) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      for (const m of line.matchAll(/"path":"([^"]+)"/g)) referenced.add(m[1]);
    }
  }
  const registry = path.join(store, "registry");
  for (const name of existsSync(registry) ? readdirSync(registry) : []) {
    const versions = path.join(registry, name, "versions");
    for (const f of existsSync(versions) ? readdirSync(versions) : []) referenced.add(JSON.parse(readFileSync(path.join(versions, f), "utf8")).artifact);
  }
  for (const file of referenced) {
    expect(existsSync(file), `referenced artifact ${file}`).toBe(true);
    expect(createHash("sha256").update(readFileSync(file)).digest("hex"), `content of ${file}`).toBe(path.basename(file).split(".")[0]);
  }
  const models = await lathe(["models", "list", "--store", store], dir);
  expect(models.code, models.err).toBe(0);
  return statuses;
}
