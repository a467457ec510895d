import type { EngineAddress } from "./data/clickhouse-connection.js";
import type { Span } from "../language/diagnostic.js";
import type { SqlIdent } from "./sql/quote.js";
import type { Transform } from "./transform.js";

/** A dataset as the executor holds it after a step computed it. */
export interface DatasetState {
  name: string;
  /** The quoted table or view name: the only way a dataset goes into SQL. */
  relation: SqlIdent;
  columns: string[];
  rows: number;
  /** One-hot column → its indicator columns, from the fitted steps that produced this table. */
  expansions: Record<string, string[]>;
  /**
   * The column transforms applied since its raw rows, with learned constants. Undefined for a dataset
   * kept as a view whose steps learn from its own rows when read (see `concreteTransform`).
   */
  transform?: Transform;
  /** The DuckDB type of each column of its raw rows (before `transform`): what a model trained on it takes as input. */
  rawTypes: Record<string, string>;
  /**
   * Its raw rows, when a split knows them: the query of the rows before the split's column steps
   * (a part's rows in the root's form), and the columns steps before the split already rewrote (not
   * raw there). `register` profiles a model's input columns from it (the monitor's reference).
   * `engine`: the engine the query runs on (a split that ran there); its rows come back
   * only when a reference is built (`withLocalRaw`).
   */
  raw?: { sql: string; prepared: string[]; engine?: EngineAddress };
  /**
   * A view over its source file, read when used (a one-shot run, `planLifetimes`): its rows are
   * not counted (`rows` is NaN), and readers that scan it more than once stage its rows first.
   */
  lazy?: { file?: string; span?: Span };
  /**
   * A view kept in an order (a split's part, `viewSplit`): a query of the same rows in no particular
   * order, each with its position in that order (`rankColumn`), which readers of every row in order
   * read instead of sorting (`Database.float32Columns` `ranked`). Valid while the view is.
   */
  ranked?: string;
  /**
   * `ranked` cut into disjoint runs of the root's rows, whose rows together are `ranked`'s: read at
   * once on connections of their own (`Database.float32Columns`), each on a DuckDB thread, where
   * `ranked` runs on one (a split's part pairs rows with their keys by position: `rankedPartRows`).
   */
  rankedPieces?: string[];
}
