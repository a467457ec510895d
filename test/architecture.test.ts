import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repo } from "./helpers.js";

// The import rules of each folder's CONTEXT.md, checked over the whole import graph (not just direct imports).
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const importRe = /(?:^|\n)\s*(?:import|export)\s[^"';]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Every package a source file reaches, following the project's own relative imports. */
function packagesReached(file: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  if (seen.has(file)) return out;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith(".")) {
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, ".ts");
      for (const p of packagesReached(target, seen)) out.add(p);
    } else {
      out.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
    }
  }
  return out;
}

describe("architecture", () => {
  it("runtime/ never reaches Chevrotain", () => {
    for (const f of sources(path.join(repo, "runtime"))) expect([...packagesReached(f)], path.relative(repo, f)).not.toContain("chevrotain");
  });

  it("language/ never reaches DuckDB, TensorFlow.js or the runtime", () => {
    for (const f of sources(path.join(repo, "language"))) {
      const reached = [...packagesReached(f)];
      expect(reached.filter((p) => p.startsWith("@duckdb") || p.startsWith("@tensorflow")), path.relative(repo, f)).toEqual([]);
      const text = readFileSync(f, "utf8");
      expect(text, path.relative(repo, f)).not.toMatch(/from\s+["']\.\.\/runtime\//);
    }
  });

  it("no import cycles in the source tree (static, dynamic and type-only imports alike)", () => {
    const files = ["api", "cli", "kernel", "language", "runtime"].flatMap((d) => sources(path.join(repo, d)));
    const edges = new Map<string, string[]>();
    for (const f of files) {
      const targets: string[] = [];
      for (const m of readFileSync(f, "utf8").matchAll(importRe)) {
        const spec = m[1] ?? m[2];
        if (spec.startsWith(".")) targets.push(path.resolve(path.dirname(f), spec).replace(/\.js$/, ".ts"));
      }
      edges.set(f, targets);
    }
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (f: string) => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        cycles.push([...stack.slice(stack.indexOf(f)), f].map((x) => path.relative(repo, x)).join(" → "));
        return;
      }
      state.set(f, "open");
      stack.push(f);
      for (const t of edges.get(f) ?? []) visit(t);
      stack.pop();
      state.set(f, "done");
    };
    for (const f of files) visit(f);
    expect(cycles).toEqual([]);
  });
});
