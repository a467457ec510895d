import { describe, expect, it } from "vitest";
import { expectConsistent, expectNoCrashText, lathe, programs, runIdOf, workspace, type ProgramName } from "./store-harness.js";

// 32 `lathe run`s of mixed programs at once in one folder, round after round: every one recorded,
// with the status its exit code says. LATHE_RELIABILITY_ROUNDS=10 for the full target (CI: 3).
const rounds = Number(process.env.LATHE_RELIABILITY_ROUNDS ?? 3);
const perRound = 32;
const mix: ProgramName[] = ["tree", "data", "register", "gate"];

describe("concurrent runs", () => {
  it(`records every one of ${perRound} concurrent runs, ${rounds} rounds`, { timeout: rounds * 240_000 }, async () => {
    const dir = workspace();
    const expected = new Map<string, string>();
    let registered = 0;
    for (let round = 0; round < rounds; round++) {
      const started = Array.from({ length: perRound }, (_, i) => {
        const name = mix[i % mix.length];
        return lathe(["run", `${name}.lathe`, "--param", `seed=${round * perRound + i}`], dir).then((e) => ({ name, e }));
      });
      for (const { name, e } of await Promise.all(started)) {
        expectNoCrashText(e, `${name} in round ${round}`);
        expect(e.code, `${name}.lathe exit, round ${round}: ${e.err}`).toBe(programs[name].exit);
        const id = runIdOf(e.out);
        expect(id, `${name}.lathe printed its run id`).toBeDefined();
        expected.set(id!, e.code === 0 ? "succeeded" : "failed");
        if (name === "register") {
          registered++;
          // Its promote made its own version the champion, whatever the other runs registered meanwhile.
          const mine = /register tree as "shared": "shared" version (\d+)/.exec(e.out)?.[1];
          expect(mine, e.out).toBeDefined();
          expect(e.out).toMatch(new RegExp(`promote "shared": champion of "shared" is version ${mine}\\b`));
        }
      }
      const statuses = await expectConsistent(dir);
      expect(statuses.size).toBe(expected.size);
      for (const [id, status] of expected) expect(statuses.get(id), id).toBe(status);
    }
    // Every registration got its own version: none lost, none numbered twice.
    const versions = JSON.parse((await lathe(["models", "show", "shared", "--json"], dir)).out) as { version: number; runId: string }[];
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: registered }, (_, i) => i + 1));
    expect(new Set(versions.map((v) => v.runId)).size).toBe(registered);
  });
});
