import { hostname, userInfo } from "node:os";

/** Who does something to the store: the user (when the system can tell) and host of this process. */
export interface Actor {
  user?: string;
  host: string;
}

let self: Actor | undefined;

/**
 * This process's user and host: recorded with each run (`run-provenance.ts`) and each change to the
 * registry (its audit log). A container user with no passwd entry makes `userInfo()` throw; then
 * the environment may still say.
 */
export function currentActor(): Actor {
  if (self) return self;
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER || process.env.USERNAME || undefined;
  }
  self = { ...(user ? { user } : {}), host: hostname() };
  return self;
}
