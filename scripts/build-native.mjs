// Compiles native/mlp.cc into dist/native/lathe-native.node with the machine's C++ compiler and
// Node's own headers (N-API: no node-gyp, no downloads). Run by `npm run build` / `prepare`.
// A machine without a compiler still gets a working install: the MLP then trains on TensorFlow.js,
// and this script says so instead of failing.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "native", "lathe-native.node");
const headers = [join(dirname(dirname(process.execPath)), "include", "node"), "/usr/include/node", "/usr/local/include/node"].find((d) => existsSync(join(d, "node_api.h")));
const compiler = process.env.CXX || "c++";
// -march=native: the module is built on the machine that runs it (at install), so it may use
// every vector unit there; -O3 without -ffast-math keeps IEEE semantics and a fixed summation order.
const flags = ["-O3", "-march=native", "-std=c++17", "-shared", "-fPIC", "-fvisibility=hidden", "-DNODE_GYP_MODULE_NAME=lathe_native", "-DNAPI_VERSION=8"];

if (!headers) {
  console.warn("lathe: Node's headers (node_api.h) were not found; the native MLP engine is not built (TensorFlow.js is used instead)");
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
try {
  execFileSync(compiler, [...flags, `-I${headers}`, join(root, "native", "mlp.cc"), "-o", out], { stdio: "inherit" });
} catch (e) {
  if (process.env.LATHE_REQUIRE_NATIVE) throw e;
  console.warn(`lathe: building the native MLP engine with ${compiler} failed (${e.message.split("\n")[0]}); TensorFlow.js is used instead`);
}
