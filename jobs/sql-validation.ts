// The jobs' SQL, checked twice. Before anything is registered (`pulumi up`, `pulumi preview`, render) the
// program checks what it decides itself — placeholders — exactly, in-process, in microseconds. Flink's own
// planner is the validator of record: `npm run validate` (npm test and the PR workflow run it) plans every
// job as deployed, on the runner image's classpath, with the connectors' factories; the runner plans every
// statement again before it submits a job. A grammar of our own would refuse SQL Flink accepts.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { piiFieldList } from "../model/contracts";
import { KAFKA_DEFAULTS } from "../model/defaults";
import { CANONICAL_TENANT, jobPlaceholders, lakePlaceholders } from "../model/flink";
import { buildLake, LakeModel } from "../model/lake";
import { platformNaming, tenantNaming } from "../model/naming";
import { imageCommand } from "../offline/jvm";
import { FlinkJobDefinition } from "./catalog";
import { Fill, RUNTIME_PLACEHOLDERS, substitute, templatePosition } from "./placeholders";

interface TenantJobs {
  readonly name: string;
  readonly flinkJobs: readonly {
    readonly file: string;
    readonly unresolved: readonly { readonly name: string; readonly line: number }[];
  }[];
}

/** Every tenant's unresolved placeholders, as `file:line: …`: what the program checks before registering. */
export function tenantJobProblems(tenants: readonly TenantJobs[]): string[] {
  return tenants.flatMap((t) => t.flinkJobs.flatMap((job) => job.unresolved.map((u) => `${job.file}:${u.line}: unresolved placeholder \${${u.name}} (tenant ${t.name})`)));
}

/** A script as the runner would get it: the job's file (for messages), its text, and the pod's environment. */
export interface PlannedScript {
  readonly file: string;
  readonly script: string;
  /** Where the deploy-time values sit in `script`, to place the planner's columns in the job file. */
  readonly fills: readonly Fill[];
  readonly env: Readonly<Record<string, string>>;
}

/** Stand-ins for what the pod's environment gives the runner (the credentials are the tenant's Secret). */
export const SAMPLE_RUNTIME_ENV: Readonly<Record<(typeof RUNTIME_PLACEHOLDERS)[number], string>> = {
  KAFKA_USERNAME: "tenant-example",
  KAFKA_PASSWORD: "example-password",
  LAKE_LOCATION: `file://${path.join(os.tmpdir(), "analytics-platform-validate-lake", "tenants", "example")}`,
};

/**
 * Plans scripts with Flink's planner (the runner's compile-only mode, in one JVM on the runner image's
 * classpath). Returns `file:line: message` per problem, every position in the job file's own lines and columns:
 * the runner reports them in the script it ran, after both the program's and its own substitutions.
 */
export function plannerProblems(scripts: readonly PlannedScript[]): string[] {
  if (scripts.length === 0) return [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "validate-"));
  try {
    scripts.forEach((s, i) => {
      const base = path.join(dir, String(i).padStart(5, "0"));
      fs.writeFileSync(`${base}.sql`, s.script);
      // The index names the script, so each message is placed through its own script's fills.
      const props = [`name=${i}`, ...Object.entries(s.env).map(([k, v]) => `env.${k}=${escapeProperty(v)}`)];
      fs.writeFileSync(`${base}.properties`, props.join("\n") + "\n");
    });
    const { command, args } = imageCommand("io.analyticsplatform.flinkimage.Validate", ["-Xmx1g", "-Dlog4j2.level=WARN"]);
    const r = spawnSync(command, [...args, dir], { encoding: "utf8", maxBuffer: 1 << 26 });
    const lines = (r.stdout ?? "").split("\n").filter((l) => l.length > 0);
    if (!lines.some((l) => l.startsWith("checked "))) throw new Error(`the planner check did not run: ${(r.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}`);
    return [...new Set(lines.filter((l) => !l.startsWith("checked ")).map((l) => inJobFile(l, scripts)))];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A runner message `<index>:<line>: … line L, column C …` with the job's file and the file's columns. */
function inJobFile(message: string, scripts: readonly PlannedScript[]): string {
  const m = /^(\d+):(\d+): (.*)$/.exec(message);
  const s = m ? scripts[Number(m[1])] : undefined;
  if (!m || !s) return message;
  const runtime = substitute(s.script, s.env, []).fills;
  const text = m[3].replace(/line (\d+), column (\d+)/g, (_whole, l: string, c: string) => {
    const line = Number(l);
    const inScript = templatePosition(runtime, line, Number(c));
    const inFile = inScript.inside ? inScript : templatePosition(s.fills, line, inScript.column);
    return `line ${line}, column ${inFile.column}${inFile.inside ? ` (in the value of \${${inFile.inside}})` : ""}`;
  });
  return `${s.file}:${m[2]}: ${text}`;
}

function escapeProperty(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/^\s/, "\\$&");
}

/**
 * A job as it would be deployed for an example tenant, placeholders filled. Lake jobs are planned with
 * Iceberg's JDBC catalog on a local SQLite file in place of Glue or Nessie, which a pull request cannot reach.
 */
export function sampleScripts(job: FlinkJobDefinition): { scripts: PlannedScript[]; unresolved: string[] } {
  const lake = job.metadata.lake ? planningLakePlaceholders() : {};
  // A masking job is planned with one hashed field; the list is a literal to the planner whatever it holds.
  const pii: Record<string, string> = job.metadata.piiMask ? { PII_FIELDS: piiFieldList({ entity_id: "hash" }) } : {};
  const { text, unresolved, fills } = substitute(job.sql, { ...jobPlaceholders(SAMPLE_TENANT, job, SAMPLE_BOOTSTRAP), ...lake, ...pii });
  return {
    scripts: [{ file: job.file, script: text, fills, env: SAMPLE_RUNTIME_ENV }],
    unresolved: unresolved.map((u) => `${job.file}:${u.line}: unresolved placeholder \${${u.name}}`),
  };
}

/**
 * Lake placeholders for planning: the deployed ones, with Iceberg's JDBC catalog on a local SQLite file as
 * the catalog. Iceberg's in-memory catalog would not do (each load of it is a new, empty one), nor its Hadoop
 * catalog (no namespace properties, so no tenant location).
 */
export function planningLakePlaceholders(): Record<string, string> {
  const dir = path.join(os.tmpdir(), "analytics-platform-validate-lake");
  fs.mkdirSync(dir, { recursive: true });
  return {
    ...lakePlaceholders(sampleLake().tenants[0], sampleLake(), tenantNaming.topic(SAMPLE_TENANT, "events")),
    LAKE_CATALOG_OPTIONS: `'type' = 'iceberg', 'catalog-impl' = 'org.apache.iceberg.jdbc.JdbcCatalog', 'uri' = 'jdbc:sqlite:${dir}/catalog.db', 'warehouse' = 'file://${dir}'`,
  };
}

function sampleLake(): LakeModel {
  return buildLake({ environment: "dev", cloud: "local", tenants: [{ name: SAMPLE_TENANT, peakEventsPerSecond: 1, retentionDays: 1, topics: [], lake: true }] });
}

export const SAMPLE_TENANT = CANONICAL_TENANT;
const SAMPLE_BOOTSTRAP = platformNaming.kafkaBootstrap("platform", platformNaming.kafkaNamespace, KAFKA_DEFAULTS.clientPort);
