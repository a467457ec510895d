import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { locateStore, noStoreMessage } from "../../../runtime/store/store-location.js";
import { tempDir } from "../../helpers.js";

const root = tempDir("lathe-locate-");
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dir = (...parts: string[]) => {
  const d = path.join(root, ...parts);
  mkdirSync(d, { recursive: true });
  return d;
};

describe("locateStore", () => {
  it("walks up to the nearest .lathe/, else stops at the project root (.git or package.json) and names its .lathe", () => {
    const project = dir("home", "proj");
    mkdirSync(path.join(project, ".git"));
    const notebooks = dir("home", "proj", "notebooks", "deep");
    expect(locateStore(notebooks)).toEqual({ root: path.join(project, ".lathe"), exists: false, how: "project" });
    mkdirSync(path.join(project, ".lathe"));
    expect(locateStore(notebooks)).toEqual({ root: path.join(project, ".lathe"), exists: true, how: "found" });
    // A store in a subfolder is nearer: it wins there, and only there.
    mkdirSync(path.join(project, "notebooks", ".lathe"));
    expect(locateStore(notebooks).root).toBe(path.join(project, "notebooks", ".lathe"));
    expect(locateStore(project).root).toBe(path.join(project, ".lathe"));
  });

  it("never crosses a project root to a store above it, nor looks in the temp folder itself", () => {
    mkdirSync(dir("stray", ".lathe"), { recursive: true });
    const app = dir("stray", "app");
    writeFileSync(path.join(app, "package.json"), "{}");
    expect(locateStore(dir("stray", "app", "src"))).toMatchObject({ root: path.join(app, ".lathe"), how: "project" });
    // Outside any project the stray store is found (git does the same) ...
    expect(locateStore(dir("stray", "scratch"))).toMatchObject({ root: path.join(root, "stray", ".lathe"), how: "found" });
    // ... but the walk ends below the temp folder: scratch folders there never share a /tmp/.lathe.
    const loose = dir("loose");
    expect(path.dirname(root)).toBe(path.resolve(tmpdir()));
    expect(locateStore(loose)).toEqual({ root: path.join(loose, ".lathe"), exists: false, how: "start" });
  });

  it("--store, then $LATHE_STORE, override the walk (relative to the working directory)", () => {
    const cwd = dir("home", "proj", "notebooks");
    expect(locateStore(cwd, { flag: "../elsewhere", env: "/ignored" })).toEqual({ root: path.join(root, "home", "proj", "elsewhere"), exists: false, how: "flag" });
    expect(locateStore(cwd, { env: path.join(root, "home", "proj", ".lathe") })).toMatchObject({ exists: true, how: "env" });
    expect(noStoreMessage(locateStore(cwd, { flag: "../elsewhere" }))).toBe(`no run store at ${path.join(root, "home", "proj", "elsewhere")} (given by --store); \`lathe run\` creates it`);
  });
});
