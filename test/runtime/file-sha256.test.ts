import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fileSha256 } from "../../runtime/file-sha256.js";
import { tempDir } from "../helpers.js";

describe("fileSha256", () => {
  const dir = tempDir();
  const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

  it("hashes every byte of a file longer than its chunk, and an empty file", async () => {
    // 2.5 MiB of varied bytes: two full chunks and a partial one, so a dropped or repeated chunk changes the hash.
    const bytes = Buffer.from(Array.from({ length: (5 << 20) / 2 }, (_, i) => (i * 7919) % 251));
    writeFileSync(path.join(dir, "big.bin"), bytes);
    writeFileSync(path.join(dir, "empty.bin"), "");
    expect(await fileSha256(path.join(dir, "big.bin"))).toBe(sha(bytes));
    expect(await fileSha256(path.join(dir, "empty.bin"))).toBe(sha(Buffer.alloc(0)));
  });

  it("rejects for a missing file with the system's code", async () => {
    await expect(fileSha256(path.join(dir, "missing.bin"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
