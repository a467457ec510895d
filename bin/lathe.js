#!/usr/bin/env node
// The installed entry point: the CLI is compiled to dist/ by `npm install` (prepare) or `npm run build`.
import module from "node:module";

// V8's compile cache (Node >= 22.1; absent on Node 20, where this does nothing): later starts reuse the
// compiled code of Lathe, DuckDB's client and the parser. Node keeps it in <os tmpdir>/node-compile-cache
// (NODE_COMPILE_CACHE moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off); a folder it cannot write
// only leaves the cache off, it never fails the command.
try {
  module.enableCompileCache?.();
} catch {
  // no cache: the command runs as without it
}
import("../dist/cli/main.js").then((m) => m.main(process.argv)).catch((e) => {
  if (e && e.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("dist/cli/main.js")) {
    console.error("lathe: not built yet; run `npm run build` (npm install does it for you)");
  } else {
    console.error(e);
  }
  process.exit(70);
});
