import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { collectGarbage } from "../../../runtime/collect-garbage.js";
import { Database } from "../../../runtime/data/database.js";
import { vectorBindings } from "../../../runtime/data/duckdb-module.js";
import { ChunkRelease } from "../../../runtime/data/young-collection.js";

let db: Database;
beforeAll(async () => {
  db = await Database.open();
  await db.exec(`CREATE TABLE t AS SELECT ${Array.from({ length: 10 }, (_, j) => `i * ${j + 1.5} AS c${j}`).join(", ")} FROM range(200_000) r(i)`);
});
afterAll(() => db.close());
// Each case measures from a swept heap: garbage left by what ran before in this worker (other
// cases, other files when the run does not isolate them) must not be collected mid-measurement.
beforeEach(() => collectGarbage());
const sql = `SELECT ${Array.from({ length: 10 }, (_, j) => `c${j}`).join(", ")} FROM t`;

describe("chunks released while reading", () => {
  it("frees the DuckDB chunks a reader is done with, a few MB at a time", async () => {
    // 200k × 10 DOUBLE: 16 MB of chunks, each held (with the buffers over its vectors) until V8 collects its handle.
    const before = process.memoryUsage().arrayBuffers;
    const release = new ChunkRelease(2 << 20);
    const result = await db.connection.stream(sql);
    let rows = 0;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      for (let j = 0; j < 10; j++) vectorBindings.vector_get_data(vectorBindings.data_chunk_get_vector(chunk.chunk, j), chunk.rowCount * 8);
      rows += chunk.rowCount;
      release.done(chunk.rowCount * 80);
    }
    expect(rows).toBe(200_000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 2 ** 20);
  });

  it("settles a read: the chunks since the last collection go at its end", async () => {
    const before = process.memoryUsage().arrayBuffers;
    // A limit no read reaches: nothing is collected until settle.
    const release = new ChunkRelease(1 << 30);
    const result = await db.connection.stream(sql);
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      for (let j = 0; j < 10; j++) vectorBindings.vector_get_data(vectorBindings.data_chunk_get_vector(chunk.chunk, j), chunk.rowCount * 8);
      release.done(chunk.rowCount * 80);
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThan(12 * 2 ** 20);
    await release.settle();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 * 2 ** 20);
  });

  it("reads hold the columns read and at most 8 MB of chunks", async () => {
    const before = process.memoryUsage().arrayBuffers;
    const { n, columns } = await db.float32Columns(sql, { rows: 200_000 });
    expect(n).toBe(200_000);
    expect(columns[9][199_999]).toBe(Math.fround(199_999 * 10.5));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan((8 + 8 + 2) * 2 ** 20);
    let blocks = 0;
    const streamed = process.memoryUsage().arrayBuffers;
    await db.float32Blocks(sql, 10_000, () => void blocks++, { reuse: true });
    expect(blocks).toBe(20);
    expect(process.memoryUsage().arrayBuffers - streamed).toBeLessThan((8 + 2) * 2 ** 20);
  });
});
