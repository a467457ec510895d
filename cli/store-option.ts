import type { Command } from "commander";
import { locateStore, type StoreLocation } from "../runtime/store/store-location.js";

/**
 * Fills a command's `--store` before it runs: the folder given, else `$LATHE_STORE`, else the
 * store found from the working directory up (`locateStore`). The command gets an absolute path in
 * `store` and how it was found in `storeLocation` (read-only commands say there is none rather
 * than create it).
 */
export function resolveStoreOption(cmd: Command): void {
  if (!cmd.options.some((o) => o.long === "--store")) return;
  const given = cmd.getOptionValueSource("store") === "cli" ? (cmd.getOptionValue("store") as string) : undefined;
  const location = locateStore(process.cwd(), { flag: given, env: process.env.LATHE_STORE || undefined });
  cmd.setOptionValue("store", location.root);
  cmd.setOptionValue("storeLocation", location);
}

export type { StoreLocation };
