import { describe, expect, it } from "vitest";
import { bearerCheck, isLoopback, tokenProblem } from "../../../runtime/serve/bearer-token.js";

describe("bearer tokens", () => {
  it("loopback is this machine only", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]) expect(isLoopback(h), h).toBe(true);
    for (const h of ["0.0.0.0", "::", "192.168.1.4", "10.0.0.1", "example.com", "128.0.0.1", "localhost.example.com"]) expect(isLoopback(h), h).toBe(false);
  });

  it("accepts exactly `Bearer TOKEN`", () => {
    const check = bearerCheck("abc-123");
    expect(check("Bearer abc-123")).toBe(true);
    expect(check("bearer abc-123")).toBe(true);
    for (const h of [undefined, "", "Bearer", "Bearer ", "Bearer abc-12", "Bearer abc-1234", "Basic abc-123", "abc-123", "Bearer abc-123 extra"]) expect(check(h), String(h)).toBe(false);
  });

  it("a token goes in a header: printable, no spaces", () => {
    expect(tokenProblem("abc-123")).toBeUndefined();
    expect(tokenProblem("")).toMatch(/empty/);
    expect(tokenProblem("a b")).toMatch(/printable ASCII without spaces/);
    expect(tokenProblem("é")).toMatch(/printable ASCII/);
  });
});
