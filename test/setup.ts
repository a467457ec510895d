import { rmSync } from "node:fs";
import fc from "fast-check";
import { afterAll } from "vitest";
import { madeTempDirs } from "./helpers.js";

// Property tests are reproducible by default: one fixed seed, overridable with FC_SEED to explore
// (`FC_SEED=$RANDOM npx vitest run`); a failure prints the seed and path that reproduce it.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261127) });

// The CLI takes its store from $LATHE_STORE when --store is not given: a developer's own setting
// must not point the tests' processes at another store (tests that want it set it themselves).
delete process.env.LATHE_STORE;

// Every folder tempDir() made goes once the file's tests (and their own afterAll hooks, which run
// first) are done; test/global-setup.ts fails the run if a lathe-* folder is left anyway.
afterAll(() => {
  for (const dir of madeTempDirs.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // A process still writing there: the global check names what is left.
    }
  }
});
