import path from "node:path";
import { modelRefText, type ModelRef } from "../../language/model-ref.js";
import { ModelRegistry, nameKey } from "../model-registry.js";
import { loadModel, resolveVersion, type LoadedModel } from "../predict/load.js";
import { listDir } from "../store/durable-file.js";
import type { RunStore } from "../run-store.js";

/** How a watch reports: a version swapped in, or a reload that failed (the version before keeps serving). */
export interface ModelWatchEvents {
  onSwap?: (now: LoadedModel, before: LoadedModel) => void;
  onFailure?: (message: string) => void;
}

/**
 * The model a server answers with, kept up to date with the registry: every `pollMs` it checks
 * whether the version its reference resolves to has moved (a `promote` or `rollback` from any
 * process), loads the new version while the old one goes on answering, and swaps the two in one
 * assignment. A request reads `current` once and finishes on that version.
 */
export class ModelWatch {
  private timer?: NodeJS.Timeout;
  private polling = false;
  private signature: string;
  private lastFailure?: string;

  private constructor(
    private readonly store: RunStore,
    readonly ref: ModelRef,
    public current: LoadedModel,
    private readonly events: ModelWatchEvents,
  ) {
    this.signature = this.registrySignature();
  }

  /** Loads the version `ref` names now and, unless `pollMs` is 0 or the reference pins a version, starts watching. */
  static async start(store: RunStore, ref: ModelRef, pollMs: number, events: ModelWatchEvents = {}): Promise<ModelWatch> {
    const watch = new ModelWatch(store, ref, await loadModel(store, ref), events);
    if (pollMs > 0 && ref.version === undefined) watch.timer = setInterval(() => void watch.poll(), pollMs).unref();
    return watch;
  }

  /** Checks the registry once; resolves when any new version is swapped in (or the check failed). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      // Registry files are write-once and numbered without gaps, so the resolved version can only
      // have moved when a folder gained a file: two directory listings a second, not every record.
      const signature = this.registrySignature();
      if (signature === this.signature) return;
      this.signature = signature;
      const version = await resolveVersion(new ModelRegistry(this.store), this.ref);
      if (version.version === this.current.version.version) return;
      const next = await loadModel(this.store, { name: this.ref.name, version: version.version });
      const before = this.current;
      this.current = { ...next, ref: this.ref };
      this.lastFailure = undefined;
      this.events.onSwap?.(this.current, before);
    } catch (e) {
      const message = `could not reload ${modelRefText(this.ref)}: ${(e as Error).message}; still serving version ${this.current.version.version}`;
      if (message !== this.lastFailure) this.events.onFailure?.(message);
      this.lastFailure = message;
    } finally {
      this.polling = false;
    }
  }

  /** Stops watching. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private registrySignature(): string {
    const dir = path.join(this.store.registryDir, nameKey(this.ref.name));
    return `${listDir(path.join(dir, "versions")).length}/${listDir(path.join(dir, "changes")).length}`;
  }
}
