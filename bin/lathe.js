#!/usr/bin/env node
// The installed entry point: the CLI is compiled to dist/ by `npm install` (prepare) or `npm run build`.
import("../dist/cli/main.js").then((m) => m.main(process.argv)).catch((e) => {
  if (e && e.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("dist/cli/main.js")) {
    console.error("lathe: not built yet; run `npm run build` (npm install does it for you)");
  } else {
    console.error(e);
  }
  process.exit(70);
});
