import type * as Commander from "commander";
import { createRequire } from "node:module";
import path from "node:path";
import { requireBundle, vendorBundle } from "../runtime/vendor-bundle.js";

/**
 * commander, which every `lathe` command loads first: from the build's one-file bundle of the installed
 * version with its V8 code cache when there is one (scripts/bundle-vendor.mjs, runtime/vendor-bundle.ts:
 * its files come compiled, ≈ 16 → ≈ 8 ms of CPU to load it and build a command line), else from the
 * package, whose ES entry re-exports the same CommonJS code.
 */
const require = createRequire(import.meta.url);
// commander's `exports` map hides its package.json: it sits beside the resolved entry.
const { version } = require(path.join(path.dirname(require.resolve("commander")), "package.json")) as { version: string };
const bundled = vendorBundle("commander", version);
const commander = (bundled ? requireBundle(bundled) : require("commander")) as typeof Commander;

export const Command: typeof Commander.Command = commander.Command;
export const CommanderError: typeof Commander.CommanderError = commander.CommanderError;
export type Command = Commander.Command;
export type CommanderError = Commander.CommanderError;
