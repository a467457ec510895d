import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { DatasetState } from "./dataset-state.js";
import { hashText } from "./data/source.js";
import { parquetCopyOptions, rememberParquet } from "./data/parquet-copies.js";
import { encodeModelFile, readModelFile } from "./model-file.js";
import { storedModel, trainedExtras, type TrainedExtras } from "./models/stored-model.js";
import type { ModelState } from "./model-state.js";
import type { MaterialiseOptions, StepBase, StepCacheHost, StepContext, StepIo, StepStore } from "./ops/types.js";
import type { StepResult } from "./results.js";
import { ident, literal } from "./sql/quote.js";
import { adoptFile, storeBytes, type StoredFile } from "./store/artifact-file.js";
import { CacheEntries, entryFile, type CacheEntry } from "./store/cache-entries.js";
import { ensureDir, removeQuietly, tempName } from "./store/durable-file.js";
import type { StoreLayout } from "./store/store-layout.js";

/** A dataset's state as an entry keeps it (its name and relation are the step's). */
type KeptDataset = Omit<DatasetState, "name" | "relation">;

/** One output of a step as an entry keeps it. */
type KeptOutput =
  | { kind: "table"; name: string; file: string; state: KeptDataset; output?: number }
  | { kind: "view"; name: string; sql: string; how: MaterialiseOptions; state: KeptDataset }
  | { kind: "model"; name: string; file: string; state: Omit<ModelState, "model">; extras: TrainedExtras };

/** What an entry of the step cache holds beyond its files: the step's result and outputs. */
interface StepPayload {
  op: string;
  label: string;
  result: StepResult;
  outputs: KeptOutput[];
}

/** How a run uses the cache: put back and keep (`use`), compute everything and keep it (`refresh`, `--no-cache`). */
export type CacheMode = "use" | "refresh";

/**
 * The step cache across runs (DVC's `repro`): a step whose key — its text, params and seeds, its
 * inputs' keys, data fingerprints — matches one computed before in this store is not computed
 * again. Its tables come back from Parquet files and its models from their model files, both
 * among the store's content-addressed artifacts; an entry (`cache/<key>.json`) says what to put
 * back and the step's result. Entries are keyed by the step's key and the environment that
 * computed it (the runtime's code, library versions, the neural-network engine), so other code
 * never reuses them. Row order is kept exactly (Parquet keeps it; DuckDB reads it back in order),
 * and a table whose column types Parquet would not give back exactly is not kept, so a reused step
 * gives what computing it would, bit for bit.
 */
export class StepCache implements StepStore {
  private readonly entries: CacheEntries;
  private readonly salt: string;

  constructor(
    private readonly layout: Pick<StoreLayout, "root" | "artifactDir" | "tmpDir">,
    private readonly mode: CacheMode,
    /** What else decides a step's outputs besides its key: versions, the runtime's code, engine settings. */
    environment: unknown,
  ) {
    this.entries = new CacheEntries(layout);
    this.salt = hashText(JSON.stringify(environment));
  }

  /** The entry key of a step key in this environment. */
  entryKey(stepKey: string): string {
    return hashText(`${this.salt}\0${stepKey}`);
  }

  async restore(step: StepBase & { op: string }, io: StepIo, host: StepCacheHost): Promise<StepResult | undefined> {
    if (this.mode !== "use") return undefined;
    const entry = this.entries.read<StepPayload>(this.entryKey(step.key));
    const payload = entry?.payload;
    if (!entry || !payload || payload.op !== step.op || payload.outputs.length !== io.defines.length) return undefined;
    const { ctx } = host;
    let result = payload.result;
    try {
      for (const out of payload.outputs) {
        if (out.kind === "model") {
          const file = this.entries.artifact(out.file);
          const bytes = readFileSync(file);
          const read = readModelFile(bytes, file);
          if (!read) return undefined;
          ctx.setModel({ ...out.state, model: storedModel(read.serialized, out.extras) });
          if (out.state.backend) host.setBackend(out.state.backend);
          // The run references its model file as if it had trained it (the same bytes, stored once).
          const artifact = ctx.putArtifact(`model-${out.name}.lathe`, "model", "lathe", bytes)?.path;
          if (result.kind === "model") result = { ...result, artifact };
          if (result.kind === "tune") result = { ...result, trained: { ...result.trained, artifact } };
        } else {
          const { state } = out;
          const sql = out.kind === "view" ? out.sql : tableRows(this.entries.artifact(out.file), out.output);
          // A prepare only `save` reads (`stream`, planLifetimes) is read once: a view over its Parquet, not a table copied from it.
          const once = (step as { stream?: boolean }).stream === true;
          const how: MaterialiseOptions = out.kind === "view" ? { ...out.how, rows: state.rows } : { expansions: state.expansions, transform: state.transform, rawTypes: state.rawTypes, rows: state.rows, ...(once ? { owns: [] } : {}) };
          const ds = await ctx.materialise(out.name, sql, how);
          if (ds.columns.join("\0") !== state.columns.join("\0")) throw new Error(`cached ${out.name} has other columns`);
          if (state.raw) ds.raw = state.raw;
          // A file of one table holds its rows exactly; one that holds a step's several tables does not.
          if (out.kind === "table" && out.output === undefined) rememberParquet(ds, this.entries.artifact(out.file));
        }
      }
    } catch (e) {
      // A damaged or vanished entry (a concurrent `lathe gc`) is a miss: the step runs, and what it
      // computes replaces whatever was put back.
      if ((e as Error)?.name === "AbortError") throw e;
      return undefined;
    }
    return { ...result, reused: true, reusedFrom: entry.runId ?? "" };
  }

  async save(step: StepBase & { op: string }, io: StepIo, result: StepResult, host: StepCacheHost): Promise<void> {
    const { ctx } = host;
    const files: StoredFile[] = [];
    const outputs: KeptOutput[] = [];
    const tables: { name: string; state: KeptDataset; relation: ReturnType<typeof ident> }[] = [];
    try {
      const trained = result.kind === "model" ? result : result.kind === "tune" ? result.trained : undefined;
      for (const name of io.defines) {
        if (trained && ctx.hasModel(name)) {
          const { model, ...state } = ctx.model(name);
          // A recorded run has just stored the model file; otherwise it is stored here.
          const file = trained.artifact ? { path: trained.artifact, sha256: path.basename(trained.artifact, ".lathe"), bytes: statSync(trained.artifact).size } : storeBytes(this.layout, "lathe", await encodeModelFile({ ...state, model }));
          files.push(file);
          outputs.push({ kind: "model", name, file: entryFile(file).name, state, extras: trainedExtras(model) });
          continue;
        }
        const ds = ctx.dataset(name);
        // Its unsorted form (`ranked`) reads tables of this run only: kept as rows, it comes back as a table.
        const { name: _n, relation: _r, ranked: _k, ...state } = ds;
        const view = host.viewDefinition(name);
        if (view) {
          outputs.push({ kind: "view", name, sql: view.sql, how: view.how, state });
          continue;
        }
        tables.push({ name, state, relation: ds.relation });
      }
      // A step's tables with the same columns (a split's parts) go in one file, else a file each.
      const together = tables.length > 1 && tables.length <= 255 && (await sameColumns(ctx, tables.map((t) => t.relation)));
      for (const group of together ? [tables] : tables.map((t) => [t])) {
        const file = await this.parquet(ctx, group.map((t) => t.relation));
        // A column type Parquet does not give back (HUGEINT, ENUM): the step is not kept.
        if ("lost" in file) return;
        if (group.length === 1) rememberParquet(ctx.dataset(group[0].name), file.path);
        files.push(file);
        group.forEach((t, i) => outputs.push({ kind: "table", name: t.name, file: entryFile(file).name, state: t.state, ...(group.length > 1 ? { output: i } : {}) }));
      }
      const { reused: _reused, reusedFrom: _from, ...fresh } = result;
      const entry: CacheEntry<StepPayload> = {
        format: 1,
        stepKey: step.key,
        createdAt: new Date().toISOString(),
        ...(ctx.options.runId ? { runId: ctx.options.runId } : {}),
        files: files.map(entryFile),
        payload: { op: step.op, label: step.label, result: fresh as StepResult, outputs },
      };
      this.entries.write(this.entryKey(step.key), entry);
    } catch (e) {
      // The cache only saves time: a full disk or a value JSON cannot hold costs the next run a recomputation, not this run.
      if ((e as Error)?.name === "AbortError") throw e;
    }
  }

  async snapshot(step: StepBase & { dataset: string }, ctx: StepContext, fixed: boolean): Promise<string> {
    if (!ctx.options.store) return "no snapshot: the run is not recorded";
    // Deduplicated twice: by the step's key when it fixes the rows (no Parquet written at all), and by content.
    const key = hashText(`snapshot\0${step.key}`);
    let entry = fixed ? this.entries.read<{ name: string }>(key) : undefined;
    if (!entry) {
      const ds = ctx.dataset(step.dataset);
      const file = await this.parquet(ctx, [ds.relation]);
      if ("lost" in file) return `no snapshot: Parquet does not keep the type of ${file.lost.join(", ")} exactly`;
      entry = { format: 1, stepKey: step.key, createdAt: new Date().toISOString(), files: [entryFile(file)], payload: { name: step.dataset } };
      if (fixed) this.entries.write(key, entry);
    }
    const [f] = entry.files;
    ctx.recordArtifact({ name: snapshotName(step.dataset), kind: "snapshot", path: this.entries.artifact(f.name), sha256: f.name.replace(/\.parquet$/, ""), bytes: f.bytes });
    return "snapshot kept";
  }

  /**
   * Writes tables' rows, in order, as one Parquet artifact; or, when some columns' types would not
   * come back the same (the read-back schema is compared with the tables'), those columns. Several
   * tables (with the same columns: `sameColumns`) go in one file, one after the other, each row with
   * its table's index in `outputColumn` (`tableRows` reads one back): one `COPY` and one file to
   * hash and sync, where a file each took a small split's recorded run (penguins) longer than the
   * split itself.
   */
  private async parquet(ctx: StepContext, relations: ReturnType<typeof ident>[]): Promise<StoredFile | { lost: string[] }> {
    ensureDir(this.layout.tmpDir);
    const tmp = tempName(this.layout.tmpDir);
    try {
      const before = await ctx.db.describe(`SELECT * FROM ${relations[0]}`);
      // UNION ALL gives its inputs' rows one input after the other, each in order, while DuckDB keeps insertion order (the default).
      const rows = relations.length === 1 ? `SELECT * FROM ${relations[0]}` : relations.map((r, i) => `SELECT *, ${i}::UTINYINT AS ${outputColumn} FROM ${r}`).join(" UNION ALL ");
      await ctx.db.exec(`COPY (${rows}) TO ${literal(tmp)} (${parquetCopyOptions})`);
      const after = (await ctx.db.describe(`SELECT * FROM read_parquet(${literal(tmp)})`)).filter((c) => relations.length === 1 || c.name !== outputColumn);
      const lost = before.filter((c, i) => c.name !== after[i]?.name || c.type !== after[i]?.type).map((c) => `${c.name} (${c.type})`);
      if (lost.length || before.length !== after.length) {
        removeQuietly(tmp);
        return { lost };
      }
    } catch (e) {
      removeQuietly(tmp);
      throw e;
    }
    return adoptFile(this.layout, tmp, "parquet");
  }
}

/** Whether tables have the same column names and types, none of them `outputColumn`: they can be kept in one file. */
async function sameColumns(ctx: StepContext, relations: ReturnType<typeof ident>[]): Promise<boolean> {
  const columns = await ctx.db.describe(`SELECT * FROM ${relations[0]}`);
  if (columns.some((c) => c.name === outputColumn)) return false;
  const first = JSON.stringify(columns);
  for (const r of relations.slice(1)) if (JSON.stringify(await ctx.db.describe(`SELECT * FROM ${r}`)) !== first) return false;
  return true;
}

/** The column telling apart the tables kept in one Parquet file (`StepCache.parquet`). */
const outputColumn = "__lathe_output";

/** The rows of a kept table, in order: the whole file, or the rows of table `output` of several kept in it. */
function tableRows(file: string, output: number | undefined): string {
  const rows = `read_parquet(${literal(file)})`;
  return output === undefined ? `SELECT * FROM ${rows}` : `SELECT * EXCLUDE (${outputColumn}) FROM ${rows} WHERE ${outputColumn} = ${output}`;
}

/** The artifact name of a dataset's snapshot in a run. */
export function snapshotName(dataset: string): string {
  return `snapshot-${dataset}.parquet`;
}
