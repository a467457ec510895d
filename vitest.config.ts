import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // A temp folder of the run's own, checked for leftover lathe-* folders at the end.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: run files in parallel but not more than the machine has.
    maxWorkers: 2,
    pool: "forks",
    // A worker keeps its modules from file to file instead of loading the whole graph again for
    // each of ~190 files: CI's import phase 176 s -> 70 s of worker time, the run 809 s -> 687 s.
    // So a file restores what it changes in the process (environment variables, cwd) and measures
    // memory from a swept heap; test/setup.ts still runs before every file.
    isolate: false,
  },
});
