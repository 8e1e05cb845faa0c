import { FlinkSQL } from "dt-sql-parser";
import { KAFKA_DEFAULTS } from "../model/defaults";
import { jobPlaceholders, lakePlaceholders } from "../model/flink";
import { buildLake, LakeModel } from "../model/lake";
import { platformNaming } from "../model/naming";
import { FlinkJobDefinition } from "./catalog";
import { substitute } from "./placeholders";

let parser: FlinkSQL | undefined;

/** One parser per process, built on first use. */
function flinkSql(): FlinkSQL {
  return (parser ??= new FlinkSQL());
}

/** Parses Flink SQL with a real Flink SQL grammar; returns `file:line: message` for each syntax error. */
export function flinkSqlProblems(file: string, sql: string): string[] {
  const parser = flinkSql();
  // ANTLR's default listener also prints each error to the console; the returned list is the report.
  const consoleError = console.error;
  console.error = () => undefined;
  try {
    return parser.validate(sql).map((e) => `${file}:${e.startLine}: ${e.message}`);
  } finally {
    console.error = consoleError;
  }
}

interface TenantJobs {
  readonly name: string;
  readonly flinkJobs: readonly {
    readonly file: string;
    readonly grammarScript: string;
    readonly unresolved: readonly { readonly name: string; readonly line: number }[];
  }[];
}

/**
 * Every tenant's jobs: unresolved placeholders (per tenant) and syntax errors, as `file:line: …`. The
 * grammar check parses each distinct job once (see FlinkJobModel.grammarScript), so it costs the same for
 * ten tenants or a thousand.
 */
export function tenantJobProblems(tenants: readonly TenantJobs[]): string[] {
  const problems: string[] = [];
  const parsed = new Map<string, string[]>();
  for (const t of tenants) {
    for (const job of t.flinkJobs) {
      for (const u of job.unresolved) problems.push(`${job.file}:${u.line}: unresolved placeholder \${${u.name}} (tenant ${t.name})`);
      let errors = parsed.get(job.grammarScript);
      if (!errors) {
        errors = flinkSqlProblems(job.file, job.grammarScript);
        parsed.set(job.grammarScript, errors);
        problems.push(...errors);
      }
    }
  }
  return problems;
}

/**
 * A job checked as it would be deployed for an example tenant: unresolved placeholders and syntax. Lake
 * jobs are checked with both catalogs (Glue on aws, the REST catalog on local).
 */
export function sampleJobProblems(job: FlinkJobDefinition): string[] {
  const variants: Record<string, string>[] = job.metadata.lake
    ? (["aws", "local"] as const).map((cloud) => lakePlaceholders(SAMPLE_TENANT, sampleLake(cloud)))
    : [{}];
  const problems = variants.flatMap((lake) => {
    const { text, unresolved } = substitute(job.sql, { ...jobPlaceholders(SAMPLE_TENANT, job, SAMPLE_BOOTSTRAP), ...lake });
    return [...unresolved.map((u) => `${job.file}:${u.line}: unresolved placeholder \${${u.name}}`), ...flinkSqlProblems(job.file, text)];
  });
  return [...new Set(problems)];
}

function sampleLake(cloud: "aws" | "local"): LakeModel {
  return buildLake({ environment: "dev", cloud, tenants: [{ name: SAMPLE_TENANT, peakEventsPerSecond: 1, retentionDays: 1, topics: [], lake: true }] });
}

const SAMPLE_TENANT = "example";
const SAMPLE_BOOTSTRAP = platformNaming.kafkaBootstrap("platform", platformNaming.kafkaNamespace, KAFKA_DEFAULTS.clientPort);
