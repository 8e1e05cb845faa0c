import { StackConfig, TenantConfig } from "../config/types";
import { FlinkJobDefinition, JobCatalog } from "../jobs/catalog";
import { substitute } from "../jobs/placeholders";
import { ENVIRONMENT_DEFAULTS, FLINK_DEFAULTS, FlinkEnvironmentDefaults, LAKE_DEFAULTS } from "./defaults";
import { LakeModel, snapshotMaxAgeMs } from "./lake";
import { tenantNaming } from "./naming";
import { flinkParallelismFor } from "./sizing";

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
}

/** One tenant's instance of one job. */
export interface FlinkJobModel {
  readonly job: string;
  /** Source file, for messages. */
  readonly file: string;
  /** The script with deploy-time placeholders filled; runtime ones (credentials) are left for the runner. */
  readonly script: string;
  readonly unresolved: readonly { readonly name: string; readonly line: number }[];
  /**
   * The same job filled for a canonical tenant. Every value that differs between tenants comes from a
   * validated DNS-label name and lands in a string literal or an identifier, so it cannot change how the
   * statement parses: the grammar check parses this once per job instead of once per tenant.
   */
  readonly grammarScript: string;
  readonly parallelism: number;
  readonly serviceAccount: string;
  readonly configMap: string;
  readonly statePrefix: string;
  readonly config: Readonly<Record<string, string>>;
  /** Writes the tenant's lake tables (gets the lake's location and permissions). */
  readonly lake: boolean;
}

export function buildFlink(config: StackConfig): FlinkModel {
  const env = ENVIRONMENT_DEFAULTS[config.environment].flink;
  const f = config.flink ?? {};
  return {
    enabled: config.tenants.some((t) => (t.jobs ?? []).length > 0 || t.lake === true),
    webhook: f.webhook ?? "cert-manager",
    image: f.image ?? "",
    flinkVersion: f.flinkVersion ?? FLINK_DEFAULTS.flinkVersion,
    maxParallelism: f.maxParallelism ?? FLINK_DEFAULTS.maxParallelism,
    checkpointIntervalSeconds: f.checkpointIntervalSeconds ?? FLINK_DEFAULTS.checkpointIntervalSeconds,
    savepointIntervalHours: f.savepointIntervalHours ?? FLINK_DEFAULTS.savepointIntervalHours,
    ...env,
  };
}

/** The Kafka connection options of a table, on one line so substitution keeps line numbers. */
export function kafkaConnectionOptions(bootstrapServers: string): string {
  return [
    `'properties.bootstrap.servers' = '${bootstrapServers}'`,
    `'properties.security.protocol' = 'SASL_SSL'`,
    `'properties.sasl.mechanism' = 'SCRAM-SHA-512'`,
    `'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="\${KAFKA_USERNAME}" password="\${KAFKA_PASSWORD}";'`,
    `'properties.ssl.truststore.type' = 'PEM'`,
    `'properties.ssl.truststore.location' = '${FLINK_DEFAULTS.caDir}/ca.crt'`,
  ].join(", ");
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
    ].join(", "),
    CONSUMER_GROUP: tenantNaming.flinkConsumerGroup(tenant, job.name),
    TRANSACTIONAL_ID_PREFIX: tenantNaming.flinkTransactionalIdPrefix(tenant, job.name),
  };
}

/** The jobs a tenant runs: those it lists, and the lake jobs when it uses the lake. */
export function tenantJobNames(t: TenantConfig, catalog: JobCatalog): string[] {
  const lakeJobs = t.lake ? [...catalog.flinkJobs.values()].filter((j) => j.metadata.lake).map((j) => j.name) : [];
  return [...new Set([...(t.jobs ?? []), ...lakeJobs])];
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
  return tenantJobNames(t, catalog).map((name) => {
    const job = catalog.flinkJobs.get(name)!;
    const fill = (tenant: string) => substitute(job.sql, { ...jobPlaceholders(tenant, job, bootstrapServers), ...(t.lake ? lakePlaceholders(tenant, lake) : {}) });
    const { text, unresolved } = fill(t.name);
    return {
      job: name,
      file: job.file,
      script: text,
      unresolved,
      grammarScript: fill(CANONICAL_TENANT).text,
      parallelism: flinkParallelismFor(partitionsOf(job.metadata.inputs[0]), Math.min(flink.maxParallelism, job.metadata.maxParallelism ?? Infinity)),
      serviceAccount: tenantNaming.flinkServiceAccount(),
      configMap: tenantNaming.flinkScriptConfigMap(name),
      statePrefix: tenantNaming.flinkStatePrefix(t.name, name),
      config: job.metadata.config ?? {},
      lake: job.metadata.lake === true,
    };
  });
}

/** The tenant name the grammar check fills jobs for. */
export const CANONICAL_TENANT = "tenant";

/** Iceberg catalog options of the Flink `lake` catalog, on one line. */
export function lakeCatalogOptions(lake: LakeModel): string {
  const common = [`'type' = 'iceberg'`, `'io-impl' = 'org.apache.iceberg.aws.s3.S3FileIO'`];
  const options = lake.catalog === "glue"
    ? [...common, `'catalog-impl' = 'org.apache.iceberg.aws.glue.GlueCatalog'`, `'warehouse' = '\${LAKE_LOCATION}'`]
    : [...common, `'catalog-type' = 'rest'`, `'uri' = '${lake.restCatalogUri}'`, `'warehouse' = '${LAKE_DEFAULTS.warehouse}'`, `'s3.path-style-access' = 'true'`, `'client.region' = 'us-east-1'`];
  return options.join(", ");
}

/** Placeholders of lake jobs (documented in the README). */
export function lakePlaceholders(tenant: string, lake: LakeModel): Record<string, string> {
  return {
    LAKE_CATALOG_OPTIONS: lakeCatalogOptions(lake),
    LAKE_SCHEMA: tenantNaming.lakeSchema(tenant),
    LAKE_SNAPSHOT_MAX_AGE_MS: String(snapshotMaxAgeMs(lake)),
  };
}
