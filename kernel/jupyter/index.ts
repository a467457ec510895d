/**
 * The Jupyter kernel server: the protocol layer any {@link KernelBackend} plugs into.
 * `startKernel` serves a backend on the sockets named by a connection file;
 * `installKernelSpec` registers the command that does so with Jupyter.
 */
export { CellError } from "./backend.js";
export type {
  CompletionResult,
  DisplayOptions,
  ExecuteContext,
  IsCompleteResult,
  KernelBackend,
  LanguageInfo,
  MimeBundle,
} from "./backend.js";
export { startKernel, serveKernel } from "./server.js";
export type { KernelServer, KernelServerOptions } from "./server.js";
export { installKernelSpec, uninstallKernelSpec, kernelSpecJson } from "./kernelspec.js";
export type { KernelSpecOptions } from "./kernelspec.js";
export { readConnectionFile, parseConnectionInfo } from "./connection.js";
export type { ConnectionInfo } from "./connection.js";
