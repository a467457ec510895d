import { hostname, userInfo } from "node:os";

/** Who does something to the store: the user and host of this process. */
export interface Actor {
  user: string;
  host: string;
}

let self: Actor | undefined;

/**
 * This process's user and host, for the registry's audit log. A container user with no passwd
 * entry makes `userInfo()` throw; then the environment's name, else the numeric uid, stands in.
 */
export function currentActor(): Actor {
  if (self) return self;
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER || process.env.LOGNAME || `uid ${process.getuid?.() ?? "?"}`;
  }
  self = { user, host: hostname() };
  return self;
}
