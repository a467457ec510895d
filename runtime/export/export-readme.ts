import type { ModelVersion } from "../model-registry.js";
import type { ModelPackage } from "../predict/predictor.js";
import { containerPort } from "./container-files.js";
import type { ExportForm } from "./export-form.js";

/** The JSON type a raw input column takes (as the predictor checks it). */
function jsonTypeOf(type: string): string {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT\d*|FLOAT|DOUBLE|REAL|DECIMAL.*)$/.test(type) ? "number" : type === "BOOLEAN" ? "boolean" : "string";
}

/** The README of an export: what the model is, how to call it in Node and a browser, and (container) how to run it. */
export function exportReadme(o: { ref: string; version: ModelVersion; pkg: ModelPackage; form: ExportForm; name: string }): string {
  const { pkg, version } = o;
  const columns = pkg.input.columns.filter((c) => c.name !== pkg.target);
  const example = Object.fromEntries(columns.map((c) => [c.name, jsonTypeOf(c.type) === "number" ? 0 : jsonTypeOf(c.type) === "boolean" ? false : "..."]));
  const out = pkg.task === "classification" ? `{ prediction: ${JSON.stringify(pkg.classes[0] ?? "class")}, probabilities: { ${pkg.classes.map((c) => `${JSON.stringify(c)}: 0.…`).join(", ")} } }` : "{ prediction: 123.4 }";
  const lines = [
    `# ${version.name} version ${version.version}`,
    "",
    `A ${pkg.algorithm.replace(/_/g, " ")} ${pkg.task === "classification" ? `classifying \`${pkg.target}\` (${pkg.classes.map((c) => `\`${c}\``).join(", ")})` : `predicting \`${pkg.target}\``}, exported by \`lathe export\` (${o.ref}).`,
    "It is a self-contained ES module folder: the model's fitted preparation and its scoring in plain",
    "JavaScript, its weights as data in `model.js` — no dependencies, no native code, no DuckDB or",
    "TensorFlow.js. It predicts exactly what `lathe serve` and `lathe predict` predict for the same rows.",
    "",
    "## Metrics when registered",
    "",
    ...(version.metrics.length ? ["| data | metric | value |", "|---|---|---|", ...version.metrics.map((m) => `| ${m.data} | ${m.metric} | ${m.value} |`)] : ["(none recorded)"]),
    "",
    "## Input",
    "",
    "Each row is an object of raw column values, as the model was trained on (the preparation is",
    "applied for you). The predictor reads the columns the preparation and features need; see `model.input`.",
    "",
    "| column | JSON type | trained as |",
    "|---|---|---|",
    ...columns.map((c) => `| ${c.name.replace(/\|/g, "\\|")} | ${jsonTypeOf(c.type)} | ${c.type} |`),
    "",
    "## Node",
    "",
    "```js",
    `import { predict, model, InputError } from ${JSON.stringify(`./${o.name}/index.js`)};`,
    "",
    `const [p] = predict([${JSON.stringify(example)}]);`,
    `// p = ${out}`,
    "```",
    "",
    "A row with a missing or mistyped column throws `InputError`; its `problems` name each row and field.",
    "",
    "## Browser",
    "",
    "Serve the folder and import it from a module script (no bundler needed):",
    "",
    "```html",
    '<script type="module">',
    `  import { predict } from ${JSON.stringify(`./${o.name}/index.js`)};`,
    `  console.log(predict([${JSON.stringify(example)}]));`,
    "</script>",
    "```",
    "",
  ];
  if (o.form === "container") {
    lines.push(
      "## Container",
      "",
      `\`server.js\` serves the model over HTTP on node:http (the Dockerfile's \`CMD\`): \`POST /predict\` (one row`,
      "or an array), `GET /health`, `GET /ready`, `GET /model`, `GET /metrics` (Prometheus), with `lathe serve`'s",
      "JSON answers and error codes. Settings: `PORT` (8080), `HOST` (127.0.0.1; the image sets 0.0.0.0) and",
      "`LATHE_SERVE_TOKEN`, needed when HOST is not loopback: clients send `Authorization: Bearer TOKEN`",
      "(`/health` and `/ready` stay open for probes). SIGTERM drains requests in flight and exits 0.",
      "",
      "```sh",
      "node server.js                                    # on 127.0.0.1:8080, no token needed",
      `docker build -t ${o.name}:${version.version} .`,
      `docker run -p ${containerPort}:${containerPort} -e LATHE_SERVE_TOKEN=$(openssl rand -hex 32) ${o.name}:${version.version}`,
      `kubectl create secret generic ${o.name}-serve-token --from-literal=token=$(openssl rand -hex 32)`,
      "kubectl apply -f kubernetes.yaml                  # Deployment + Service, probes on /health and /ready",
      "```",
      "",
      "`handler.js` exports `handler(event)` for AWS Lambda behind an API Gateway HTTP API (payload 2.0):",
      "the same routes (but `/metrics`), the same answers as `{ statusCode, headers, body }`.",
      "",
    );
  }
  return lines.join("\n");
}
