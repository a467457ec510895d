import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ChunkFile, chunkFolder } from "../../../../runtime/models/trees/chunk-file.js";
import { tempDir } from "../../../helpers.js";

describe("chunk files", () => {
  it("keeps each chunk's sections apart, the last chunk shorter, and removes its folder on close", () => {
    const dir = tempDir();
    const file = new ChunkFile(10, 4, { a: 1, b: 8 }, dir);
    expect(file.chunks).toBe(3);
    expect([0, 1, 2].map((c) => file.rows(c))).toEqual([4, 4, 2]);
    for (let c = 0; c < 3; c++) {
      const m = file.rows(c);
      file.write(c, "a", Uint8Array.from({ length: m }, (_, i) => c * 10 + i));
      file.write(c, "b", Float64Array.from({ length: m }, (_, i) => -(c * 10 + i) / 3));
    }
    // Rewritten in place: a section written again, from an offset into it.
    file.write(1, "b", Float64Array.of(99), 8);
    const a = new Uint8Array(2);
    const b = new Float64Array(2);
    file.read(2, "a", a);
    file.read(2, "b", b);
    expect([...a]).toEqual([20, 21]);
    expect([...b]).toEqual([-20 / 3, -21 / 3]);
    const b1 = new Float64Array(4);
    file.read(1, "b", b1);
    expect([...b1]).toEqual([-10 / 3, 99, -12 / 3, -13 / 3]);
    expect(() => file.read(0, "c", a)).toThrow(/no section c/);
    expect(readdirSync(dir).filter((f) => f.startsWith("lathe-chunks-")).length).toBe(1);
    file.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("lives in LATHE_TEMP_DIR when set (where DuckDB spills), else the system's temp folder", () => {
    expect(chunkFolder({ LATHE_TEMP_DIR: "/data/spill" })).toBe("/data/spill");
    expect(existsSync(chunkFolder({}))).toBe(true);
  });
});
