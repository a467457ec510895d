import { execFile } from "node:child_process";
import { currentActor } from "./actor.js";
import type { RunProvenance } from "./run-journal.js";

/**
 * Where and by whom a run runs: the git commit, branch and dirty state of the repository holding
 * `dir` (the program's folder), the user and the host. Outside a repository, or without git, there
 * is no `git` and nothing fails. Asynchronous, so a session starts it as a run starts and git works
 * while the program is checked and planned.
 */
export async function runProvenance(dir: string): Promise<RunProvenance> {
  const git = await gitState(dir);
  const { user, host } = currentActor();
  return { ...(git ? { git } : {}), user, host };
}

/**
 * One `git status` gives all three: `# branch.oid` (the commit, `(initial)` before the first one),
 * `# branch.head` (`(detached)` off a branch) and a line per changed tracked file. Untracked files
 * do not make a tree dirty: the store itself (`.lathe/`) would, in every repository that does not
 * ignore it.
 */
export async function gitState(dir: string): Promise<RunProvenance["git"]> {
  const out = await new Promise<string | undefined>((resolve) => {
    const child = execFile("git", ["status", "--porcelain=v2", "--branch", "--untracked-files=no"], { cwd: dir, encoding: "utf8", timeout: 10_000, env: { ...process.env, GIT_OPTIONAL_LOCKS: "0" } }, (error, stdout) => resolve(error ? undefined : stdout));
    child.stdin?.end();
    // No git (ENOENT) is reported through the callback; this keeps it from being thrown as well.
    child.on("error", () => resolve(undefined));
  });
  if (out === undefined) return undefined;
  const header = (key: string) => new RegExp(`^# branch\\.${key} (.+)$`, "m").exec(out)?.[1];
  const oid = header("oid");
  const head = header("head");
  return {
    ...(oid && oid !== "(initial)" ? { commit: oid } : {}),
    ...(head && head !== "(detached)" ? { branch: head } : {}),
    dirty: out.split("\n").some((l) => /^[12u] /.test(l)),
  };
}
