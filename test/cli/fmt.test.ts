import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { fmtCommand } from "../../cli/fmt.js";
import { tempDir } from "../helpers.js";

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, done) {
      w.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  w.text = "";
  return w;
}

function file(text: string): string {
  const f = path.join(tempDir(), "job.lathe");
  writeFileSync(f, text);
  return f;
}

describe("lathe fmt", () => {
  it("prints the formatted program, or rewrites the file with --write", () => {
    const f = file("show   d limit 5;# look\n");
    const out = sink();
    expect(fmtCommand(f, {}, out, sink())).toBe(0);
    expect(out.text).toBe("show d limit 5 # look\n");
    expect(readFileSync(f, "utf8")).toBe("show   d limit 5;# look\n");
    expect(fmtCommand(f, { write: true }, sink(), sink())).toBe(0);
    expect(readFileSync(f, "utf8")).toBe("show d limit 5 # look\n");
  });

  it("--check exits 1 on an unformatted file and 0 on a formatted one", () => {
    expect(fmtCommand(file("show  d\n"), { check: true }, sink(), sink())).toBe(1);
    expect(fmtCommand(file("show d\n"), { check: true }, sink(), sink())).toBe(0);
  });

  it("refuses a file with syntax errors: diagnostics with file:line:col, exit 1, file untouched", () => {
    const f = file("show d\nprepare p = d { fil a with mean }\n");
    const err = sink();
    expect(fmtCommand(f, { write: true }, sink(), err)).toBe(1);
    expect(err.text).toContain("job.lathe:2:17: error[syntax-error]");
    expect(err.text).toContain("did you mean `fill`");
    expect(readFileSync(f, "utf8")).toBe("show d\nprepare p = d { fil a with mean }\n");
  });
});
