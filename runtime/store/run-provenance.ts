import { execFileSync } from "node:child_process";
import { currentActor } from "./actor.js";
import type { RunProvenance } from "./run-journal.js";

/**
 * Where and by whom a run runs: the git commit, branch and dirty state of the repository holding
 * `dir` (the program's folder), the user and the host. Outside a repository, or without git, there
 * is no `git` and nothing fails.
 */
export function runProvenance(dir: string): RunProvenance {
  const git = gitState(dir);
  const { user, host } = currentActor();
  return { ...(git ? { git } : {}), user, host };
}

/**
 * One `git status` gives all three: `# branch.oid` (the commit, `(initial)` before the first one),
 * `# branch.head` (`(detached)` off a branch) and a line per changed tracked file. Untracked files
 * do not make a tree dirty: the store itself (`.lathe/`) would, in every repository that does not
 * ignore it.
 */
export function gitState(dir: string): RunProvenance["git"] {
  let out: string;
  try {
    out = execFileSync("git", ["status", "--porcelain=v2", "--branch", "--untracked-files=no"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000, env: { ...process.env, GIT_OPTIONAL_LOCKS: "0" } });
  } catch {
    return undefined;
  }
  const header = (key: string) => new RegExp(`^# branch\\.${key} (.+)$`, "m").exec(out)?.[1];
  const oid = header("oid");
  const head = header("head");
  return {
    ...(oid && oid !== "(initial)" ? { commit: oid } : {}),
    ...(head && head !== "(detached)" ? { branch: head } : {}),
    dirty: out.split("\n").some((l) => /^[12u] /.test(l)),
  };
}
