import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CellError } from "../../kernel/jupyter/backend.js";
import { LatheBackend } from "../../kernel/lathe-backend.js";
import { commandLines, isCommandCell } from "../../kernel/lathe-command.js";
import { cellContext as context } from "./cell-context.js";
import { registeredStore } from "../runtime/serve/fixture.js";
import { tempDir } from "../helpers.js";

let backend: LatheBackend;
const outerStore = process.env.LATHE_STORE;
beforeAll(async () => {
  backend = await LatheBackend.create({ store: await registeredStore() });
  // Another store in the kernel's own environment: the command must use the kernel's store, not this one.
  process.env.LATHE_STORE = tempDir("lathe-other-store-");
}, 120_000);
afterAll(async () => {
  if (outerStore === undefined) delete process.env.LATHE_STORE;
  else process.env.LATHE_STORE = outerStore;
  await backend?.shutdown();
});

describe("%lathe cells", () => {
  it("a cell is a command cell when its first line that is not blank or a comment starts with %lathe", () => {
    expect(isCommandCell("\n# the registry\n%lathe models list")).toBe(true);
    expect(isCommandCell('source p = read "x.csv"\n%lathe models list')).toBe(false);
    expect(isCommandCell("%lathed")).toBe(false);
    expect(commandLines('%lathe models list\n\n# then\n%lathe replay m --input "a b.parquet" --label \'late\'')).toEqual([
      ["models", "list"],
      ["replay", "m", "--input", "a b.parquet", "--label", "late"],
    ]);
    expect(backend.isComplete("%lathe models show")).toEqual({ status: "complete" });
  });

  it("runs the command on the kernel's store and streams its output to the cell", async () => {
    const { ctx, stdout, stderr } = context(1);
    expect(await backend.execute("%lathe models list", ctx)).toBeUndefined();
    expect(stderr()).toBe("");
    expect(stdout()).toMatch(/penguins/);
  }, 60_000);

  it("a command that fails makes the cell an error: the command's message on stderr, its exit code, no stack trace", async () => {
    const { ctx, stdout, stderr } = context(2);
    const failure = await backend.execute("%lathe models list\n%lathe monitor puffins\n%lathe models list", ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(CellError);
    const e = failure as CellError;
    expect([e.ename, e.evalue]).toEqual(["LatheCommandFailed", "`lathe monitor puffins` exited with 4"]);
    expect(e.traceback).toEqual(["LatheCommandFailed: `lathe monitor puffins` exited with 4"]);
    expect(stderr()).toMatch(/^lathe: error\[unknown-model-name\]: .*puffins/);
    expect(stderr()).not.toMatch(/\n\s+at |\.js:\d+/);
    // The cell stopped at the failing command: the list ran once, before it.
    expect(stdout().match(/penguins/g)).toHaveLength(1);
  }, 60_000);

  it("`runs compare --chart METRIC` without --out shows the chart in the cell, as a multi-MIME bundle", async () => {
    const { ctx, stdout } = context(4);
    const shown: Record<string, unknown>[] = [];
    ctx.display = (b) => void shown.push(b);
    const [run] = backend.session.store.runIds();
    await backend.execute(`%lathe runs compare ${run} --chart accuracy`, ctx);
    expect(stdout()).toMatch(/lr\.test\.accuracy\s+[\d.]+/);
    expect(stdout()).not.toMatch(/written to/);
    expect(shown).toHaveLength(1);
    expect(Object.keys(shown[0]).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "image/svg+xml", "text/plain"]);
    expect(shown[0]["text/plain"]).toMatch(/accuracy across runs/);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith("lathe-chart-"))).toEqual([]);
  }, 60_000);

  it("a line that is not a well-formed command is a coded error, and nothing runs", async () => {
    for (const [code, message] of [
      ['%lathe models show "penguins', /line 1: a quote is not closed/],
      ["%lathe models list\nmodels list", /line 2 of a %lathe cell is not a %lathe command/],
      ["%lathe", /line 1: %lathe needs a command/],
    ] as const) {
      const { ctx, streams } = context(3);
      const e = (await backend.execute(code, ctx).then(
        () => undefined,
        (x: unknown) => x,
      )) as CellError;
      expect(e).toBeInstanceOf(CellError);
      expect(e.evalue).toMatch(message);
      expect(e.traceback.join("\n")).toMatch(/^error\[invalid-command-cell\]: line \d+: /);
      expect(streams).toEqual([]);
    }
  });
});
