import Ajv, { ErrorObject } from "ajv";
import ajvErrors from "ajv-errors";
import schema from "./schema.json";
import { KAFKA_DEFAULTS } from "../model/defaults";
import { transactionTimeoutProblem } from "../model/flink";
import { cidrProblem } from "../model/network";
import { StackConfig } from "./types";

export const CONFIG_NAMESPACE = "analytics-platform";

/** Raised when the stack config is invalid; carries every problem, each prefixed with its config path. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[], what = "stack config") {
    super(`invalid ${what} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
      problems.map((p) => `  - ${p}`).join("\n"));
    this.name = "ConfigError";
  }
}

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
ajvErrors(ajv);
const validateSchema = ajv.compile(schema);

/** `/tenants/1/retentionDays` -> `analytics-platform:tenants[1].retentionDays` */
export function configPath(segments: readonly (string | number)[]): string {
  let out = `${CONFIG_NAMESPACE}:`;
  segments.forEach((s, i) => {
    if (typeof s === "number" || /^\d+$/.test(s)) out += `[${s}]`;
    else out += i === 0 ? s : `.${s}`;
  });
  return out;
}

function segmentsOf(instancePath: string): string[] {
  return instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function describe(err: ErrorObject): string {
  const at = segmentsOf(err.instancePath);
  switch (err.keyword) {
    case "additionalProperties":
      return `${configPath([...at, err.params.additionalProperty])}: unknown key`;
    case "required":
      return `${configPath([...at, err.params.missingProperty])}: is required`;
    case "enum":
      return `${configPath(at)}: must be one of ${(err.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "uniqueItems":
      return `${configPath([...at, err.params.j])}: duplicates item ${err.params.i}`;
    default:
      return `${configPath(at)}: ${err.message}`;
  }
}

/** What exists in the repository that config entries may name. */
export interface KnownNames {
  /** Flink job -> the tenant topics (suffixes) it reads and writes, which the tenant then has. */
  readonly flinkJobs: Readonly<Record<string, readonly string[]>>;
  /** Druid spec -> the tenant topic (suffix) it ingests. */
  readonly druidSpecs: Readonly<Record<string, string>>;
}

/** Checks the schema cannot express: uniqueness across entries, names of things in the repository. */
function semanticProblems(config: StackConfig, known: KnownNames): string[] {
  const problems: string[] = [];
  const jobNames = Object.keys(known.flinkJobs);
  const specNames = Object.keys(known.druidSpecs);
  config.tenants.forEach((t, i) => {
    (t.jobs ?? []).forEach((job, j) => {
      if (!jobNames.includes(job)) {
        problems.push(`${configPath(["tenants", i, "jobs", j])}: unknown Flink job '${job}' in tenant '${t.name}' (known: ${jobNames.join(", ")})`);
      }
    });
    const topics = new Set([...t.topics, "dlq", ...(t.jobs ?? []).flatMap((job) => known.flinkJobs[job] ?? [])]);
    (t.datasources ?? []).forEach((ds, j) => {
      const topic = known.druidSpecs[ds];
      if (topic === undefined) {
        problems.push(`${configPath(["tenants", i, "datasources", j])}: unknown Druid spec '${ds}' in tenant '${t.name}' (known: ${specNames.join(", ")})`);
      } else if (!topics.has(topic)) {
        problems.push(`${configPath(["tenants", i, "datasources", j])}: '${ds}' ingests topic '${t.name}.${topic}', which tenant '${t.name}' neither lists nor gets from its jobs`);
      }
    });
  });
  if ((config.kafka?.tieredStorage?.enabled ?? KAFKA_DEFAULTS.tieredStorage.enabled) && !config.kafka?.image) {
    // Strimzi's own images have no tiered-storage plugin; a guessed image name would fail only at pull time.
    problems.push(`${configPath(["kafka", "image"])}: is required while tiered storage is on: a Kafka image with the Aiven plugin (kafka-image/Dockerfile)`);
  }
  if (config.cloud === "aws" && config.tenants.some((t) => (t.datasources ?? []).length > 0) && !config.aws?.network) {
    problems.push(`${configPath(["aws", "network"])}: is required when a tenant has datasources (Druid's metadata database runs in RDS)`);
  }
  if (config.tenants.some((t) => (t.jobs ?? []).length > 0 || t.lake === true)) {
    // The operator's webhook needs cert-manager; a silent default would fail on clusters without it.
    if (!config.flink?.webhook) problems.push(`${configPath(["flink", "webhook"])}: is required when a tenant runs jobs or uses the lake ('cert-manager' or 'disabled')`);
    if (!config.flink?.image) problems.push(`${configPath(["flink", "image"])}: is required when a tenant runs jobs or uses the lake (the SQL runner image)`);
    // Their HTTPS egress excludes the cluster's ranges; a guessed range (kind's is not k3d's) would leave other tenants' pods open.
    if (!config.clusterNetwork) problems.push(`${configPath(["clusterNetwork"])}: is required when a tenant runs jobs or uses the lake (the cluster's podCidrs and serviceCidrs)`);
    const interval = config.flink?.checkpointIntervalSeconds;
    const timeout = interval === undefined ? undefined : transactionTimeoutProblem(interval);
    if (timeout) problems.push(`${configPath(["flink", "checkpointIntervalSeconds"])}: ${timeout}`);
  }
  const net = config.clusterNetwork;
  if (net) {
    for (const key of ["podCidrs", "serviceCidrs", "httpsCidrs"] as const) {
      (net[key] ?? []).forEach((cidr, i) => {
        const problem = cidrProblem(cidr);
        if (problem) problems.push(`${configPath(["clusterNetwork", key, i])}: ${problem}`);
      });
    }
  }
  const seen = new Map<string, number>();
  config.tenants.forEach((t, i) => {
    const first = seen.get(t.name);
    if (first !== undefined) {
      problems.push(`${configPath(["tenants", i, "name"])}: duplicate tenant name '${t.name}' (also tenants[${first}])`);
    } else {
      seen.set(t.name, i);
    }
  });
  if (config.deployment === "tenants" && !config.platformStack) {
    problems.push(`${configPath(["platformStack"])}: is required with deployment: tenants (the platform stack to read)`);
  }
  if (config.platformStack && config.deployment !== "tenants") {
    problems.push(`${configPath(["platformStack"])}: only applies with deployment: tenants`);
  }
  if (config.environment === "prod" && config.kafka?.brokers !== undefined && config.kafka.brokers < 3) {
    problems.push(`${configPath(["kafka", "brokers"])}: must be >= 3 in prod (replication factor 3)`);
  }
  const alerting = config.observability?.alerting;
  if (config.environment === "prod" && (config.observability?.enabled ?? true) && config.deployment !== "tenants" && !alerting?.chatWebhookUrl) {
    // Without a receiver, kube-prometheus-stack sends every alert to its `null` receiver: nobody is told.
    problems.push(`${configPath(["observability", "alerting", "chatWebhookUrl"])}: is required in prod (the on-call chat's webhook; pulumi config set --secret --path 'observability.alerting.chatWebhookUrl' URL)`);
  }
  if (alerting?.chatChannel && !alerting.chatWebhookUrl) {
    problems.push(`${configPath(["observability", "alerting", "chatChannel"])}: only applies with chatWebhookUrl`);
  }
  if (config.environment === "prod" && config.kafka?.controllers === 1) {
    problems.push(`${configPath(["kafka", "controllers"])}: must be 3 or 5 in prod (a single controller is not HA)`);
  }
  return problems;
}

export type ValidationResult =
  | { readonly ok: true; readonly config: StackConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Validates raw config (short keys, parsed values) against schema.json plus cross-entry rules. Pure. */
export function validateConfig(raw: unknown, known: KnownNames): ValidationResult {
  if (!validateSchema(raw)) {
    const problems = [...new Set((validateSchema.errors ?? []).filter((e) => e.keyword !== "if").map(describe))];
    return { ok: false, problems };
  }
  const config = raw as unknown as StackConfig;
  const problems = semanticProblems(config, known);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/** Like validateConfig, but throws ConfigError listing every problem. */
export function parseConfig(raw: unknown, known: KnownNames): StackConfig {
  const result = validateConfig(raw, known);
  if (!result.ok) throw new ConfigError(result.problems);
  return result.config;
}
