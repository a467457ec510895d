import { Session } from "../../../api/session.js";
import type { RunOutcome } from "../../../api/session.js";

/** A session over `dir` that records nothing; `rows` reads a dataset back as plain objects. */
export async function openSession(dir: string) {
  const session = await Session.open({ baseDir: dir, record: false, root: `${dir}/.lathe` });
  return {
    session,
    /** Runs Lathe text and fails the test with the message when it does not succeed. */
    async run(text: string): Promise<RunOutcome> {
      const outcome = await session.run(text);
      if (!outcome.ok) throw new Error(`lathe failed: ${outcome.error?.message ?? ""}${outcome.diagnostics.map((d) => `\n${d.message}`).join("")}`);
      return outcome;
    },
    /** Runs Lathe text that must fail; returns the error or diagnostic messages. */
    async fail(text: string): Promise<string> {
      const outcome = await session.run(text);
      if (outcome.ok) throw new Error("expected the program to fail");
      return [outcome.error?.message ?? "", ...outcome.diagnostics.map((d) => d.message)].join("\n");
    },
    /** A dataset's rows, in a stable order when `orderBy` is given. */
    rows(dataset: string, orderBy?: string): Promise<Record<string, unknown>[]> {
      const relation = session.executor.dataset(dataset).relation;
      return session.executor.db.rows(`SELECT * FROM ${relation}${orderBy ? ` ORDER BY ${orderBy}` : ""}`);
    },
    columns(dataset: string): string[] {
      return session.executor.dataset(dataset).columns;
    },
    close: () => session.close(),
  };
}
