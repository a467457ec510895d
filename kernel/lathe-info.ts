import type { LanguageInfo } from "./jupyter/backend.js";

/**
 * What kernel_info_reply says about Lathe. Kept apart from the backend so the kernel can answer
 * kernel_info before the runtime (DuckDB, TensorFlow.js, Vega) has loaded.
 */
export const latheVersion = "0.1.0";

/** The static half of the Lathe kernel backend. */
export const latheInfo: {
  languageInfo: LanguageInfo;
  implementation: string;
  implementationVersion: string;
  banner: string;
  helpLinks: { text: string; url: string }[];
} = {
  languageInfo: {
    name: "lathe",
    version: latheVersion,
    mimetype: "text/x-lathe",
    file_extension: ".lathe",
    // No CodeMirror mode or Pygments lexer exists for Lathe (nbconvert can only name an installed
    // one); Python's highlight its strings, numbers, # comments and shared keywords (from, in, and,
    // not, is), and find no error token in any example program.
    codemirror_mode: "python",
    pygments_lexer: "python",
  },
  implementation: "lathe",
  implementationVersion: latheVersion,
  banner: `Lathe ${latheVersion}: a declarative MLOps workbench. Cells are Lathe code; shift-tab on a word shows its documentation.`,
  helpLinks: [{ text: "Lathe language reference", url: "https://github.com/lathe/lathe/blob/main/grammar.md" }],
};
