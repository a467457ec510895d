// Compiles native/*.cc (mlp.cc, histograms.cc, boosting-steps.cc, normal-equations.cc, linear-pass.cc, duckdb-library.cc, duckdb-allocator.cc, column-read.cc, repeated-keys.cc, work-pool.cc) into dist/native/<platform>-<arch>/lathe-native.node with the machine's C++
// compiler and Node's own headers (N-API: no node-gyp, no downloads).
//
//   node scripts/build-native.mjs            the repository's build (npm run build, pretest): compiles
//                                            when the module is missing or older than its source
//   node scripts/build-native.mjs --install  the package's install script: keeps the module the
//                                            package ships when it loads here, else compiles it
//
// The build is portable: the architecture's baseline instruction set, with wider vector units chosen
// at run time inside the module (native/CONTEXT.md), so a module built on one machine runs on any
// other of the same platform and architecture — a Docker layer, a CI cache, the npm package itself.
// A machine without a compiler still gets a working install: the MLP then trains on TensorFlow.js,
// and this script says so instead of failing (LATHE_REQUIRE_NATIVE=1 makes it fail).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The module's sources, compiled together into one module (mlp.cc holds its Init). */
export const nativeSources = ["mlp.cc", "histograms.cc", "boosting-steps.cc", "normal-equations.cc", "linear-pass.cc", "duckdb-library.cc", "duckdb-allocator.cc", "column-read.cc", "repeated-keys.cc", "work-pool.cc"].map((f) => join(root, "native", f));
export const nativeHeaders = ["module.h"].map((f) => join(root, "native", f));

/** Where the module of this platform and architecture lives (runtime/models/native-engine.ts reads it there). */
export const modulePath = join(root, "dist", "native", `${process.platform}-${process.arch}`, "lathe-native.node");

/**
 * The compiler, Node's header folder and the flags of a portable build. No -march: the baseline of
 * the architecture. -ffp-contract=off: no fused multiply-adds behind the source's back, so the
 * run-time variants (SSE2, AVX2, AVX-512) round identically. Static libstdc++/libgcc: the module
 * needs only the C library, so it loads on systems with an older C++ runtime.
 */
export function nativeBuild() {
  const headers = [join(dirname(dirname(process.execPath)), "include", "node"), "/usr/include/node", "/usr/local/include/node"].find((d) => existsSync(join(d, "node_api.h")));
  const compiler = process.env.CXX || "c++";
  const link = process.platform === "darwin" ? ["-bundle", "-undefined", "dynamic_lookup"] : ["-shared", "-static-libstdc++", "-static-libgcc"];
  const flags = ["-O3", "-std=c++17", "-pthread", "-fPIC", "-fvisibility=hidden", "-ffp-contract=off", "-Wno-psabi", ...link, "-DNODE_GYP_MODULE_NAME=lathe_native", "-DNAPI_VERSION=8"];
  return { compiler, headers, flags };
}

/** Whether a module file loads in a fresh Node process (a crash there, even SIGILL, cannot take this one down). */
function loads(file) {
  const r = spawnSync(process.execPath, ["-e", `const m = require(${JSON.stringify(file)}); if (typeof m.info !== "function") process.exit(3); m.info();`], { encoding: "utf8" });
  return r.status === 0 ? { ok: true } : { ok: false, why: (r.stderr.trim().split("\n").find((l) => /Error|error:/.test(l)) ?? `exit ${r.status ?? r.signal}`).trim() };
}

function compile() {
  const { compiler, headers, flags } = nativeBuild();
  if (!headers) {
    console.warn("lathe: Node's headers (node_api.h) were not found; the native MLP engine is not built (neural_network trains on TensorFlow.js)");
    return false;
  }
  mkdirSync(dirname(modulePath), { recursive: true });
  const tmp = `${modulePath}.${process.pid}.tmp`;
  const shown = (f) => f.filter((x) => !x.startsWith("-D")).join(" ");
  const attempt = (f) => execFileSync(compiler, [...f, `-DLATHE_FLAGS="${shown(f)}"`, `-I${headers}`, ...nativeSources, "-o", tmp], { stdio: "inherit" });
  try {
    try {
      attempt(flags);
    } catch (e) {
      // A toolchain without a static C++ runtime: link it dynamically rather than not at all.
      if (!flags.includes("-static-libstdc++")) throw e;
      attempt(flags.filter((f) => !f.startsWith("-static-")));
    }
    // Renamed into place whole: a process loading the module never sees half a file.
    renameSync(tmp, modulePath);
    return true;
  } catch (e) {
    rmSync(tmp, { force: true });
    if (process.env.LATHE_REQUIRE_NATIVE) throw e;
    console.warn(`lathe: building the native MLP engine with ${compiler} failed (${String(e.message).split("\n")[0]}); neural_network trains on TensorFlow.js`);
    return false;
  }
}

function upToDate() {
  if (!existsSync(modulePath)) return false;
  const built = statSync(modulePath).mtimeMs;
  return [...nativeSources, ...nativeHeaders, fileURLToPath(import.meta.url)].every((f) => statSync(f).mtimeMs <= built);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes("--install") && existsSync(modulePath)) {
    // An installed package: the module it ships is used when it loads on this machine.
    const shipped = loads(modulePath);
    if (!shipped.ok && nativeSources.every((f) => existsSync(f))) {
      console.warn(`lathe: the native MLP engine shipped for ${process.platform}-${process.arch} does not load here (${shipped.why}); compiling it`);
      compile();
    } else if (!shipped.ok) console.warn(`lathe: the native MLP engine does not load here (${shipped.why}); neural_network trains on TensorFlow.js`);
  } else if (!upToDate()) compile();
}
