import { own } from "./lookup.js";

/**
 * How a registered model is named, in programs and on the command line alike: `NAME` (the champion),
 * `NAME@alias` (`@champion`, `@latest`, or any alias `promote ... to ALIAS` set, such as
 * `@production`), or with a version (`NAME version N` in a program, `--version N` on the command line).
 */
export interface ModelRef {
  name: string;
  alias?: string;
  version?: number;
}

/**
 * The aliases every name has. `champion` is the alias a bare `NAME`, `promote "NAME"` and a retrain
 * use; `latest` is not stored but always the version registered last, so it cannot be moved. Every
 * other alias (`production`, `staging`, ...) exists once a `promote ... to ALIAS` set it.
 */
export const modelAliases: Readonly<Record<string, string>> = {
  champion: "the version `promote` made the champion (the default)",
  latest: "the version registered last",
};

/** The alias a name means when none is written. */
export const defaultAlias = "champion";

/** Aliases are words: a letter, then letters, digits and `_` (at most 64), so `promote "x" to ALIAS` can name any of them. */
const aliasPattern = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Splits `NAME@alias` (the registry's names cannot hold `@`). */
export function parseModelRef(text: string, version?: number): ModelRef {
  const at = text.lastIndexOf("@");
  const ref: ModelRef = at < 0 ? { name: text } : { name: text.slice(0, at), alias: text.slice(at + 1) };
  if (version !== undefined) ref.version = version;
  return ref;
}

/** What is wrong with an alias's spelling, or undefined when it is a well-formed alias. */
export function aliasNameProblem(alias: string): string | undefined {
  if (aliasPattern.test(alias)) return undefined;
  return `\`@${alias}\` is not an alias: an alias is a word (a letter, then letters, digits or \`_\`), such as ${Object.keys(modelAliases).map((a) => `\`@${a}\``).join(", ")} or \`@production\``;
}

/** What is wrong with a reference's alias, or undefined when it is fine. */
export function aliasProblem(ref: ModelRef): string | undefined {
  if (ref.alias === undefined) return undefined;
  const spelling = aliasNameProblem(ref.alias);
  if (spelling) return spelling;
  if (ref.version !== undefined) return `\`${ref.name}@${ref.alias}\` already names one version; give an alias or a version, not both`;
  return undefined;
}

/** Why an alias cannot be moved by `promote ... to` or `rollback`, or undefined when it can. */
export function movableAliasProblem(alias: string): string | undefined {
  const spelling = aliasNameProblem(alias);
  if (spelling) return spelling;
  if (alias === "latest") return "`latest` always names the version registered last: it cannot be promoted to or rolled back (use another alias, such as `production`)";
  return undefined;
}

/** Whether the alias is one every name has (`champion`, `latest`), not one a `promote ... to` set. */
export function isBuiltinAlias(alias: string): boolean {
  return own(modelAliases, alias) !== undefined;
}

/** The reference as it is written: `NAME`, `NAME@alias`, `NAME version N`. */
export function modelRefText(ref: ModelRef): string {
  return `${ref.name}${ref.alias ? `@${ref.alias}` : ""}${ref.version !== undefined ? ` version ${ref.version}` : ""}`;
}
