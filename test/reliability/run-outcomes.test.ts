import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { rng } from "../seeded-rng.js";
import { expectConsistent, expectNoCrashText, lathe, programs, runIdOf, workspace } from "./store-harness.js";

// A run that fails or is stopped keeps what its finished steps computed, ends with its real status,
// and its registry changes are flagged (kept, not undone: see docs/reliability.md).
describe("runs that do not succeed", () => {
  it("a run that fails at a late step keeps earlier metrics and model files; its registry changes are flagged", { timeout: 300_000 }, async () => {
    const dir = workspace();
    // Parses as integers for DuckDB's sniffer (and so for `lathe check`), fails when the whole file is read.
    const rows = ["a,b", ...Array.from({ length: 30_000 }, (_, i) => `${i},${i % 7}`), "oops,1"];
    writeFileSync(path.join(dir, "late.csv"), rows.join("\n") + "\n");
    writeFileSync(path.join(dir, "fails-late.lathe"), programs.register.text + `source late = read "late.csv"\nshow late limit 3\n`);
    const e = await lathe(["run", "fails-late.lathe"], dir);
    expectNoCrashText(e, "fails-late");
    expect(e.code, e.err).toBe(4);
    const run = JSON.parse((await lathe(["runs", "show", runIdOf(e.out)!, "--json"], dir)).out);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/oops/);
    expect(run.metrics.map((m: { metric: string }) => m.metric).sort()).toEqual(expect.arrayContaining(["accuracy", "f1"]));
    expect(run.artifacts.map((a: { kind: string }) => a.kind)).toContain("model");
    expect(run.steps.at(-1)).toMatchObject({ failed: true });
    expect(run.steps.filter((s: { failed?: boolean }) => !s.failed).map((s: { label: string }) => s.label)).toEqual(expect.arrayContaining(['register tree as "shared"', 'promote "shared"']));
    const show = await lathe(["models", "show", "shared"], dir);
    expect(show.out).toMatch(/^\s+1\s+\*\s+\S+\s+tree \(decision_tree\).*run failed\s*$/m);
    expect(show.out).toMatch(/flagged: version 1 was registered by run \S+, which failed after registering it; the champion was last set by run \S+ \(promote to version 1\), which failed/);
    await expectConsistent(dir);
  });

  it("SIGTERM and SIGINT stop a run as interrupted (exit 143 and 130), keeping what finished steps computed", { timeout: 300_000 }, async () => {
    const dir = workspace();
    const random = rng(7);
    const rows = ["a,b,c,d,label"];
    for (let i = 0; i < 20_000; i++) {
      const [a, b, c, d] = [random(), random(), random(), random()];
      rows.push(`${a},${b},${c},${d},${a + b * c > 0.7 ? "yes" : "no"}`);
    }
    writeFileSync(path.join(dir, "big.csv"), rows.join("\n") + "\n");
    writeFileSync(
      path.join(dir, "slow.lathe"),
      `param seed = 42
source big = read "big.csv"
split big into train 80%, test 20% stratify by label seed seed
model tree = decision_tree predicting label from train { max_depth: 3 }
evaluate tree on test metrics accuracy
model net = neural_network predicting label from train { layers: [256, 256]; epochs: 5000 }
evaluate net on test metrics accuracy
`,
    );
    // The last case is an impatient user: Ctrl-C, then Ctrl-C again while the run winds down.
    for (const [signal, code, times] of [["SIGTERM", 143, 1], ["SIGINT", 130, 1], ["SIGINT", 130, 2]] as const) {
      const e = await lathe(["run", "slow.lathe"], dir, {}, (child) => {
        let out = "";
        let sent = false;
        child.stdout!.on("data", (d) => {
          out += d;
          // Once the first model's metrics are out, the network is training: stop it there, with one
          // signal (each later chunk of output used to schedule another: a second signal while the run
          // was winding down found no handler and killed the process, exit code null).
          if (out.includes("evaluate tree on test:") && !sent) {
            sent = true;
            setTimeout(() => child.kill(signal), 500);
            if (times === 2) setTimeout(() => child.kill(signal), 520);
          }
        });
      });
      expectNoCrashText(e, signal);
      // A second signal can land while the process exits (native teardown, after Node's handlers are
      // gone): then it dies by that signal, which a shell reports as the same 130, with the outcome
      // already printed and recorded. During the run's wind-down it is acknowledged and changes nothing.
      if (times === 2 && e.code === null) expect(e.signal).toBe(signal);
      else expect(e.code, `${signal}: ${e.err}`).toBe(code);
      expect(e.err).toContain("lathe: interrupted");
      const run = JSON.parse((await lathe(["runs", "show", runIdOf(e.out)!, "--json"], dir)).out);
      expect(run).toMatchObject({ status: "interrupted", errorCode: "interrupted" });
      expect(run.metrics).toEqual([expect.objectContaining({ model: "tree", metric: "accuracy" })]);
    }
    await expectConsistent(dir);
  });
});
