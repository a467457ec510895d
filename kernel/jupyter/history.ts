/**
 * This session's input history, in memory, answering history_request the way
 * IPython does: `tail`, `range` and glob `search`. Entries are
 * `[session, line, input]`, or `[session, line, [input, output]]` with output.
 * Earlier sessions are not kept, so session numbers other than the current one
 * (and 0, meaning "current") yield nothing.
 */

/** The session number reported for this kernel's entries. */
export const CURRENT_SESSION = 1;

/** One row of a history_reply. */
export type HistoryEntry = [number, number, string] | [number, number, [string, string | null]];

/** The fields of a history_request this store understands. */
export interface HistoryQuery {
  hist_access_type?: "tail" | "range" | "search" | string;
  output?: boolean;
  session?: number;
  start?: number;
  stop?: number;
  n?: number | null;
  pattern?: string;
  unique?: boolean;
}

interface Record_ {
  line: number;
  input: string;
  output: string | null;
}

/** In-memory history of executed cells. */
export class History {
  private readonly records: Record_[] = [];

  /** Records the input of execution `line`. */
  add(line: number, input: string): void {
    this.records.push({ line, input, output: null });
  }

  /** Attaches the plain-text result of execution `line`. */
  setOutput(line: number, output: string): void {
    const record = this.records.findLast((r) => r.line === line);
    if (record) record.output = output;
  }

  /** Answers a history_request. */
  query(q: HistoryQuery): HistoryEntry[] {
    const rows = this.select(q);
    return rows.map((r): HistoryEntry =>
      q.output ? [CURRENT_SESSION, r.line, [r.input, r.output]] : [CURRENT_SESSION, r.line, r.input],
    );
  }

  private select(q: HistoryQuery): Record_[] {
    switch (q.hist_access_type) {
      case "tail":
        return last(this.records, q.n ?? 10);
      case "range": {
        const session = q.session ?? 0;
        if (session !== 0 && session !== CURRENT_SESSION) return [];
        const start = q.start ?? 0;
        const stop = q.stop ?? Infinity;
        return this.records.filter((r) => r.line >= start && r.line < stop);
      }
      case "search": {
        const re = globToRegExp(q.pattern ?? "*");
        let rows = this.records.filter((r) => re.test(r.input));
        if (q.unique) {
          // Keep each distinct input once, at its latest position.
          const seen = new Set<string>();
          rows = rows.reverse().filter((r) => !seen.has(r.input) && seen.add(r.input)).reverse();
        }
        return q.n == null ? rows : last(rows, q.n);
      }
      default:
        return [];
    }
  }
}

function last<T>(items: T[], n: number): T[] {
  return n <= 0 ? [] : items.slice(-n);
}

/** A SQLite-GLOB-style matcher (IPython's search semantics): `*`, `?`, `[...]`, whole input. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") source += "[\\s\\S]*";
    else if (c === "?") source += "[\\s\\S]";
    else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close < 0) {
        source += "\\[";
        continue;
      }
      let body = glob.slice(i + 1, close);
      const negate = body.startsWith("^");
      if (negate) body = body.slice(1);
      source += `[${negate ? "^" : ""}${body.replace(/[\\\]]/g, "\\$&")}]`;
      i = close;
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
