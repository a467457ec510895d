/**
 * Registers a kernel with Jupyter by handing a kernel.json directory to
 * `jupyter kernelspec install`, so Jupyter decides where specs live (user,
 * system or prefix) exactly as it does for every other kernel.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, isAbsolute, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Jupyter is missing, its `kernelspec` command refused, or the kernel name is not one: the user's setup, not a bug (the CLI says it, exit 2). */
export class KernelSpecError extends Error {
  override name = "KernelSpecError";
}

/** The kernelspec to remove is not installed where Jupyter looks (or under the prefix given). */
export class KernelSpecNotInstalled extends KernelSpecError {
  override name = "KernelSpecNotInstalled";
}

/** What to install; see {@link installKernelSpec}. */
export interface KernelSpecOptions {
  /** Kernel name (directory name and `kernel_name`): lower case letters, digits, `.`, `_`, `-`. */
  name: string;
  displayName: string;
  /** Command line; absolute executable and script paths, containing `{connection_file}`. */
  argv: string[];
  /** Language name shown by frontends; defaults to `name`. */
  language?: string;
  /** "signal" (SIGINT, the default) or "message" (interrupt_request on control). */
  interruptMode?: "signal" | "message";
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
  /** Image files copied into the spec directory (e.g. logo-32x32.png, logo-64x64.png, logo-svg.svg). */
  resources?: string[];
  /** Install for the current user only (`--user`). */
  user?: boolean;
  /** Install under PREFIX/share/jupyter/kernels (`--prefix`). */
  prefix?: string;
  /** The jupyter executable; defaults to $LATHE_JUPYTER, then /usr/bin/jupyter, then `jupyter` on PATH. */
  jupyter?: string;
}

/** The kernel.json contents for `options`, validated. */
export function kernelSpecJson(options: KernelSpecOptions): Record<string, unknown> {
  if (!/^[a-z0-9._-]+$/.test(options.name)) {
    throw new KernelSpecError(`kernel name ${JSON.stringify(options.name)} may only contain a-z, 0-9, ".", "_" and "-"`);
  }
  const [exe, ...args] = options.argv;
  if (!exe || !isAbsolute(exe)) throw new Error("kernelspec argv[0] must be an absolute path");
  if (!options.argv.includes("{connection_file}")) throw new Error("kernelspec argv must contain {connection_file}");
  for (const arg of args) {
    // Frontends start kernels from the notebook's directory, so a relative script path would break.
    if (/\.(c|m)?[jt]s$/.test(arg) && !isAbsolute(arg)) throw new Error(`kernelspec argv script ${arg} must be absolute`);
  }
  return {
    argv: options.argv,
    display_name: options.displayName,
    language: options.language ?? options.name,
    interrupt_mode: options.interruptMode ?? "signal",
    env: options.env ?? {},
    metadata: options.metadata ?? {},
  };
}

/** Installs a kernelspec through `jupyter kernelspec install`; returns the installed directory. */
export async function installKernelSpec(options: KernelSpecOptions): Promise<string> {
  const spec = kernelSpecJson(options);
  const dir = await mkdtemp(join(tmpdir(), "kernelspec-"));
  try {
    await writeFile(join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
    for (const resource of options.resources ?? []) await copyFile(resource, join(dir, basename(resource)));
    const args = ["kernelspec", "install", dir, "--name", options.name, "--replace"];
    if (options.user) args.push("--user");
    if (options.prefix) args.push("--prefix", options.prefix);
    const { stdout, stderr } = await runJupyter(options.jupyter, args);
    // jupyter prints "Installed kernelspec NAME in DIR" (to stderr in current versions).
    const installed = /Installed kernelspec \S+ in (.+)/.exec(`${stderr}\n${stdout}`)?.[1]?.trim();
    if (!installed) throw new Error(`jupyter kernelspec install printed no location:\n${stderr}${stdout}`);
    return installed;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Removes an installed kernelspec; `prefix` makes a spec installed with `--prefix` findable. */
export async function uninstallKernelSpec(name: string, opts: { prefix?: string; jupyter?: string } = {}): Promise<void> {
  const env = opts.prefix
    ? { ...process.env, JUPYTER_PATH: [join(opts.prefix, "share", "jupyter"), process.env.JUPYTER_PATH].filter(Boolean).join(":") }
    : process.env;
  try {
    await runJupyter(opts.jupyter, ["kernelspec", "remove", "-f", name], env);
  } catch (e) {
    if (/Couldn't find kernel spec/i.test((e as Error).message)) throw new KernelSpecNotInstalled(`no kernel named ${name} is installed${opts.prefix ? ` under ${opts.prefix}` : ""}`);
    throw e;
  }
}

async function runJupyter(
  jupyter: string | undefined,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ stdout: string; stderr: string }> {
  const exe = jupyter ?? process.env.LATHE_JUPYTER ?? (existsSync("/usr/bin/jupyter") ? "/usr/bin/jupyter" : "jupyter");
  try {
    return await run(exe, args, { env, encoding: "utf8" });
  } catch (err) {
    const e = err as Error & { stderr?: string; code?: string | number };
    if (e.code === "ENOENT") throw new KernelSpecError(`${exe} not found: install Jupyter (jupyter-client) first`);
    throw new KernelSpecError(`${exe} ${args.join(" ")} failed: ${e.stderr?.trim() || e.message}`);
  }
}
