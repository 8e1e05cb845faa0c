import { StackConfig, TenantConfig } from "../config/types";
import { FlinkJobDefinition, JobCatalog } from "../jobs/catalog";
import { Fill, substitute } from "../jobs/placeholders";
import { DATA_CONTRACTS, maskingJob, piiFieldList, piiTopics, servedTopic } from "./contracts";
import { ENVIRONMENT_DEFAULTS, FLINK_DEFAULTS, FlinkEnvironmentDefaults, KAFKA_DEFAULTS, LAKE_DEFAULTS } from "./defaults";
import { LakeModel, LakeTenantModel, snapshotMaxAgeMs } from "./lake";
import { httpsEgressPeers, IpBlockPeer } from "./network";
import { tenantNaming } from "./naming";
import { flinkAutoscalerQuota, flinkParallelismFor } from "./sizing";

/** Platform-wide Flink settings, resolved. */
export interface FlinkModel extends FlinkEnvironmentDefaults {
  /** True when any tenant runs a job: only then are the operator and its dependencies installed. */
  readonly enabled: boolean;
  readonly webhook: "cert-manager" | "disabled";
  readonly image: string;
  readonly flinkVersion: string;
  readonly maxParallelism: number;
  readonly checkpointIntervalSeconds: number;
  readonly savepointIntervalHours: number;
  /** Where the jobs may open HTTPS: the Kubernetes API and object storage, not the cluster's pods (httpsEgressPeers). */
  readonly httpsEgress: readonly IpBlockPeer[];
}

/** One tenant's instance of one job. */
export interface FlinkJobModel {
  readonly job: string;
  /** Source file, for messages. */
  readonly file: string;
  /** The script with deploy-time placeholders filled; runtime ones (credentials) are left for the runner. */
  readonly script: string;
  /** Where each deploy-time value sits in `script`: the planner's positions map back to the file through it. */
  readonly fills: readonly Fill[];
  readonly unresolved: readonly { readonly name: string; readonly line: number }[];
  readonly parallelism: number;
  /** With the autoscaler: how far its TaskManagers may grow (flinkAutoscalerQuota). */
  readonly autoscalerQuota?: { readonly cpu: number; readonly memoryMi: number };
  readonly serviceAccount: string;
  readonly configMap: string;
  readonly statePrefix: string;
  readonly config: Readonly<Record<string, string>>;
  /** Writes the tenant's lake tables (gets the lake's location and permissions). */
  readonly lake: boolean;
  /** Masks with PII_HASH or PII_MASK_JSON, for a tenant that declares PII: gets the tenant's salt, and only such a job does. */
  readonly salted: boolean;
}

/**
 * A tenant runs Flink jobs: those it lists, the lake's, or the masking job of a topic it declares PII on.
 * `piiMasks`: topic → its masking job (jobs/catalog.ts piiMaskJobs).
 */
export function tenantRunsJobs(t: TenantConfig, piiMasks: Readonly<Record<string, string>>): boolean {
  return (t.jobs ?? []).length > 0 || t.lake === true || [...piiTopics(t)].some((topic) => piiMasks[topic] !== undefined);
}

export function buildFlink(config: StackConfig, piiMasks: Readonly<Record<string, string>>): FlinkModel {
  const env = ENVIRONMENT_DEFAULTS[config.environment].flink;
  const f = config.flink ?? {};
  return {
    enabled: config.tenants.some((t) => tenantRunsJobs(t, piiMasks)),
    // Validation requires the cluster's ranges whenever a job runs.
    httpsEgress: config.clusterNetwork ? httpsEgressPeers(config.clusterNetwork) : [],
    webhook: f.webhook ?? "cert-manager",
    image: f.image ?? "",
    flinkVersion: f.flinkVersion ?? FLINK_DEFAULTS.flinkVersion,
    maxParallelism: f.maxParallelism ?? FLINK_DEFAULTS.maxParallelism,
    checkpointIntervalSeconds: f.checkpointIntervalSeconds ?? FLINK_DEFAULTS.checkpointIntervalSeconds,
    savepointIntervalHours: f.savepointIntervalHours ?? FLINK_DEFAULTS.savepointIntervalHours,
    ...env,
  };
}

/**
 * The SCRAM login module as the runner image has it: the Kafka SQL jar relocates kafka-clients under
 * `org.apache.flink.kafka.shaded` (flink-sql-connector-kafka/pom.xml) and rewrites no JAAS line, so the
 * unshaded name fails with "No LoginModule found".
 */
export const SHADED_SCRAM_LOGIN_MODULE = "org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule";

/** The Kafka connection options of a table, on one line so substitution keeps line numbers. */
export function kafkaConnectionOptions(bootstrapServers: string): string {
  return [
    `'properties.bootstrap.servers' = '${bootstrapServers}'`,
    `'properties.security.protocol' = 'SASL_SSL'`,
    `'properties.sasl.mechanism' = 'SCRAM-SHA-512'`,
    `'properties.sasl.jaas.config' = '${SHADED_SCRAM_LOGIN_MODULE} required username="\${KAFKA_USERNAME}" password="\${KAFKA_PASSWORD}";'`,
    `'properties.ssl.truststore.type' = 'PEM'`,
    `'properties.ssl.truststore.location' = '${FLINK_DEFAULTS.caDir}/ca.crt'`,
  ].join(", ");
}

/**
 * `transaction.timeout.ms` of the jobs' exactly-once Kafka sinks. Flink's KafkaSinkBuilder asks for 1 h, and
 * the broker refuses InitProducerId above its `transaction.max.timeout.ms` ("The transaction timeout is
 * larger than the maximum value allowed by the broker"): the sinks ask for exactly the brokers' maximum.
 */
export function sinkTransactionTimeoutMs(): number {
  return KAFKA_DEFAULTS.transactionMaxTimeoutMs;
}

/**
 * A transaction stays open from one checkpoint to the next and through a restart; if the broker aborts it
 * first (at the timeout), Flink's commit after recovery fails and the output is lost. Returns the problem.
 */
export function transactionTimeoutProblem(checkpointIntervalSeconds: number): string | undefined {
  const needed = (checkpointIntervalSeconds + FLINK_DEFAULTS.maxRestartBackoffSeconds) * 1000;
  return needed < sinkTransactionTimeoutMs()
    ? undefined
    : `must stay below ${(sinkTransactionTimeoutMs() / 1000 - FLINK_DEFAULTS.maxRestartBackoffSeconds)} s: a checkpoint interval plus the ${FLINK_DEFAULTS.maxRestartBackoffSeconds} s restart backoff must fit in the brokers' transaction.max.timeout.ms (${sinkTransactionTimeoutMs() / 1000} s)`;
}

/**
 * JSON table options of the whole pipeline: one timestamp format, ISO-8601 in UTC with a `Z` (Flink's JSON
 * format writes `yyyy-MM-dd HH:mm:ss` unless told, which the Druid specs' `iso` refuses). `prefix` is
 * `value.` for upsert-kafka.
 */
export function jsonFormatOptions(prefix = ""): string {
  return `'${prefix}format' = 'json', '${prefix}json.timestamp-format.standard' = 'ISO-8601'`;
}

/**
 * The tenant's raw events: a record that is not JSON is skipped and a field that does not parse is NULL, so
 * bad events never stop a job (each job filters them; dlq-router routes them). The JsonNode decoder, because
 * the default streaming decoder turns truncated JSON into a NULL row that fails the source (flink-json
 * JsonParserRowDataDeserializationSchema).
 */
export function eventsFormatOptions(): string {
  return `${jsonFormatOptions()}, 'json.ignore-parse-errors' = 'true', 'json.decode.json-parser.enabled' = 'false'`;
}

/** Deploy-time placeholder values for one tenant and job (documented in the README). */
export function jobPlaceholders(tenant: string, job: FlinkJobDefinition, bootstrapServers: string): Record<string, string> {
  return {
    ...job.metadata.parameters,
    TENANT: tenant,
    TOPIC_PREFIX: tenantNaming.kafkaPrefix(tenant),
    KAFKA_BOOTSTRAP_SERVERS: bootstrapServers,
    KAFKA_CONNECTION: kafkaConnectionOptions(bootstrapServers),
    KAFKA_SOURCE: [
      `'connector' = 'kafka'`,
      kafkaConnectionOptions(bootstrapServers),
      `'properties.group.id' = '${tenantNaming.flinkConsumerGroup(tenant, job.name)}'`,
      // Read only committed (exactly-once) output of upstream jobs; resume from the group's offsets.
      `'properties.isolation.level' = 'read_committed'`,
      `'scan.startup.mode' = 'group-offsets'`,
      `'properties.auto.offset.reset' = 'earliest'`,
    ].join(", "),
    KAFKA_EXACTLY_ONCE_SINK: [
      `'connector' = 'kafka'`,
      kafkaConnectionOptions(bootstrapServers),
      `'sink.delivery-guarantee' = 'exactly-once'`,
      `'sink.transactional-id-prefix' = '${tenantNaming.flinkTransactionalIdPrefix(tenant, job.name)}'`,
      `'properties.transaction.timeout.ms' = '${sinkTransactionTimeoutMs()}'`,
    ].join(", "),
    JSON_FORMAT: jsonFormatOptions(),
    JSON_VALUE_FORMAT: jsonFormatOptions("value."),
    EVENTS_FORMAT: eventsFormatOptions(),
    CONSUMER_GROUP: tenantNaming.flinkConsumerGroup(tenant, job.name),
    TRANSACTIONAL_ID_PREFIX: tenantNaming.flinkTransactionalIdPrefix(tenant, job.name),
  };
}

/**
 * The jobs a tenant runs: those it lists, the lake jobs when it uses the lake, the masking job of each topic
 * whose contract declares PII, and the dead-letter routers of the topics those jobs read — the jobs skip bad
 * records, the router is where they go.
 */
export function tenantJobNames(t: TenantConfig, catalog: JobCatalog): string[] {
  const jobs = [...catalog.flinkJobs.values()];
  const chosen = [...(t.jobs ?? []), ...(t.lake ? jobs.filter((j) => j.metadata.lake).map((j) => j.name) : [])];
  const masks = [...piiTopics(t)].flatMap((topic) => maskingJob(t, catalog, topic)?.name ?? []);
  const read = new Set([...chosen, ...masks].flatMap((name) => catalog.flinkJobs.get(name)?.metadata.inputs ?? []));
  const routers = jobs.filter((j) => j.metadata.deadLetterRouter && j.metadata.inputs.some((i) => read.has(i))).map((j) => j.name);
  return [...new Set([...chosen, ...masks, ...routers])];
}

/** Topics a tenant's jobs read or write, beyond those it lists: created for it. */
export function jobTopics(t: TenantConfig, catalog: JobCatalog): { readonly plain: string[]; readonly compacted: string[] } {
  const plain = new Set<string>();
  const compacted = new Set<string>();
  for (const name of tenantJobNames(t, catalog)) {
    const meta = catalog.flinkJobs.get(name)!.metadata;
    for (const topic of [...meta.inputs, ...(meta.outputs ?? [])]) plain.add(topic);
    for (const topic of meta.compactedInputs ?? []) compacted.add(topic);
  }
  plain.delete("dlq");
  return { plain: [...plain], compacted: [...compacted] };
}

export function buildTenantJobs(
  t: TenantConfig,
  catalog: JobCatalog,
  flink: FlinkModel,
  bootstrapServers: string,
  partitionsOf: (topic: string) => number,
  lake: LakeModel,
): FlinkJobModel[] {
  const hasPii = piiTopics(t).size > 0;
  return tenantJobNames(t, catalog).map((name) => {
    const job = catalog.flinkJobs.get(name)!;
    const pii: Record<string, string> = job.metadata.piiMask ? { PII_FIELDS: piiFieldList(t.contracts?.[job.metadata.inputs[0]]?.pii ?? {}) } : {};
    const { text, unresolved, fills } = substitute(job.sql, { ...jobPlaceholders(t.name, job, bootstrapServers), ...(t.lake ? lakePlaceholders(lake.tenants.find((x) => x.tenant === t.name)!, lake, tenantNaming.topic(t.name, servedTopic(t, catalog, job.metadata.inputs[0]))) : {}), ...pii });
    const parallelism = flinkParallelismFor(partitionsOf(job.metadata.inputs[0]), Math.min(flink.maxParallelism, job.metadata.maxParallelism ?? Infinity));
    return {
      job: name,
      file: job.file,
      script: text,
      fills,
      unresolved,
      parallelism,
      autoscalerQuota: flink.autoscaler
        ? flinkAutoscalerQuota(parallelism, FLINK_DEFAULTS.taskSlots, flink.jobManagerReplicas, flink.jobManager, flink.taskManager)
        : undefined,
      serviceAccount: tenantNaming.flinkServiceAccount(),
      configMap: tenantNaming.flinkScriptConfigMap(name),
      statePrefix: tenantNaming.flinkStatePrefix(t.name, name),
      config: job.metadata.config ?? {},
      lake: job.metadata.lake === true,
      salted: hasPii && new RegExp(`\\b(${DATA_CONTRACTS.hashFunction}|${DATA_CONTRACTS.maskFunction})\\s*\\(`, "i").test(text),
    };
  });
}

/** The tenant name `npm run validate` fills a job file for when it plans it on its own. */
export const CANONICAL_TENANT = "example";

/** Iceberg catalog options of the Flink `lake` catalog, on one line. */
export function lakeCatalogOptions(lake: LakeModel): string {
  const common = [`'type' = 'iceberg'`, `'io-impl' = 'org.apache.iceberg.aws.s3.S3FileIO'`];
  const options = lake.catalog === "glue"
    ? [...common, `'catalog-impl' = 'org.apache.iceberg.aws.glue.GlueCatalog'`, `'warehouse' = '\${LAKE_LOCATION}'`]
    : [...common, `'catalog-type' = 'rest'`, `'uri' = '${lake.restCatalogUri}'`, `'warehouse' = '${LAKE_DEFAULTS.warehouse}'`, `'s3.path-style-access' = 'true'`, `'client.region' = 'us-east-1'`];
  return options.join(", ");
}

/**
 * Placeholders of lake jobs (documented in the README). `sourceTopic`: the topic the job reads, as served —
 * its masked copy when the tenant declares PII on it, so the lake never gets the raw values.
 */
export function lakePlaceholders(tenant: LakeTenantModel, lake: LakeModel, sourceTopic: string): Record<string, string> {
  return {
    LAKE_SOURCE_TOPIC: sourceTopic,
    LAKE_CATALOG_OPTIONS: lakeCatalogOptions(lake),
    LAKE_SCHEMA: tenant.schema,
    LAKE_SNAPSHOT_MAX_AGE_MS: String(snapshotMaxAgeMs(tenant)),
  };
}
