import path from "node:path";

export interface RunStoreOptions {
  /** Told when a command has waited a while for another process to release the index. */
  onWait?: (message: string) => void;
  /** Longest wait for the index, in ms (default: `LATHE_STORE_WAIT_MS`, else five minutes). */
  maxWaitMs?: number;
}

/**
 * Where the parts of a run store are under its root (`.lathe/`): what the store's modules share,
 * so that none of them needs the `RunStore` class (which uses them all).
 */
export interface StoreLayout {
  readonly root: string;
  /** The index: `lathe.duckdb`. */
  readonly dbPath: string;
  /** Content-addressed artifacts: `artifacts/<sha256>.<ext>`. */
  readonly artifactDir: string;
  /** One journal per run: `runs/<id>.jsonl`. */
  readonly runsDir: string;
  /** The model registry: `registry/<name>/versions/`, `registry/<name>/changes/`. */
  readonly registryDir: string;
  /** Temp files, `PID-RANDOM.tmp`, on the store's own file system so that rename and link are atomic. */
  readonly tmpDir: string;
  readonly options: RunStoreOptions;
}

/** The layout of a store rooted at `root`. */
export function storeLayout(root: string, options: RunStoreOptions = {}): StoreLayout {
  return {
    root,
    dbPath: path.join(root, "lathe.duckdb"),
    artifactDir: path.join(root, "artifacts"),
    runsDir: path.join(root, "runs"),
    registryDir: path.join(root, "registry"),
    tmpDir: path.join(root, "tmp"),
    options,
  };
}
