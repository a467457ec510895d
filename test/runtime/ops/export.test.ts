import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { ModelRegistry } from "../../../runtime/model-registry.js";
import { exportModel } from "../../../runtime/ops/export.js";
import { loadModel } from "../../../runtime/predict/load.js";
import type { Prediction } from "../../../runtime/predict/predictor.js";
import { RunStore } from "../../../runtime/run-store.js";
import { dataset, tempDir } from "../../helpers.js";

// Every algorithm (and both tasks where it has them), trained on data with every kind of fitted
// preparation, exported by `export` statements; the folder must predict what the server's
// predictor (the registry's model, loaded) predicts, in Node and in headless Chromium.
const models: [name: string, algorithm: string, target: string, options: string][] = [
  ["lr", "logistic_regression", "Species", ""],
  ["lin", "linear_regression", '"Beak Length (mm)"', ""],
  ["svml", "svm", "Species", "kernel: linear"],
  ["svmr", "svm", "Species", "kernel: rbf"],
  ["svmf", "svm", "Species", "kernel: rbf; components: 40"],
  ["svmreg", "svm", '"Beak Length (mm)"', "kernel: rbf"],
  ["tree", "decision_tree", "Species", ""],
  ["treereg", "decision_tree", '"Beak Length (mm)"', ""],
  ["forest", "random_forest", "Species", "trees: 20"],
  ["gbm", "gradient_boosting", "Species", "max_iter: 20"],
  ["gbmreg", "gradient_boosting", '"Beak Length (mm)"', "max_iter: 20"],
  ["mlp", "neural_network", "Species", "layers: [16]; epochs: 60"],
  ["mlpreg", "neural_network", '"Beak Length (mm)"', "layers: [8]; epochs: 40"],
];

const dir = tempDir("lathe-export-");
const root = path.join(dir, ".lathe");
const out = path.join(dir, "exports");
/** Raw rows, as a client sends them (every penguin with a species: the test split and more). */
const rows = (JSON.parse(readFileSync(dataset("penguins.json"), "utf8")) as Record<string, unknown>[]).filter((r) => r.Species !== null);
const expected = new Map<string, Prediction[]>();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const features = (target: string) => ['"Beak Length (mm)"', '"Beak Depth (mm)"', '"Flipper Length (mm)"', "ratio", '"Body Mass (g)"', "Island", "Sex"].filter((f) => f !== target).join(", ");
  const program = `source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins {
  drop rows where Species is missing
  fill "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)" with median
  fill Sex with "unknown"
  cast "Flipper Length (mm)" as number
  derive ratio = "Flipper Length (mm)" / "Body Mass (g)"
  bucket "Body Mass (g)" into 4
  scale ratio standard
  onehot Island, Sex
}
split clean into train 70%, test 30% stratify by Species seed 11
${models.map(([n, a, t, o]) => `model ${n} = ${a} predicting ${t} from train { features: ${features(t)}${o ? `; ${o}` : ""} }\nregister ${n} as "m-${n}"`).join("\n")}
${models.map(([n], i) => `export "m-${n}" version 1 to "${path.join(out, n)}"${i === 0 ? " for container" : ""}`).join("\n")}
`;
  const s = await Session.open({ root, baseDir: dir });
  try {
    const r = await s.run(program);
    if (r.error || !r.ok) throw new Error(`the program failed: ${r.error?.message ?? JSON.stringify(r.diagnostics)}`);
    const exported = r.output!.results.filter((x) => x.kind === "exported");
    expect(exported).toHaveLength(models.length);
  } finally {
    s.close();
  }
  const registry = new ModelRegistry(new RunStore(root));
  for (const [n] of models) expected.set(n, (await loadModel(registry, { name: `m-${n}`, version: 1 })).predictor.predict(rows));
}, 600_000);

/** Checks predictions against the server's: classes identical, probabilities within 1e-12. */
function expectSame(name: string, got: Prediction[]): void {
  const want = expected.get(name)!;
  expect(got.length, name).toBe(want.length);
  expect(got.map((g) => g.prediction), name).toEqual(want.map((w) => w.prediction));
  got.forEach((g, i) => {
    expect(Object.keys(g.probabilities ?? {}), name).toEqual(Object.keys(want[i].probabilities ?? {}));
    for (const [c, p] of Object.entries(want[i].probabilities ?? {})) expect(Math.abs(g.probabilities![c] - p), `${name} row ${i} ${c}`).toBeLessThanOrEqual(1e-12);
  });
}

describe("export for the edge", () => {
  it("writes a self-contained ES module folder: no import outside it, no Node built-in, package.json and README", () => {
    for (const [n, algorithm] of models) {
      const folder = path.join(out, n);
      const files = listFiles(folder);
      expect(files).toEqual(expect.arrayContaining(["index.js", "model.js", "package.json", "README.md", "lathe-export.json", "lib/predict/predictor.js", "lib/models/scoring/scoring-model.js"]));
      const pkg = JSON.parse(readFileSync(path.join(folder, "package.json"), "utf8"));
      expect(pkg).toMatchObject({ type: "module", main: "./index.js", name: `m-${n}`, version: "1.0.0" });
      expect(pkg.dependencies).toBeUndefined();
      expect(readFileSync(path.join(folder, "README.md"), "utf8")).toContain(`# m-${n} version 1`);
      expect(JSON.parse(readFileSync(path.join(folder, "lathe-export.json"), "utf8"))).toMatchObject({ format: "lathe-export", name: `m-${n}`, version: 1, algorithm });
      // The edge part of the folder imports only its own files: it runs wherever ES modules run.
      const edgeFiles = files.filter((f) => f.endsWith(".js") && !["server.js", "handler.js"].includes(f) && !/http-server|lambda-handler|answer|export-metrics|serve\//.test(f));
      for (const f of edgeFiles) {
        const text = readFileSync(path.join(folder, f), "utf8");
        for (const m of text.matchAll(/^\s*(?:import\s*|(?:import|export)\b[^;"'=()]*?\bfrom\s*)["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']/gm)) {
          m[1] ??= m[2];
          expect(m[1], `${n}/${f}`).toMatch(/^\.\.?\//);
          expect(existsSync(path.join(path.dirname(path.join(folder, f)), m[1])), `${n}/${f} → ${m[1]}`).toBe(true);
        }
        expect(text, `${n}/${f}`).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\.|\bimport\.meta/);
      }
    }
  });

  it("in Node, predicts every algorithm's classes and probabilities (or values) exactly as the server does, on raw rows", async () => {
    for (const [n] of models) {
      const m = await import(/* @vite-ignore */ pathToFileURL(path.join(out, n, "index.js")).href);
      expectSame(n, m.predict(rows));
    }
  });

  it("in a fresh Node process, with nothing of Lathe loaded", () => {
    const script = `const rows = JSON.parse(process.argv.at(-1)); const out = {}; for (const n of ${JSON.stringify(models.map(([n]) => n))}) out[n] = (await import(${JSON.stringify(pathToFileURL(out).href)} + "/" + n + "/index.js")).predict(rows); console.log(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(rows.slice(0, 40))], { encoding: "utf8", cwd: tempDir() });
    expect(r.stderr).toBe("");
    const got = JSON.parse(r.stdout) as Record<string, Prediction[]>;
    for (const [n] of models) {
      const want = expected.get(n)!.slice(0, 40);
      expect(got[n].map((g) => g.prediction)).toEqual(want.map((w) => w.prediction));
      got[n].forEach((g, i) => Object.entries(want[i].probabilities ?? {}).forEach(([c, p]) => expect(Math.abs(g.probabilities![c] - p)).toBeLessThanOrEqual(1e-12)));
    }
  });

  it("names each missing or mistyped column of each row", async () => {
    const m = await import(/* @vite-ignore */ pathToFileURL(path.join(out, "lr", "index.js")).href);
    const bad = { ...rows[0], "Beak Depth (mm)": "deep" } as Record<string, unknown>;
    delete bad.Island;
    try {
      m.predict([rows[1], bad]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(m.InputError);
      expect((e as { problems: unknown[] }).problems).toEqual([
        { row: 1, field: "Beak Depth (mm)", message: 'field `Beak Depth (mm)` takes a number, got "deep"' },
        { row: 1, field: "Island", message: "missing field `Island` (string)" },
      ]);
    }
    expect(() => m.predict(rows[0])).toThrow(/array of rows/);
    expect(m.model).toMatchObject({ name: "m-lr", version: 1, algorithm: "logistic_regression", task: "classification", target: "Species", classes: ["Adelie", "Chinstrap", "Gentoo"] });
  });

  it("in headless Chromium (one launch for every algorithm), predicts exactly as the server does", async () => {
    const browser = ["chromium", "chromium-browser"].find((b) => spawnSync("sh", ["-c", `command -v ${b}`]).status === 0);
    if (!browser) throw new Error("Chromium is not installed: scripts/setup-jupyter.sh installs Debian's chromium");
    const names = models.map(([n]) => n);
    const page = `<!doctype html><meta charset="utf-8"><script type="module">
const rows = await (await fetch("/rows.json")).json();
const out = {};
for (const n of ${JSON.stringify(names)}) {
  try {
    const m = await import("/exports/" + n + "/index.js");
    out[n] = { predictions: m.predict(rows) };
    try { m.predict([{}]); } catch (e) { out[n].error = { name: e.name, fields: e.problems.map((p) => p.field) }; }
  } catch (e) { out[n] = { failure: String(e && e.stack || e) }; }
}
await fetch("/result", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(out) });
</script>`;
    let resolveResult!: (v: Record<string, { predictions?: Prediction[]; error?: { name: string; fields: string[] }; failure?: string }>) => void;
    const result = new Promise<Parameters<typeof resolveResult>[0]>((r) => (resolveResult = r));
    const types: Record<string, string> = { ".js": "text/javascript", ".json": "application/json", ".html": "text/html" };
    const server = http.createServer((req, res) => {
      const url = decodeURIComponent((req.url ?? "/").split("?")[0]);
      if (req.method === "POST" && url === "/result") {
        const chunks: Buffer[] = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => {
          res.end("ok");
          resolveResult(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        });
        return;
      }
      let body: string | Buffer | undefined;
      if (url === "/") body = page;
      else if (url === "/rows.json") body = JSON.stringify(rows);
      else if (url.startsWith("/exports/") && !url.includes("..")) body = existsSync(path.join(out, url.slice(9))) ? readFileSync(path.join(out, url.slice(9))) : undefined;
      if (body === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "Content-Type": types[path.extname(url)] ?? (url === "/" ? "text/html" : "application/octet-stream") }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const profile = tempDir("lathe-chromium-");
    // CI runs as root, where Chromium's sandbox cannot start.
    const child = spawn(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", `--user-data-dir=${profile}`, `http://127.0.0.1:${port}/`], { stdio: "ignore", detached: true });
    try {
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("Chromium did not post its results within 120 s")), 120_000));
      const got = await Promise.race([result, timeout]);
      for (const n of names) {
        expect(got[n].failure, n).toBeUndefined();
        expectSame(n, got[n].predictions!);
        expect(got[n].error?.name, n).toBe("InputError");
        expect(got[n].error!.fields.length, n).toBeGreaterThan(0);
      }
    } finally {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      server.close();
      // Retried: the killed browser may still be closing files in its profile.
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    }
  }, 180_000);
});

describe("export errors and replacing", () => {
  const registry = () => new ModelRegistry(new RunStore(root));

  it("an unknown name or version is a coded data error", async () => {
    await expect(exportModel(registry(), { name: "nope" }, path.join(dir, "x"), "edge")).rejects.toMatchObject({ code: "unknown-model-name" });
    await expect(exportModel(registry(), { name: "m-lr", version: 9 }, path.join(dir, "x"), "edge")).rejects.toMatchObject({ code: "unknown-version" });
    await expect(exportModel(registry(), { name: "m-lr" }, path.join(dir, "x"), "edge")).rejects.toMatchObject({ code: "no-champion" });
    expect(existsSync(path.join(dir, "x"))).toBe(false);
  });

  it("refuses a folder that is not an earlier export, or a file; replaces an earlier export whole, leaving no temporary folder", async () => {
    const mine = path.join(dir, "mine");
    mkdirSync(mine);
    writeFileSync(path.join(mine, "notes.txt"), "mine");
    await expect(exportModel(registry(), { name: "m-lr", version: 1 }, mine, "edge")).rejects.toMatchObject({ code: "export-target-exists" });
    expect(readdirSync(mine)).toEqual(["notes.txt"]);
    writeFileSync(path.join(dir, "afile"), "x");
    await expect(exportModel(registry(), { name: "m-lr", version: 1 }, path.join(dir, "afile"), "edge")).rejects.toMatchObject({ code: "export-target-exists" });

    const target = path.join(dir, "again");
    await exportModel(registry(), { name: "m-lr", version: 1 }, target, "container");
    expect(existsSync(path.join(target, "Dockerfile"))).toBe(true);
    const first = readFileSync(path.join(target, "model.js"));
    // The same model exported again gives the same bytes; the container files go when the form changes.
    const r = await exportModel(registry(), { name: "m-lr", version: 1 }, target, "edge");
    expect(r).toMatchObject({ kind: "exported", name: "m-lr", version: 1, form: "edge" });
    expect(readFileSync(path.join(target, "model.js"))).toEqual(first);
    expect(existsSync(path.join(target, "Dockerfile"))).toBe(false);
    await exportModel(registry(), { name: "m-forest", version: 1 }, target, "edge");
    expect(JSON.parse(readFileSync(path.join(target, "lathe-export.json"), "utf8")).name).toBe("m-forest");
    expect(readdirSync(dir).filter((f) => f.includes("lathe-export-"))).toEqual([]);
  });
});

/** Every file under a folder, as relative paths with forward slashes. */
function listFiles(folder: string, prefix = ""): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(folder, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`])).sort();
}
