import { realpathSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Where a command's run store is, and how it was found. */
export interface StoreLocation {
  /** The store's folder (`.../.lathe`), whether or not it exists yet. */
  root: string;
  /** Whether that folder exists: read-only commands never create it. */
  exists: boolean;
  /**
   * `flag` (`--store`), `env` (`$LATHE_STORE`), `found` (a `.lathe/` on the way up), `project`
   * (none up to the project root, marked by `.git` or `package.json`: that root's `.lathe`),
   * `start` (neither: the starting folder's own `.lathe`).
   */
  how: "flag" | "env" | "found" | "project" | "start";
}

/**
 * Finds the run store the way git finds a repository: from `start` (the working directory; for the
 * kernel that is the notebook's folder) up to the nearest folder holding `.lathe/`, so a job run at
 * a project's root and a notebook in `notebooks/` share one store. The walk stops at the project
 * root (the first folder holding `.git` or `package.json`), so a stray `~/.lathe` never captures a
 * project's runs, and it never looks in the file system's root or the system's temp folder itself,
 * so scratch folders under /tmp stay apart. With no store up to there, the store is the project
 * root's `.lathe` (created by the first command that records something), or the starting folder's
 * outside any project. `--store`, then `$LATHE_STORE`, override all of it.
 */
export function locateStore(start: string, overrides: { flag?: string; env?: string } = {}): StoreLocation {
  const given = overrides.flag ? { dir: overrides.flag, how: "flag" as const } : overrides.env ? { dir: overrides.env, how: "env" as const } : undefined;
  if (given) {
    const root = path.resolve(start, given.dir);
    return { root, exists: isDir(root), how: given.how };
  }
  const ceilings = new Set([path.parse(path.resolve(start)).root, path.resolve(tmpdir()), real(tmpdir())]);
  for (let dir = path.resolve(start); !ceilings.has(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, ".lathe");
    if (isDir(candidate)) return { root: candidate, exists: true, how: "found" };
    if (exists(path.join(dir, ".git")) || exists(path.join(dir, "package.json"))) return { root: candidate, exists: false, how: "project" };
    if (path.dirname(dir) === dir) break;
  }
  const root = path.join(path.resolve(start), ".lathe");
  return { root, exists: isDir(root), how: "start" };
}

/** What a read-only command says when its store does not exist: where it looked, and what creates one. */
export function noStoreMessage(loc: StoreLocation): string {
  if (loc.how === "flag" || loc.how === "env") return `no run store at ${loc.root} (given by ${loc.how === "flag" ? "--store" : "$LATHE_STORE"}); \`lathe run\` creates it`;
  const looked = loc.how === "project" ? `from here up to the project root ${path.dirname(loc.root)}` : "here or in a folder above";
  return `no run store: no .lathe/ ${looked}; \`lathe run\` creates ${loc.root}`;
}

function isDir(p: string): boolean {
  return stat(p)?.isDirectory() ?? false;
}

function exists(p: string): boolean {
  return stat(p) !== undefined;
}

/** A folder this user may not look into holds nothing the walk can use: its store, if any, is not ours to find. */
function stat(p: string): ReturnType<typeof statSync> {
  try {
    return statSync(p, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** The store a library session uses when given none: `$LATHE_STORE`, else the one found from the working directory. */
export function defaultStoreRoot(): string {
  return locateStore(process.cwd(), { env: process.env.LATHE_STORE || undefined }).root;
}
