import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

/**
 * The SHA-256 of a file's bytes, hex, read in 1 MiB chunks (data files and artifacts may be larger
 * than memory) into one buffer: a stream's new buffer per chunk left a whole CSV's worth of garbage
 * outside V8's heap (≈ 75 MB for a 78 MB file, in RSS until a collection).
 */
export async function fileSha256(file: string): Promise<string> {
  const h = createHash("sha256");
  const handle = await open(file, "r");
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      h.update(chunk.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return h.digest("hex");
}
