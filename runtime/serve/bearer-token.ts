import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";

/** Whether a host to bind is this machine only: `localhost`, `127.0.0.0/8` or `::1`. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  return h.startsWith("::ffff:127.");
}

/** What is wrong with a token, or undefined: it goes in a header, so printable ASCII without spaces. */
export function tokenProblem(token: string): string | undefined {
  if (!token) return "the token is empty";
  if (!/^[\x21-\x7e]+$/.test(token)) return "a token is printable ASCII without spaces (it is sent as `Authorization: Bearer TOKEN`)";
  return undefined;
}

/**
 * A check of `Authorization: Bearer TOKEN` in constant time: both sides are hashed first, so
 * neither the comparison nor the lengths tell an attacker how much of a guess was right.
 */
export function bearerCheck(token: string): (header: string | undefined) => boolean {
  const want = createHash("sha256").update(token).digest();
  return (header) => {
    const m = /^Bearer +(\S+) *$/i.exec(header ?? "");
    const got = createHash("sha256").update(m ? m[1] : "").digest();
    return timingSafeEqual(got, want) && m !== null;
  };
}
