import { createHash } from "node:crypto";
import type { ILookaheadStrategy, ILookaheadValidationError, IOrAlt, IToken, OptionalProductionType, Rule, TokenType } from "chevrotain";
import { chevrotain } from "./chevrotain.js";

/** Lookahead paths by production, as token names: alternations list paths per alternative. */
export interface LookaheadPaths {
  /** Fingerprint of the grammar the paths were computed from (`grammarFingerprint`). */
  grammar: string;
  alternations: Record<string, string[][][]>;
  optionals: Record<string, string[][]>;
}

type Paths = TokenType[][];

/**
 * Chevrotain's LL(k) lookahead with the paths computed ahead of time. At every start, Chevrotain
 * walks the grammar to find the token sequences that choose each alternative and enter each
 * optional part (≈ 200 ms of the ≈ 300 ms `performSelfAnalysis` costs, paid by every `lathe`
 * command and kernel start). The paths only change when the grammar does, so they are kept in
 * `lookahead-paths.ts`, with a fingerprint of the grammar they came from; a production the kept
 * paths do not cover, or a grammar whose fingerprint differs, is computed as Chevrotain would.
 * The functions built from the paths are Chevrotain's own (`buildAlternativesLookAheadFunc`,
 * `buildSingleAlternativeLookaheadFunction`, chevrotain 11.2.0), re-stated here because its
 * bundle does not export them; `test/language/cached-lookahead.test.ts` keeps the kept paths
 * equal to Chevrotain's and regenerates them (UPDATE_GOLDEN=1).
 */
export class CachedLookahead implements ILookaheadStrategy {
  private readonly llk: ILookaheadStrategy;
  private kept?: { alternations: Record<string, Paths[]>; optionals: Record<string, Paths> };
  /** Paths computed here because none were kept (what the regeneration writes). */
  readonly computed: { alternations: Record<string, Paths[]>; optionals: Record<string, Paths> } = { alternations: {}, optionals: {} };

  constructor(
    private readonly maxLookahead: number,
    private readonly tokens: TokenType[],
    private readonly paths: LookaheadPaths | null,
  ) {
    this.llk = new chevrotain.LLkLookaheadStrategy({ maxLookahead });
  }

  validate(options: { rules: Rule[]; tokenTypes: TokenType[]; grammarName: string }): ILookaheadValidationError[] {
    return this.llk.validate(options);
  }

  initialize(options: { rules: Rule[] }): void {
    // The fingerprint is checked here, once the grammar is recorded: kept paths of another grammar are ignored.
    if (this.paths && this.paths.grammar === grammarFingerprint(options.rules)) {
      const byName = new Map(this.tokens.map((t) => [t.name, t]));
      const types = (path: string[]) => path.map((n) => byName.get(n)!);
      if (Object.values(this.paths.alternations).every((alts) => alts.every((alt) => alt.every((p) => p.every((n) => byName.has(n)))))) {
        this.kept = {
          alternations: Object.fromEntries(Object.entries(this.paths.alternations).map(([k, alts]) => [k, alts.map((alt) => alt.map(types))])),
          optionals: Object.fromEntries(Object.entries(this.paths.optionals).map(([k, alt]) => [k, alt.map(types)])),
        };
      }
    }
  }

  buildLookaheadForAlternation(options: { prodOccurrence: number; rule: Rule; maxLookahead: number; hasPredicates: boolean; dynamicTokensEnabled: boolean }): (this: unknown, orAlts?: IOrAlt<unknown>[]) => number | undefined {
    const key = `${options.rule.name}:${options.prodOccurrence}`;
    let alts = this.kept?.alternations[key];
    if (!alts) {
      alts = chevrotain.getLookaheadPaths({ occurrence: options.prodOccurrence, rule: options.rule, prodType: "Alternation", maxLookahead: options.maxLookahead });
      this.computed.alternations[key] = alts;
    }
    return alternativesLookahead(alts, options.hasPredicates, options.dynamicTokensEnabled);
  }

  buildLookaheadForOptional(options: { prodOccurrence: number; prodType: OptionalProductionType; rule: Rule; maxLookahead: number; dynamicTokensEnabled: boolean }): (this: unknown) => boolean {
    const key = `${options.rule.name}:${options.prodType}:${options.prodOccurrence}`;
    let alt = this.kept?.optionals[key];
    if (!alt) {
      alt = chevrotain.getLookaheadPaths({ occurrence: options.prodOccurrence, rule: options.rule, prodType: options.prodType, maxLookahead: options.maxLookahead })[0];
      this.computed.optionals[key] = alt;
    }
    return singleAlternativeLookahead(alt, options.dynamicTokensEnabled);
  }
}

/** A hash of the recorded grammar (its serialised productions): kept paths are valid only for the same one. */
export function grammarFingerprint(rules: Rule[]): string {
  return createHash("sha256").update(JSON.stringify(chevrotain.serializeGrammar(rules))).digest("hex").slice(0, 16);
}

/** Paths as token names, for keeping. */
export function pathNames(computed: CachedLookahead["computed"], grammar: string): LookaheadPaths {
  const names = (p: Paths) => p.map((path) => path.map((t) => t.name));
  const sorted = <V>(o: Record<string, V>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    grammar,
    alternations: sorted(Object.fromEntries(Object.entries(computed.alternations).map(([k, alts]) => [k, alts.map(names)]))),
    optionals: sorted(Object.fromEntries(Object.entries(computed.optionals).map(([k, alt]) => [k, names(alt)]))),
  };
}

interface Lookahead {
  LA_FAST(i: number): IToken;
}

const matches = (token: IToken, type: TokenType) => chevrotain.tokenMatcher(token, type);

/** Which alternative the next tokens choose (Chevrotain's `buildAlternativesLookAheadFunc`). */
function alternativesLookahead(alts: Paths[], hasPredicates: boolean, dynamicTokensEnabled: boolean): (this: unknown, orAlts?: IOrAlt<unknown>[]) => number | undefined {
  const firstMatching = (parser: Lookahead, gates?: IOrAlt<unknown>[]) => {
    for (let t = 0; t < alts.length; t++) {
      const gate = gates?.[t]?.GATE;
      if (gate !== undefined && gate.call(parser) === false) continue;
      nextPath: for (const path of alts[t]) {
        for (let i = 0; i < path.length; i++) if (!matches(parser.LA_FAST(i + 1), path[i])) continue nextPath;
        return t;
      }
    }
    return undefined;
  };
  if (hasPredicates) return function (this: unknown, orAlts) { return firstMatching(this as Lookahead, orAlts); };
  if (!dynamicTokensEnabled && alts.every((alt) => alt.every((p) => p.length === 1))) {
    const choice: Record<number, number> = {};
    alts.forEach((alt, idx) => {
      for (const [type] of alt) {
        if (!(type.tokenTypeIdx! in choice)) choice[type.tokenTypeIdx!] = idx;
        for (const sub of type.categoryMatches ?? []) if (!(sub in choice)) choice[sub] = idx;
      }
    });
    return function (this: unknown) { return choice[(this as Lookahead).LA_FAST(1).tokenTypeIdx]; };
  }
  return function (this: unknown) { return firstMatching(this as Lookahead); };
}

/** Whether the next tokens enter an optional part (Chevrotain's `buildSingleAlternativeLookaheadFunction`). */
function singleAlternativeLookahead(alt: Paths, dynamicTokensEnabled: boolean): (this: unknown) => boolean {
  if (!dynamicTokensEnabled && alt.every((p) => p.length === 1)) {
    const types = alt.map(([t]) => t);
    if (types.length === 1 && !types[0].categoryMatches?.length) {
      const expected = types[0].tokenTypeIdx;
      return function (this: unknown) { return (this as Lookahead).LA_FAST(1).tokenTypeIdx === expected; };
    }
    const accepted: boolean[] = [];
    for (const t of types) {
      accepted[t.tokenTypeIdx!] = true;
      for (const sub of t.categoryMatches ?? []) accepted[sub] = true;
    }
    return function (this: unknown) { return accepted[(this as Lookahead).LA_FAST(1).tokenTypeIdx] === true; };
  }
  return function (this: unknown) {
    const parser = this as Lookahead;
    nextPath: for (const path of alt) {
      for (let i = 0; i < path.length; i++) if (!matches(parser.LA_FAST(i + 1), path[i])) continue nextPath;
      return true;
    }
    return false;
  };
}
