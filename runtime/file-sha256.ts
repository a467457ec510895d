import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** The SHA-256 of a file's bytes, hex, read in 1 MiB chunks (data files and artifacts may be larger than memory). */
export function fileSha256(file: string): Promise<string> {
  const h = createHash("sha256");
  return new Promise<string>((resolve, reject) => {
    createReadStream(file, { highWaterMark: 1 << 20 })
      .on("data", (d) => h.update(d))
      .on("end", () => resolve(h.digest("hex")))
      .on("error", reject);
  });
}
