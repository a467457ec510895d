import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeMessage, DELIMITER, encodeMessage, makeHeader, Signer, WireError } from "../../../kernel/jupyter/wire.js";

const KEY = "a0436f6c-1916-498b-8eb9-e81ab9368e84";

function sample(identities: Buffer[] = [Buffer.from("client-1")]) {
  return {
    identities,
    header: makeHeader("execute_request", "session-1", "ada"),
    parent_header: {},
    metadata: { cellId: "c1" },
    content: { code: "print ü 😀", silent: false },
    buffers: [Buffer.from([1, 2, 3])],
  };
}

describe("wire format", () => {
  it("lays out identities, delimiter, signature, four JSON frames and buffers", () => {
    const frames = encodeMessage(sample(), new Signer(KEY));
    expect(frames.map((f) => f.toString("utf8")).slice(0, 2)).toEqual(["client-1", DELIMITER]);
    expect(frames).toHaveLength(8);
    expect(JSON.parse(frames[3]!.toString("utf8")).msg_type).toBe("execute_request");
    expect(frames[7]).toEqual(Buffer.from([1, 2, 3]));
  });

  it("signs with HMAC-SHA256 over header, parent, metadata and content", () => {
    const frames = encodeMessage(sample(), new Signer(KEY));
    const hmac = createHmac("sha256", KEY);
    for (const f of frames.slice(3, 7)) hmac.update(f);
    expect(frames[2]!.toString("utf8")).toBe(hmac.digest("hex"));
  });

  it("round-trips a message, keeping identities and buffers", () => {
    const signer = new Signer(KEY);
    const msg = sample([Buffer.from("a"), Buffer.from("b")]);
    const decoded = decodeMessage(encodeMessage(msg, signer), signer);
    expect(decoded.identities.map(String)).toEqual(["a", "b"]);
    expect(decoded.header).toEqual(msg.header);
    expect(decoded.content).toEqual(msg.content);
    expect(decoded.metadata).toEqual(msg.metadata);
    expect(decoded.buffers).toEqual(msg.buffers);
  });

  it("rejects tampered content, a wrong key and a truncated signature", () => {
    const signer = new Signer(KEY);
    const frames = encodeMessage(sample(), signer);
    const tampered = [...frames];
    tampered[6] = Buffer.from(JSON.stringify({ code: "error pwned" }));
    expect(() => decodeMessage(tampered, signer)).toThrow(/signature/);
    expect(() => decodeMessage(frames, new Signer("other-key"))).toThrow(WireError);
    const truncated = [...frames];
    truncated[2] = frames[2]!.subarray(0, 10);
    expect(() => decodeMessage(truncated, signer)).toThrow(/signature/);
  });

  it("neither signs nor checks when the key is empty", () => {
    const frames = encodeMessage(sample(), new Signer(""));
    expect(frames[2]!.length).toBe(0);
    frames[2] = Buffer.from("anything");
    expect(decodeMessage(frames, new Signer("")).header.msg_type).toBe("execute_request");
  });

  it("reports malformed messages as WireError", () => {
    const signer = new Signer("");
    expect(() => decodeMessage([Buffer.from("x"), Buffer.from("{}")], signer)).toThrow(/delimiter/);
    const frames = encodeMessage(sample(), signer);
    expect(() => decodeMessage(frames.slice(0, 5), signer)).toThrow(/frames/);
    const notJson = [...frames];
    notJson[6] = Buffer.from("{nope");
    expect(() => decodeMessage(notJson, signer)).toThrow(/content is not JSON/);
    const noType = [...frames];
    noType[3] = Buffer.from("{}");
    expect(() => decodeMessage(noType, signer)).toThrow(/msg_type/);
  });

  it("supports other hmac-* schemes and refuses unknown ones", () => {
    const signer = new Signer(KEY, "hmac-sha512");
    const frames = encodeMessage(sample(), signer);
    expect(frames[2]!.toString()).toHaveLength(128);
    expect(decodeMessage(frames, signer).content).toEqual(sample().content);
    expect(() => new Signer(KEY, "rsa-sha256")).toThrow(/unsupported/);
    expect(() => new Signer(KEY, "hmac-nosuchdigest")).toThrow();
  });

  it("stamps headers with protocol version 5.3, a unique id and an ISO date", () => {
    const a = makeHeader("status", "s", "u");
    const b = makeHeader("status", "s", "u");
    expect(a.version).toBe("5.3");
    expect(a.msg_id).not.toBe(b.msg_id);
    expect(new Date(a.date).toISOString()).toBe(a.date);
  });
});
