import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { exitCodes, usageError } from "./exit-codes.js";
import { printDiagnostics } from "./print-diagnostics.js";

/** Where each provider reads its pipeline from. */
const pipelineFiles = { github: ".github/workflows/lathe.yml", gitlab: ".gitlab-ci.yml" } as const;
type Provider = keyof typeof pipelineFiles;

/** What a pipeline is written for: the program, the names it registers, the alias the main branch promotes to, the main branch. */
export interface PipelineSpec {
  program: string;
  registers: string[];
  alias: string;
  branch: string;
}

/** The file the CI run writes the JUnit report to, and the one holding the run id between steps. */
export const reportFile = "lathe-report.xml";
export const runIdFile = "lathe-run-id";

/**
 * `lathe ci init github|gitlab [--program FILE] [--to ALIAS] [--branch main] [--force]`: writes a
 * pipeline that installs (`npm ci`), checks the program, runs it with a JUnit report (its asserts
 * gate the job; the report is published so the CI shows each gate as a test), reproduces the new
 * run bit for bit, and on the main branch lets the run register its models and promotes the version
 * it registered to `ALIAS`. Runs elsewhere leave the registry alone (`--no-registry`). An existing
 * file is kept unless `--force`.
 */
export async function ciInitCommand(providerArg: string, opts: { program?: string; to: string; branch?: string; force?: boolean }): Promise<number> {
  if (providerArg !== "github" && providerArg !== "gitlab") throw usageError(`\`lathe ci init\` writes a pipeline for github or gitlab, not ${JSON.stringify(providerArg)}`);
  const provider: Provider = providerArg;
  const { movableAliasProblem } = await import("../language/model-ref.js");
  const aliasProblem = movableAliasProblem(opts.to);
  if (aliasProblem) throw usageError(`--to: ${aliasProblem}`);
  const branch = opts.branch ?? "main";
  if (!/^[A-Za-z0-9._/-]+$/.test(branch)) throw usageError(`--branch ${JSON.stringify(branch)} is not a branch name`);
  const program = opts.program ?? findProgram();
  const target = pipelineFiles[provider];
  if (existsSync(target) && !opts.force) {
    process.stderr.write(`lathe: ${target} exists; not overwriting it (--force replaces it)\n`);
    return exitCodes.usage;
  }
  const registers = await registeredNames(program);
  if (typeof registers === "number") return registers;
  const spec: PipelineSpec = { program: program.split(path.sep).join("/"), registers, alias: opts.to, branch };
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, provider === "github" ? githubWorkflow(spec) : gitlabPipeline(spec));
  process.stdout.write(`wrote ${target}: install, check, run ${spec.program} (JUnit report ${reportFile}), reproduce${registers.length ? `, and on ${branch} promote ${registers.map((n) => JSON.stringify(n)).join(", ")} to ${opts.to}` : ""}\n`);
  if (!registers.length) process.stdout.write(`note: ${spec.program} registers no model, so the pipeline promotes nothing (add \`register MODEL as "name"\` after its asserts)\n`);
  return exitCodes.ok;
}

/** The only `.lathe` file of the project (its folder and two levels below, not node_modules or hidden folders), or a usage error. */
function findProgram(): string {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith(".") || e.name === "node_modules" || e.name === "dist") continue;
      const p = dir === "." ? e.name : path.join(dir, e.name);
      if (e.isFile() && e.name.endsWith(".lathe")) found.push(p);
      else if (e.isDirectory() && depth < 2) walk(p, depth + 1);
    }
  };
  walk(".", 0);
  if (found.length === 1) return found[0];
  throw usageError(found.length ? `which program should the pipeline run? give --program, one of ${found.sort().slice(0, 10).join(", ")}${found.length > 10 ? ", …" : ""}` : "no .lathe program in this folder: give --program FILE");
}

/** The names the program registers (it is parsed, not run), or the exit code after reporting why it cannot be read. */
async function registeredNames(file: string): Promise<string[] | number> {
  const { readTextFile } = await import("../runtime/data/file-access.js");
  const { parse } = await import("../language/parse.js");
  const read = readTextFile(file);
  if ("error" in read) {
    process.stderr.write(`lathe: ${read.error}\n`);
    return exitCodes.dataError;
  }
  const parsed = parse(read.text);
  if (parsed.diagnostics.some((d) => d.severity === "error")) {
    printDiagnostics(parsed.diagnostics, file, read.text);
    return exitCodes.programErrors;
  }
  return [...new Set(parsed.program.statements.flatMap((s) => (s.kind === "register" ? [s.as.value] : [])))];
}

const header = (spec: PipelineSpec, provider: Provider) => `# Written by \`lathe ci init ${provider} --program ${spec.program}\`.
# Every change: install, check the program, run it (its asserts gate the job; ${reportFile} shows
# each assert condition as a test), then reproduce that run bit for bit (\`lathe reproduce\` never
# changes the registry). On ${spec.branch} only, the run registers its models and the version it
# registered is promoted to "${spec.alias}"; elsewhere the run leaves the registry alone.
# The run store (.lathe/) is in the job's workspace: for the registry to outlive the job, keep it
# (a cache or volume, or LATHE_STORE pointing at shared storage).
`;

const promoteCommands = (spec: PipelineSpec, sha: string) =>
  spec.registers.map((name) => `npx lathe models promote ${JSON.stringify(name)} --run "$(cat ${runIdFile})" --to ${spec.alias} --reason "CI: ${sha} passed its asserts and reproduced"`);

/** The GitHub Actions workflow. */
export function githubWorkflow(spec: PipelineSpec): string {
  const promote = promoteCommands(spec, "$GITHUB_SHA");
  return `${header(spec, "github")}name: lathe
on:
  push:
    branches: [${spec.branch}]
  pull_request:
permissions:
  contents: read
  checks: write
jobs:
  lathe:
    runs-on: ubuntu-latest
    env:
      LATHE_PROGRAM: ${JSON.stringify(spec.program)}
      LATHE_MAIN: \${{ github.ref == 'refs/heads/${spec.branch}' }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - name: Install
        run: npm ci
      - name: Check
        run: npx lathe check "$LATHE_PROGRAM"
      - name: Run (its asserts gate the job)
        run: |
          registry="--no-registry"
          if [ "$LATHE_MAIN" = "true" ]; then registry=""; fi
          npx lathe run "$LATHE_PROGRAM" --junit ${reportFile} --run-id-file ${runIdFile} $registry
      - name: Publish the JUnit report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: lathe-report
          path: ${reportFile}
      - name: Show the gates as tests
        if: always()
        uses: mikepenz/action-junit-report@v5
        with:
          report_paths: ${reportFile}
      - name: Reproduce the run
        run: npx lathe reproduce "$(cat ${runIdFile})"
${promote.length ? `      - name: Promote (${spec.branch} only)
        if: env.LATHE_MAIN == 'true'
        run: |
${promote.map((c) => `          ${c}`).join("\n")}
` : ""}`;
}

/** The GitLab CI pipeline. */
export function gitlabPipeline(spec: PipelineSpec): string {
  const main = `[ "$CI_COMMIT_BRANCH" = "${spec.branch}" ]`;
  // The lines run in one shell, in order; the first that fails fails the job.
  const script = [
    "npm ci --cache .npm --prefer-offline",
    `npx lathe check "$LATHE_PROGRAM"`,
    `registry="--no-registry"; if ${main}; then registry=""; fi`,
    `npx lathe run "$LATHE_PROGRAM" --junit ${reportFile} --run-id-file ${runIdFile} $registry`,
    `npx lathe reproduce "$(cat ${runIdFile})"`,
    ...promoteCommands(spec, "$CI_COMMIT_SHA").map((c) => `if ${main}; then ${c}; fi`),
  ];
  return `${header(spec, "gitlab")}lathe:
  image: node:20
  variables:
    LATHE_PROGRAM: ${JSON.stringify(spec.program)}
  cache:
    key: npm
    paths:
      - .npm/
  script:
${script.map((c) => `    - ${quoted(c)}\n`).join("")}  artifacts:
    when: always
    paths:
      - ${reportFile}
    reports:
      junit: ${reportFile}
`;
}

/** A YAML single-quoted scalar: shell text with `: ` or `#` in it stays one string. */
function quoted(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
