import { defineConfig } from "vitest/config";

// Files that measure the process's memory run each in a fresh process: in a worker that ran other
// files, their leftovers move the numbers (garbage V8 collects on its own schedule; glibc's heap
// holes and its raised mmap threshold, which decide what a trim can give back).
const freshProcess = ["test/runtime/data/young-collection.test.ts", "test/runtime/collect-garbage.test.ts"];

export default defineConfig({
  test: {
    setupFiles: ["test/setup.ts"],
    // A temp folder of the run's own, checked for leftover lathe-* folders at the end.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: run files in parallel but not more than the machine has.
    maxWorkers: 2,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "shared",
          include: ["test/**/*.test.ts"],
          exclude: freshProcess,
          // A worker keeps its modules from file to file instead of loading the whole graph again
          // for each of ~190 files: CI's import phase 176 s -> 70 s of worker time, the run
          // 809 s -> 687 s. So a file restores what it changes in the process (environment
          // variables, cwd); test/setup.ts still runs before every file.
          isolate: false,
        },
      },
      { extends: true, test: { name: "fresh-process", include: freshProcess, isolate: true } },
    ],
  },
});
