import { own } from "./lookup.js";

/**
 * How a registered model is named, in programs and on the command line alike: `NAME` (the champion),
 * `NAME@alias` (`@champion`, `@latest`), or with a version (`NAME version N` in a program,
 * `--version N` on the command line).
 */
export interface ModelRef {
  name: string;
  alias?: string;
  version?: number;
}

/** The aliases a model reference may use: each names one version of a registered name. */
export const modelAliases: Readonly<Record<string, string>> = {
  champion: "the version `promote` made the champion (the default)",
  latest: "the version registered last",
};

/** Splits `NAME@alias` (the registry's names cannot hold `@`). */
export function parseModelRef(text: string, version?: number): ModelRef {
  const at = text.lastIndexOf("@");
  const ref: ModelRef = at < 0 ? { name: text } : { name: text.slice(0, at), alias: text.slice(at + 1) };
  if (version !== undefined) ref.version = version;
  return ref;
}

/** What is wrong with a reference's alias, or undefined when it is fine. */
export function aliasProblem(ref: ModelRef): string | undefined {
  if (ref.alias === undefined) return undefined;
  if (!own(modelAliases, ref.alias)) return `\`@${ref.alias}\` is not an alias: a model is named \`NAME\`, ${Object.keys(modelAliases).map((a) => `\`NAME@${a}\``).join(", ")} or \`NAME version N\``;
  if (ref.version !== undefined) return `\`${ref.name}@${ref.alias}\` already names one version; give an alias or a version, not both`;
  return undefined;
}

/** The reference as it is written: `NAME`, `NAME@alias`, `NAME version N`. */
export function modelRefText(ref: ModelRef): string {
  return `${ref.name}${ref.alias ? `@${ref.alias}` : ""}${ref.version !== undefined ? ` version ${ref.version}` : ""}`;
}
