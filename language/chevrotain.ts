import { createRequire } from "node:module";
import path from "node:path";
import type * as Chevrotain from "chevrotain";

/**
 * Chevrotain's runtime, from the single-file bundle the package ships (lib/chevrotain.min.mjs) instead
 * of its entry point: the entry imports lodash-es as some 600 modules, ~0.5 s on every `lathe` command,
 * kernel start and test file; the bundle (same version, same code) loads in ~30 ms. The package's
 * `exports` map hides the bundle, so it is found next to the resolved entry. It is loaded with
 * `require` (Node ≥ 20.19 loads ES modules so), not a top-level `await import()`: a module with
 * top-level await cannot be `require`d, and tslab notebooks `require` the library.
 */
const require = createRequire(import.meta.url);
const bundle = path.join(path.dirname(require.resolve("chevrotain")), "..", "chevrotain.min.mjs");
/** The whole runtime, for what has no named re-export here. */
export const chevrotain = require(bundle) as typeof Chevrotain;

export const createToken: typeof Chevrotain.createToken = chevrotain.createToken;
export const Lexer: typeof Chevrotain.Lexer = chevrotain.Lexer;
export const EmbeddedActionsParser: typeof Chevrotain.EmbeddedActionsParser = chevrotain.EmbeddedActionsParser;
