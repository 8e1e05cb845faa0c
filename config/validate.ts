import Ajv, { ErrorObject } from "ajv";
import ajvErrors from "ajv-errors";
import schema from "./schema.json";
import { EVENT_FIELDS } from "../model/contracts";
import { KAFKA_DEFAULTS } from "../model/defaults";
import { tenantRunsJobs, transactionTimeoutProblem } from "../model/flink";
import { cidrProblem } from "../model/network";
import { retentionOverrideProblems } from "../model/retention";
import { partitionLimitProblem, partitionLimitsOf } from "../model/sizing";
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
  /** Tenant -> topic (suffix) with a schema in schemas/<tenant>/ -> the schema's top-level field names. */
  readonly schemas?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  /** Topic (suffix) -> the Flink job that masks the PII a tenant declares on it (flink-jobs metadata `piiMask`). */
  readonly piiMasks?: Readonly<Record<string, string>>;
}

/** What the engine's other namespaces say, which our config must agree with. */
export interface ProviderSettings {
  /** `aws:region`: where the AWS provider creates resources. Required with cloud: aws, so no shell's AWS_REGION decides. */
  readonly awsRegion?: string;
}

/** A check the schema cannot express: cross-field, cross-entry, or against the repository. */
type Rule = (config: StackConfig, known: KnownNames, provider: ProviderSettings) => string[];

const tenantJobsKnown: Rule = (config, known) => {
  const jobNames = Object.keys(known.flinkJobs);
  const masks = Object.entries(known.piiMasks ?? {});
  return config.tenants.flatMap((t, i) => (t.jobs ?? []).flatMap((job, j) => {
    if (!jobNames.includes(job)) return [`${configPath(["tenants", i, "jobs", j])}: unknown Flink job '${job}' in tenant '${t.name}' (known: ${jobNames.join(", ")})`];
    // Listed without PII to mask, it would start with nothing to do and fail (sql-runner PiiMask.fields).
    const masked = masks.find(([, name]) => name === job)?.[0];
    return masked !== undefined && Object.keys(t.contracts?.[masked]?.pii ?? {}).length === 0
      ? [`${configPath(["tenants", i, "jobs", j])}: '${job}' masks the PII a tenant declares on '${masked}' and runs once it does (contracts.${masked}.pii); it is not listed`]
      : [];
  }));
};

const tenantDatasourcesKnown: Rule = (config, known) => {
  const specNames = Object.keys(known.druidSpecs);
  return config.tenants.flatMap((t, i) => {
    const topics = new Set([...t.topics, "dlq", ...(t.jobs ?? []).flatMap((job) => known.flinkJobs[job] ?? [])]);
    return (t.datasources ?? []).flatMap((ds, j) => {
      const topic = known.druidSpecs[ds];
      if (topic === undefined) return [`${configPath(["tenants", i, "datasources", j])}: unknown Druid spec '${ds}' in tenant '${t.name}' (known: ${specNames.join(", ")})`];
      if (!topics.has(topic)) return [`${configPath(["tenants", i, "datasources", j])}: '${ds}' ingests topic '${t.name}.${topic}', which tenant '${t.name}' neither lists nor gets from its jobs`];
      return [];
    });
  });
};

/** A stack that deploys tenants must name one; a platform stack may start with none, which says so explicitly. */
const tenantsPresent: Rule = (config) =>
  config.tenants.length === 0 && config.deployment !== "platform"
    ? [`${configPath(["tenants"])}: is empty: list at least one tenant, or set deployment: platform to deploy the shared layers alone`]
    : [];

const tenantPeakServable: Rule = (config) => {
  const sizing = partitionLimitsOf(config.kafka);
  return config.tenants.flatMap((t, i) => {
    const problem = partitionLimitProblem(t.peakEventsPerSecond, sizing);
    return problem ? [`${configPath(["tenants", i, "peakEventsPerSecond"])}: tenant '${t.name}' ${problem}`] : [];
  });
};

const retentionOverridesShorten: Rule = (config) =>
  config.tenants.flatMap((t, i) => retentionOverrideProblems(t).map((p) => `${configPath(["tenants", i, "retention", p.layer])}: ${p.message}`));

/**
 * A schema must be of one of its tenant's topics, and a contract must have a schema to govern. PII alone may be
 * declared on a topic without a schema when a masking job serves it, on the fields of the platform's events.
 */
const contractsHaveSchemas: Rule = (config, known) =>
  config.tenants.flatMap((t, i) => {
    const topics = new Set([...t.topics, "dlq", ...(t.jobs ?? []).flatMap((job) => known.flinkJobs[job] ?? [])]);
    const schemas = known.schemas?.[t.name] ?? {};
    return [
      ...Object.keys(schemas).filter((topic) => !topics.has(topic)).map((topic) =>
        `schemas/${t.name}/${topic}.avsc: '${topic}' is not a topic of tenant '${t.name}' (${configPath(["tenants", i, "topics"])}: ${t.topics.join(", ")})`),
      ...Object.entries(t.contracts ?? {}).flatMap(([topic, contract]) => {
        const at = (...rest: (string | number)[]) => configPath(["tenants", i, "contracts", topic, ...rest]);
        const fields = schemas[topic];
        const pii = Object.keys(contract.pii ?? {});
        if (fields === undefined) {
          if (pii.length === 0 || contract.compatibility !== undefined) return [`${at(...(pii.length > 0 ? ["compatibility"] : []))}: no schema to govern: add schemas/${t.name}/${topic}.avsc`];
          if (!t.topics.includes(topic)) return [`${at()}: '${topic}' is not a topic of tenant '${t.name}' (${configPath(["tenants", i, "topics"])}: ${t.topics.join(", ")})`];
          if (known.piiMasks?.[topic] === undefined) return [`${at("pii")}: no schema names the fields of '${topic}': add schemas/${t.name}/${topic}.avsc`];
          return pii.filter((f) => !EVENT_FIELDS.includes(f)).map((f) => `${at("pii", f)}: not a field of the platform's events (${EVENT_FIELDS.join(", ")})`);
        }
        // A PII field the schema lacks would be masked nowhere: a typo must not pass silently.
        return pii.filter((f) => !fields.includes(f)).map((f) => `${at("pii", f)}: not a field of schemas/${t.name}/${topic}.avsc (its fields: ${fields.join(", ")})`);
      }),
    ];
  });

const tenantNamesUnique: Rule = (config) => {
  const seen = new Map<string, number>();
  return config.tenants.flatMap((t, i) => {
    const first = seen.get(t.name);
    if (first !== undefined) return [`${configPath(["tenants", i, "name"])}: duplicate tenant name '${t.name}' (also tenants[${first}])`];
    seen.set(t.name, i);
    return [];
  });
};

const kafkaImageForTieredStorage: Rule = (config) =>
  // Strimzi's own images have no tiered-storage plugin; a guessed image name would fail only at pull time.
  (config.kafka?.tieredStorage?.enabled ?? KAFKA_DEFAULTS.tieredStorage.enabled) && !config.kafka?.image
    ? [`${configPath(["kafka", "image"])}: is required while tiered storage is on: a Kafka image with the Aiven plugin (kafka-image/Dockerfile)`]
    : [];

const awsNetworkForDruid: Rule = (config) =>
  config.cloud === "aws" && config.tenants.some((t) => (t.datasources ?? []).length > 0) && !config.aws?.network
    ? [`${configPath(["aws", "network"])}: is required when a tenant has datasources (Druid's metadata database runs in RDS)`]
    : [];

/** The provider creates buckets and keys where `aws:region` says; Trino, Druid and Kafka look where `aws.region` says. */
const awsRegionsAgree: Rule = (config, _known, provider) => {
  const region = config.aws?.region;
  const actual = provider.awsRegion;
  if (config.cloud !== "aws" || region === undefined) return [];
  if (actual === undefined) return [`aws:region: is required with cloud: aws (${region}, as ${configPath(["aws", "region"])}; the provider would otherwise take the shell's AWS_REGION)`];
  return actual === region ? [] : [`aws:region: is ${actual} but ${configPath(["aws", "region"])} is ${region}: resources would be created in one region and looked for in the other`];
};

const flinkSettingsForJobs: Rule = (config, known) => {
  if (!config.tenants.some((t) => tenantRunsJobs(t, known.piiMasks ?? {}))) return [];
  const problems: string[] = [];
  // The operator's webhook needs cert-manager; a silent default would fail on clusters without it.
  if (!config.flink?.webhook) problems.push(`${configPath(["flink", "webhook"])}: is required when a tenant runs jobs, uses the lake or masks PII ('cert-manager' or 'disabled')`);
  if (!config.flink?.image) problems.push(`${configPath(["flink", "image"])}: is required when a tenant runs jobs, uses the lake or masks PII (the SQL runner image)`);
  // Their HTTPS egress excludes the cluster's ranges; a guessed range (kind's is not k3d's) would leave other tenants' pods open.
  if (!config.clusterNetwork) problems.push(`${configPath(["clusterNetwork"])}: is required when a tenant runs jobs, uses the lake or masks PII (the cluster's podCidrs and serviceCidrs)`);
  const interval = config.flink?.checkpointIntervalSeconds;
  const timeout = interval === undefined ? undefined : transactionTimeoutProblem(interval);
  if (timeout) problems.push(`${configPath(["flink", "checkpointIntervalSeconds"])}: ${timeout}`);
  return problems;
};

const clusterNetworkRanges: Rule = (config) => {
  const net = config.clusterNetwork;
  if (!net) return [];
  return (["podCidrs", "serviceCidrs", "httpsCidrs"] as const).flatMap((key) => (net[key] ?? []).flatMap((cidr, i) => {
    const problem = cidrProblem(cidr);
    return problem ? [`${configPath(["clusterNetwork", key, i])}: ${problem}`] : [];
  }));
};

const platformStackForTenants: Rule = (config) => [
  ...(config.deployment === "tenants" && !config.platformStack ? [`${configPath(["platformStack"])}: is required with deployment: tenants (the platform stack to read)`] : []),
  ...(config.platformStack && config.deployment !== "tenants" ? [`${configPath(["platformStack"])}: only applies with deployment: tenants`] : []),
];

const prodHighlyAvailable: Rule = (config) => [
  ...(config.environment === "prod" && config.kafka?.brokers !== undefined && config.kafka.brokers < 3 ? [`${configPath(["kafka", "brokers"])}: must be >= 3 in prod (replication factor 3)`] : []),
  ...(config.environment === "prod" && config.kafka?.controllers === 1 ? [`${configPath(["kafka", "controllers"])}: must be 3 or 5 in prod (a single controller is not HA)`] : []),
];

const alertsReachSomeone: Rule = (config) => {
  const alerting = config.observability?.alerting;
  const problems: string[] = [];
  if (config.environment === "prod" && (config.observability?.enabled ?? true) && config.deployment !== "tenants" && !alerting?.chatWebhookUrl) {
    // Without a receiver, kube-prometheus-stack sends every alert to its `null` receiver: nobody is told.
    problems.push(`${configPath(["observability", "alerting", "chatWebhookUrl"])}: is required in prod (the on-call chat's webhook; pulumi config set --secret --path 'observability.alerting.chatWebhookUrl' URL)`);
  }
  if (alerting?.chatChannel && !alerting.chatWebhookUrl) {
    problems.push(`${configPath(["observability", "alerting", "chatChannel"])}: only applies with chatWebhookUrl`);
  }
  return problems;
};

const RULES: readonly Rule[] = [
  tenantsPresent, tenantJobsKnown, tenantDatasourcesKnown, tenantPeakServable, retentionOverridesShorten, contractsHaveSchemas, tenantNamesUnique, kafkaImageForTieredStorage,
  awsNetworkForDruid, awsRegionsAgree, flinkSettingsForJobs, clusterNetworkRanges, platformStackForTenants, prodHighlyAvailable, alertsReachSomeone,
];

/**
 * Every rule's problems. On config the schema refused, a rule that trips over a malformed part (a TypeError)
 * is skipped: the schema's own message already names that part, and the other rules still report theirs.
 */
function ruleProblems(config: StackConfig, known: KnownNames, provider: ProviderSettings, schemaValid: boolean): string[] {
  return RULES.flatMap((rule) => {
    try {
      return rule(config, known, provider);
    } catch (e) {
      if (schemaValid || !(e instanceof TypeError)) throw e;
      return [];
    }
  });
}

export type ValidationResult =
  | { readonly ok: true; readonly config: StackConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Validates raw config (short keys, parsed values) against schema.json plus every rule, all problems at once. Pure. */
export function validateConfig(raw: unknown, known: KnownNames, provider: ProviderSettings): ValidationResult {
  const schemaValid = validateSchema(raw);
  const schemaProblems = schemaValid ? [] : (validateSchema.errors ?? []).filter((e) => e.keyword !== "if").map(describe);
  const config = raw as StackConfig;
  const rules = typeof raw === "object" && raw !== null ? ruleProblems(config, known, provider, schemaValid) : [];
  const problems = [...new Set([...schemaProblems, ...rules])];
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/** Like validateConfig, but throws ConfigError listing every problem. */
export function parseConfig(raw: unknown, known: KnownNames, provider: ProviderSettings): StackConfig {
  const result = validateConfig(raw, known, provider);
  if (!result.ok) throw new ConfigError(result.problems);
  return result.config;
}
