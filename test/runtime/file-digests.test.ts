import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { FileDigests, sweepDigests } from "../../runtime/file-digests.js";
import { tempDir } from "../helpers.js";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** A data file written now, and a moment later (so its change is in the past of the hash). */
async function dataFile(dir: string, text: string): Promise<string> {
  const file = path.join(dir, "data.csv");
  writeFileSync(file, text);
  await sleep(20);
  return file;
}

/** The one entry the store holds, as a path and its JSON. */
function entryOf(store: string): { file: string; json: { path: string; state: string; sha256: string } } {
  const [name] = readdirSync(path.join(store, "digests"));
  const file = path.join(store, "digests", name);
  return { file, json: JSON.parse(readFileSync(file, "utf8")) };
}

describe("file digests remembered by file state", () => {
  it("a later process trusts the store's entry while the file's state is the same, and hashes again after any write", async () => {
    const dir = tempDir("lathe-digests-");
    const store = path.join(dir, ".lathe");
    mkdirSync(store);
    const file = await dataFile(dir, "a,b\n1,2\n");
    // A whole second, so the same mtime can be put back exactly below.
    const then = 1_700_000_000;
    utimesSync(file, then, then);
    await sleep(20);
    expect(await new FileDigests(store, 0).sha256(file)).toBe(sha("a,b\n1,2\n"));
    // The entry is what a later process reads instead of the file: one that says otherwise is believed.
    const { file: entry, json } = entryOf(store);
    writeFileSync(entry, JSON.stringify({ ...json, sha256: "0".repeat(64) }));
    expect(await new FileDigests(store, 0).sha256(file)).toBe("0".repeat(64));
    // Same size, same inode, mtime put back to the nanosecond: only the ctime moved, and the file is read again.
    const before = statSync(file, { bigint: true });
    writeFileSync(file, "a,b\n3,4\n");
    utimesSync(file, then, then);
    const after = statSync(file, { bigint: true });
    expect([after.size, after.ino, after.mtimeNs]).toEqual([before.size, before.ino, before.mtimeNs]);
    await sleep(20);
    expect(await new FileDigests(store, 0).sha256(file)).toBe(sha("a,b\n3,4\n"));
    // Replaced by another file under the same name: another inode.
    writeFileSync(path.join(dir, "other.csv"), "a,b\n5,6\n");
    renameSync(path.join(dir, "other.csv"), file);
    await sleep(20);
    expect(await new FileDigests(store, 0).sha256(file)).toBe(sha("a,b\n5,6\n"));
    // No temp file is left in the store.
    expect(existsSync(path.join(store, "tmp")) ? readdirSync(path.join(store, "tmp")) : []).toEqual([]);
  });

  it("a torn or foreign entry is not trusted", async () => {
    const dir = tempDir("lathe-digests-");
    const store = path.join(dir, ".lathe");
    mkdirSync(store);
    const file = await dataFile(dir, "x\n1\n");
    await new FileDigests(store, 0).sha256(file);
    const { file: entry, json } = entryOf(store);
    writeFileSync(entry, JSON.stringify(json).slice(0, 20));
    expect(await new FileDigests(store, 0).sha256(file)).toBe(sha("x\n1\n"));
    writeFileSync(entry, JSON.stringify({ ...json, path: "/elsewhere", sha256: "1".repeat(64) }));
    expect(await new FileDigests(store, 0).sha256(file)).toBe(sha("x\n1\n"));
  });

  it("a file changed within the settling time is not remembered; no store folder is created for the cache", async () => {
    const dir = tempDir("lathe-digests-");
    const store = path.join(dir, ".lathe");
    mkdirSync(store);
    const file = await dataFile(dir, "y\n2\n");
    expect(await new FileDigests(store).sha256(file)).toBe(sha("y\n2\n"));
    expect(existsSync(path.join(store, "digests"))).toBe(false);
    const none = path.join(dir, "no-store", ".lathe");
    expect(await new FileDigests(none, 0).sha256(file)).toBe(sha("y\n2\n"));
    expect(existsSync(none)).toBe(false);
  });

  it("gc's sweep removes the digests of files gone or changed and keeps the current ones", async () => {
    const dir = tempDir("lathe-digests-");
    const store = path.join(dir, ".lathe");
    mkdirSync(store);
    const files = ["kept.csv", "changed.csv", "gone.csv"].map((n) => path.join(dir, n));
    for (const f of files) writeFileSync(f, `x\n${f}\n`);
    await sleep(20);
    const digests = new FileDigests(store, 0);
    for (const f of files) await digests.sha256(f);
    writeFileSync(path.join(store, "digests", "torn.json"), "{");
    writeFileSync(files[1], "x\nchanged\n");
    rmSync(files[2]);
    expect(sweepDigests(store, true)).toEqual({ removed: 3, kept: 1 });
    expect(readdirSync(path.join(store, "digests"))).toHaveLength(4);
    expect(sweepDigests(store)).toEqual({ removed: 3, kept: 1 });
    const [left] = readdirSync(path.join(store, "digests"));
    expect(JSON.parse(readFileSync(path.join(store, "digests", left), "utf8")).path).toBe(path.resolve(files[0]));
  });
});
