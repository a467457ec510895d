// Registers the Lathe kernel (the compiled dist/kernel/start.js, as `lathe kernel install` does) in
// a temporary Jupyter prefix, with its own run store, for tests that start it through real Jupyter.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installLatheKernel, kernelArgv } from "../../../kernel/main.js";

/** A kernelspec installed for a test: its name, the environment that finds it, and cleanup. */
export interface InstalledKernel {
  name: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/** Installs the Lathe kernel under a temporary prefix; `npm test` builds dist/ first. */
export async function installTestKernel(name: string): Promise<InstalledKernel> {
  const entry = kernelArgv()[1];
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` (npm test does) first`);
  const prefix = mkdtempSync(join(tmpdir(), "lathe-kernelspec-"));
  const store = mkdtempSync(join(tmpdir(), "lathe-kernel-store-"));
  await installLatheKernel({ prefix, name });
  return {
    name,
    env: {
      ...process.env,
      JUPYTER_PATH: join(prefix, "share", "jupyter"),
      // Runs land in a temporary store, not in .lathe/ of the working directory.
      LATHE_STORE: store,
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
    },
    cleanup() {
      rmSync(prefix, { recursive: true, force: true });
      rmSync(store, { recursive: true, force: true });
    },
  };
}
