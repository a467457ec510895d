import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/** True when a path holds glob characters (`*`, `?`, `[...]`). */
export function isGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

/** A glob segment as a RegExp: `*` and `?` never cross a `/`, `[...]` is a character class. */
function segmentRegExp(segment: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = segment.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        const body = segment.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\");
        re += `[${body}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * The files an absolute glob matches, sorted, so a glob source can be fingerprinted like a list of
 * files (DuckDB reads them; this only names them). `**` matches any number of folders.
 */
export function expandGlob(pattern: string): string[] {
  const parts = path.resolve(pattern).split(path.sep);
  const first = parts.findIndex(isGlob);
  if (first < 0) return safeIsFile(pattern) ? [pattern] : [];
  const out: string[] = [];
  const walk = (dir: string, rest: string[]) => {
    if (!rest.length) return;
    const [seg, ...tail] = rest;
    if (seg === "**") {
      walk(dir, tail);
      for (const e of entries(dir)) if (e.isDirectory()) walk(path.join(dir, e.name), rest);
      return;
    }
    if (!isGlob(seg)) {
      const next = path.join(dir, seg);
      if (tail.length) walk(next, tail);
      else if (safeIsFile(next)) out.push(next);
      return;
    }
    const re = segmentRegExp(seg);
    for (const e of entries(dir)) {
      if (!re.test(e.name)) continue;
      const next = path.join(dir, e.name);
      if (tail.length) {
        if (e.isDirectory()) walk(next, tail);
      } else if (e.isFile()) out.push(next);
    }
  };
  walk(parts.slice(0, first).join(path.sep) || path.sep, parts.slice(first));
  return [...new Set(out)].sort();
}

function entries(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function safeIsFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
