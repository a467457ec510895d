import type { ServeHandle } from "./server.js";
import { specRef, type ServingSpec } from "./serving-spec.js";

/**
 * The servers a long-lived process (the Lathe kernel) started for `serve` statements, one per
 * registered name. Running a `serve` again with the same spec keeps its server (it follows the
 * registry by itself); a changed spec replaces it; `closeAll` drains them all.
 */
export class ServerSet {
  private readonly servers = new Map<string, { key: string; handle: Promise<ServeHandle> }>();

  constructor(
    private readonly root: string,
    private readonly log: (message: string) => void,
    private readonly drainMs = 2000,
  ) {}

  /** Serves a spec (or keeps serving it); says where and which version. */
  async start(spec: ServingSpec): Promise<{ url: string; version: number }> {
    const key = JSON.stringify([spec.alias ?? null, spec.version ?? null, spec.port]);
    const held = this.servers.get(spec.name);
    if (held?.key !== key) {
      if (held) {
        this.servers.delete(spec.name);
        await (await held.handle.catch(() => undefined))?.close();
      }
      const { startServer } = await import("./server.js");
      const handle = startServer({ store: this.root, ref: specRef(spec), port: spec.port, log: this.log, drainMs: this.drainMs });
      this.servers.set(spec.name, { key, handle });
      // A server that could not start is forgotten, so running the statement again tries again.
      handle.catch(() => this.servers.get(spec.name)?.handle === handle && this.servers.delete(spec.name));
    }
    const server = await this.servers.get(spec.name)!.handle;
    return { url: server.url, version: server.version().version };
  }

  /** The running servers, by registered name. */
  async running(): Promise<Map<string, ServeHandle>> {
    const out = new Map<string, ServeHandle>();
    for (const [name, s] of this.servers) {
      const h = await s.handle.catch(() => undefined);
      if (h) out.set(name, h);
    }
    return out;
  }

  /** Stops every server after its requests in flight. */
  async closeAll(): Promise<void> {
    const all = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(all.map(async (s) => (await s.handle.catch(() => undefined))?.close()));
  }
}
