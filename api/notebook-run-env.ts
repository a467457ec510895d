import type { LiteralValue } from "../language/ast.js";
import type { SessionOptions } from "./session.js";

/**
 * What `lathe notebook run` tells the kernel it starts (through Jupyter, which passes its own
 * environment on): the run store, the run the notebook is recorded as, and — for Lathe
 * notebooks — the `--param` values, which every `param` of the same name then takes.
 */
export interface NotebookRunEnv {
  store: string;
  runId: string;
  params?: Record<string, LiteralValue>;
}

/** The environment variables carrying a notebook run to its kernel. */
export function notebookRunEnv(run: NotebookRunEnv): Record<string, string> {
  return { LATHE_STORE: run.store, LATHE_RUN_ID: run.runId, ...(run.params && Object.keys(run.params).length ? { LATHE_PARAMS: JSON.stringify(run.params) } : {}) };
}

/** The session options a kernel (or a TypeScript notebook's default session) takes from its environment. */
export function sessionOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<SessionOptions, "root" | "notebookRun" | "params"> {
  const params = env.LATHE_PARAMS ? (JSON.parse(env.LATHE_PARAMS) as Record<string, LiteralValue>) : undefined;
  return {
    ...(env.LATHE_STORE ? { root: env.LATHE_STORE } : {}),
    ...(env.LATHE_RUN_ID ? { notebookRun: env.LATHE_RUN_ID } : {}),
    ...(params ? { params } : {}),
  };
}
