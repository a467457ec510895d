/**
 * A reader that stops early (`lathe predict ... | head`) closes its end of the pipe. Node ignores
 * SIGPIPE, so each later write to stdout (or stderr) fails with EPIPE as an 'error' event, and an
 * unheeded one crashes the CLI with a stack trace and exit 1. Those writes are dropped instead: the
 * command finishes what it was doing (a run is still recorded, scratch files are removed) and exits
 * with its own code, 0 when it succeeded, as a filter whose reader left early does.
 */
let installed = false;

/** Makes writes to a stdout or stderr whose reader has gone away a no-op instead of a crash (once per process). */
export function ignoreClosedPipes(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      // Any other failure of the stream is as unexpected as before: rethrown, it stays uncaught.
      if (e.code !== "EPIPE") throw e;
    });
  }
}
