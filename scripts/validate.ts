// npm run validate [-- [--base REV] FILE.sql|FILE.json|FILE.yaml ...]: checks every job in flink-jobs/, every spec in
// druid-specs/ and any files given, as they would be deployed (placeholders filled), every job of every
// stack (Pulumi.*.yaml) as deployed for the stack's first tenant running it, and every schema in schemas/
// against its version at REV (default HEAD) under its subject's compatibility. Jobs are planned by Flink's own
// planner on the runner image's classpath (jobs/sql-validation.ts); specs are checked against the Druid
// supervisor schema, then by Druid's own classes (jobs/druid-validation.ts); schemas by Avro's own classes
// (contracts/compatibility.ts). Exit 1 on any problem.
import * as fs from "node:fs";
import * as path from "node:path";
import { InputFileError, readYamlFile } from "../config/files";
import { FlinkJobDefinition, FlinkJobMetadata, loadFlinkJobs } from "../jobs/catalog";
import { parseFlags, runTool, UsageError } from "../offline/cli";
import { DRUID_SPECS_DIR, readSpecFile, SAMPLE_TENANT, sampleSpecProblems } from "../jobs/druid-specs";
import { druidProblems, FilledSpec } from "../jobs/druid-validation";
import { substituteJson } from "../jobs/placeholders";
import { PlannedScript, plannerProblems, SAMPLE_RUNTIME_ENV, sampleScripts } from "../jobs/sql-validation";
import { providerSettingsFromEngine } from "../config/load";
import { parseConfig, ConfigError } from "../config/validate";
import { JobCatalog, knownNames, loadCatalog } from "../jobs/catalog";
import { buildModel, PlatformModel } from "../model/platform-model";
import { ContractRequest, contractProblems, gitVersions, isCommit } from "../contracts/compatibility";
import { projectConfig, readStackFile, stackNameOf } from "../offline/render";
import { KAFKA_DEFAULTS } from "../model/defaults";
import { druidConsumerProperties } from "../model/druid";
import { platformNaming, tenantNaming } from "../model/naming";

const SAMPLE_BOOTSTRAP = platformNaming.kafkaBootstrap("platform", platformNaming.kafkaNamespace, KAFKA_DEFAULTS.clientPort);

function jobFromFile(file: string): FlinkJobDefinition {
  const meta = file.replace(/\.sql$/, ".yaml");
  const metadata = (fs.existsSync(meta) ? readYamlFile(meta) : { description: "", inputs: ["events"], outputs: [] }) as FlinkJobMetadata;
  return { name: path.basename(file, ".sql"), file, sql: fs.readFileSync(file, "utf8"), metadata };
}

/** A spec's problems before Druid's check, and the spec as deployed for the example tenant when it has none. */
function specProblems(file: string): { problems: string[]; filled?: FilledSpec } {
  let spec: unknown;
  try {
    spec = readSpecFile(file);
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    return { problems: [e.message] };
  }
  const name = path.basename(file).replace(/\.(json|ya?ml)$/, "");
  const values = {
    TENANT: SAMPLE_TENANT,
    DATASOURCE: tenantNaming.druidDatasource(SAMPLE_TENANT, name),
    TOPIC_PREFIX: tenantNaming.kafkaPrefix(SAMPLE_TENANT),
    KAFKA_CONSUMER_PROPERTIES: druidConsumerProperties(SAMPLE_TENANT, SAMPLE_BOOTSTRAP),
    TASK_COUNT: 1,
    TASK_REPLICAS: 1,
  };
  const problems = sampleSpecProblems(file, spec, values);
  return problems.length === 0 ? { problems, filled: { file, spec: substituteJson(spec, values).value } } : { problems };
}

/** Every stack's model (Pulumi.*.yaml); a stack whose config is invalid adds its problems instead. */
function stackModels(catalog: JobCatalog, problems: string[]): PlatformModel[] {
  const models: PlatformModel[] = [];
  for (const file of fs.readdirSync(".").filter((f) => /^Pulumi\..+\.ya?ml$/.test(f)).sort()) {
    try {
      const values = readStackFile(file);
      models.push(buildModel(parseConfig(projectConfig(values), knownNames(catalog), providerSettingsFromEngine(values)), stackNameOf(file), catalog));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(`${file}: ${e.message}`);
    }
  }
  return models;
}

/**
 * Every schema judged against its versions at `base` under its subject's compatibility in each stack that
 * registers it (once per distinct mode); a schema no stack registers is named, since nothing would check it.
 */
function contractRequests(catalog: JobCatalog, models: readonly PlatformModel[], base: string, problems: string[]): ContractRequest[] {
  const requests = new Map<string, ContractRequest>();
  for (const subject of models.flatMap((m) => m.tenants.flatMap((t) => t.subjects))) {
    const key = `${subject.file} ${subject.compatibility}`;
    if (requests.has(key)) continue;
    requests.set(key, { file: subject.file, schema: subject.schema, compatibility: subject.compatibility, previous: gitVersions(subject.file, base, subject.compatibility.endsWith("_TRANSITIVE")) });
  }
  const registered = new Set([...requests.values()].map((r) => r.file));
  for (const s of catalog.schemas.values()) {
    if (!registered.has(s.file)) problems.push(`${s.file}: no stack has tenant '${s.tenant}', so nothing registers or checks this schema`);
  }
  return [...requests.values()];
}

/** Each stack's jobs as deployed, once per job (tenants differ only in names inside literals). */
function stackScripts(models: readonly PlatformModel[]): PlannedScript[] {
  const out: PlannedScript[] = [];
  for (const model of models) {
    const seen = new Set<string>();
    for (const t of model.tenants) {
      for (const job of t.flinkJobs) {
        // Lake jobs are planned by the sample check, with an in-memory catalog in place of Glue or Nessie.
        if (job.lake || seen.has(job.job)) continue;
        seen.add(job.job);
        out.push({ file: job.file, script: job.script, fills: job.fills, env: SAMPLE_RUNTIME_ENV });
      }
    }
  }
  return out;
}

const USAGE = "usage: npm run validate [-- [--base REV] FILE.sql|FILE.json|FILE.yaml ...]";

function main(): number {
  const { values: flags, positionals: args } = parseFlags(USAGE, { base: { type: "string" } }, { positionals: true });
  const base = flags.base ?? "HEAD";
  if (!isCommit(base)) throw new UsageError(`--base ${base}: not a commit of this checkout (the schemas' earlier versions are read from it)`);
  const jobs = [...loadFlinkJobs(process.cwd()).values()];
  const missing = args.filter((f) => !/\.(sql|json|ya?ml)$/.test(f) || !fs.existsSync(f));
  for (const f of missing) process.stderr.write(`${f}: not an existing .sql, .json or .yaml file\n`);
  if (missing.length > 0) return 1;
  const same = (a: string, b: string) => path.resolve(a) === path.resolve(b);

  const sqlArgs = args.filter((f) => f.endsWith(".sql"));
  const allJobs = [...jobs.filter((j) => !sqlArgs.some((f) => same(f, j.file))), ...sqlArgs.map(jobFromFile)];
  const specFiles = fs.readdirSync(DRUID_SPECS_DIR).filter((f) => /\.(json|ya?ml)$/.test(f)).map((f) => `${DRUID_SPECS_DIR}/${f}`);
  const specArgs = args.filter((f) => !f.endsWith(".sql"));
  const allSpecs = [...specFiles.filter((f) => !specArgs.some((a) => same(a, f))), ...specArgs];

  const samples = allJobs.map(sampleScripts);
  const specs = allSpecs.map(specProblems);
  const problems = [...samples.flatMap((s) => s.unresolved), ...specs.flatMap((s) => s.problems)];
  const catalog = loadCatalog();
  const models = stackModels(catalog, problems);
  const scripts = [...samples.flatMap((s) => s.scripts), ...stackScripts(models)];
  const contracts = contractRequests(catalog, models, base, problems);
  problems.push(...plannerProblems(scripts), ...druidProblems(specs.flatMap((s) => (s.filled ? [s.filled] : []))), ...contractProblems(contracts));
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.stdout.write(`${allJobs.length} Flink SQL job(s) (${scripts.length} scripts planned by Flink), ${allSpecs.length} Druid spec(s) and ${catalog.schemas.size} schema(s) (against ${base}) checked: ${problems.length === 0 ? "ok" : `${problems.length} problem(s)`}\n`);
  return problems.length === 0 ? 0 : 1;
}

runTool("validate", USAGE, main);
