import { AwsConfig, Cloud, Environment, StackConfig, TenantConfig } from "../config/types";
import { JobCatalog, piiMaskJobs } from "../jobs/catalog";
import { buildDruid, buildTenantIngestions, druidEnabled, DruidIngestionModel, DruidIngestionSettings, DruidModel, druidIngestionSettings } from "./druid";
import { DataContracts, SubjectModel, tenantDataContracts, tenantSubjects } from "./contracts";
import { buildFlink, buildTenantJobs, FlinkJobModel, FlinkModel, jobTopics } from "./flink";
import { buildLake, LakeModel, LakeTenantModel } from "./lake";
import { buildObservability, ObservabilityModel, pushgatewayUrl } from "./observability";
import { buildSchemaRegistry, SchemaRegistryModel } from "./schema-registry";
import { CHART_DEFAULTS, ChartName, ENVIRONMENT_DEFAULTS, FLINK_DEFAULTS, KAFKA_DEFAULTS, ResolvedChart } from "./defaults";
import { platformNaming, tenantNaming } from "./naming";
import { TenantRetention, tenantRetention } from "./retention";
import {
  ClientQuotas,
  dlqPartitionsFor,
  flinkDeploymentRequests,
  kafkaQuotasFor,
  localRetentionMs,
  MS_PER_DAY,
  NamespaceQuota,
  namespaceQuotaFor,
  PartitionSizing,
  partitionLimitsOf,
  partitionsFor,
} from "./sizing";

/**
 * The typed model every component wires from: every default resolved, every name and size computed.
 * Built by a pure function from validated config, so it is tested without Pulumi.
 */
export interface PlatformModel {
  readonly stack: string;
  readonly environment: Environment;
  /** all: one stack; platform: shared layers only; tenants: tenants only, reading `platformStack`. */
  readonly deployment: "all" | "platform" | "tenants";
  readonly platformStack?: string;
  readonly cloud: Cloud;
  readonly aws?: AwsConfig;
  /** Stateful resources are protected and retained on delete. */
  readonly protect: boolean;
  readonly charts: Readonly<Record<ChartName, ResolvedChart>>;
  readonly kafka: KafkaModel;
  readonly flink: FlinkModel;
  readonly druid: DruidModel;
  readonly observability: ObservabilityModel;
  readonly lake: LakeModel;
  readonly schemaRegistry: SchemaRegistryModel;
  readonly tenants: readonly TenantModel[];
}

export interface NodePoolModel {
  readonly name: string;
  readonly roles: readonly ("controller" | "broker")[];
  readonly replicas: number;
  readonly storageSize: string;
  readonly resources: { readonly cpu: string; readonly memory: string };
}

export interface KafkaModel {
  readonly clusterName: string;
  readonly namespace: string;
  readonly version: string;
  readonly nodePools: readonly NodePoolModel[];
  readonly brokers: number;
  readonly storageClass?: string;
  readonly deleteClaim: boolean;
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly rackAware: boolean;
  readonly cruiseControl: boolean;
  readonly clientPort: number;
  readonly platformPort: number;
  /** host:port of the SCRAM-over-TLS listener tenants use. */
  readonly clientBootstrap: string;
  /** The Kafka image; undefined: Strimzi's default for the version. */
  readonly image?: string;
  readonly tieredStorage: { readonly enabled: boolean; readonly classPath: string };
  readonly serviceAccount: string;
}

export interface TopicModel {
  /** Kafka topic name, also the KafkaTopic's metadata.name. */
  readonly name: string;
  readonly partitions: number;
  readonly replicas: number;
  readonly config: Readonly<Record<string, string | number | boolean>>;
}

export interface AclModel {
  readonly resource: { readonly type: "topic" | "group" | "transactionalId"; readonly name: string; readonly patternType: "prefix" | "literal" };
  readonly operations: readonly string[];
}

export interface TenantModel {
  readonly name: string;
  readonly namespace: string;
  readonly peakEventsPerSecond: number;
  /** How long each layer keeps the tenant's data. */
  readonly retention: TenantRetention;
  readonly topics: readonly TopicModel[];
  /** Its topics' schemas, registered under its own subjects. */
  readonly subjects: readonly SubjectModel[];
  /** Its data contracts (subjects, PII, masked copies), as its namespace's `data-contracts` ConfigMap holds them. */
  readonly contracts: DataContracts;
  readonly kafkaUser: {
    readonly name: string;
    readonly passwordSecret: string;
    readonly acls: readonly AclModel[];
    readonly quotas: ClientQuotas;
  };
  readonly credentialsSecret: string;
  readonly quota: NamespaceQuota;
  readonly flinkJobs: readonly FlinkJobModel[];
  /** The tenant's place in the lake, when it uses it. */
  readonly lake?: LakeTenantModel;
  readonly druidIngestions: readonly DruidIngestionModel[];
  /** Secret in the Druid namespace with this tenant's Kafka JAAS line (when it ingests). */
  readonly druidKafkaSecret: string;
  readonly druidJaasEnv: string;
  /** Prefix of everything this tenant keeps in shared buckets. */
  readonly storagePrefix: string;
  /** User of the in-cluster object store (cloud: local). */
  readonly objectStoreClient: string;
}

function resolveCharts(config: StackConfig): Record<ChartName, ResolvedChart> {
  const out = {} as Record<ChartName, ResolvedChart>;
  for (const name of Object.keys(CHART_DEFAULTS) as ChartName[]) {
    out[name] = { ...CHART_DEFAULTS[name], install: true, ...config.charts?.[name] };
  }
  return out;
}

function buildKafka(config: StackConfig): KafkaModel {
  const env = ENVIRONMENT_DEFAULTS[config.environment].kafka;
  const k = config.kafka ?? {};
  const clusterName = k.clusterName ?? KAFKA_DEFAULTS.clusterName;
  const namespace = platformNaming.kafkaNamespace;
  const brokers = k.brokers ?? env.brokers;
  const storageSize = k.storage?.size ?? env.storageSize;
  const nodePools: NodePoolModel[] = env.dualRole
    ? [{ name: "dual-role", roles: ["controller", "broker"], replicas: brokers, storageSize, resources: env.brokerResources }]
    : [
        { name: "controllers", roles: ["controller"], replicas: k.controllers ?? env.controllers, storageSize: env.controllerStorageSize, resources: env.controllerResources },
        { name: "brokers", roles: ["broker"], replicas: brokers, storageSize, resources: env.brokerResources },
      ];
  // Never promise more replicas than there are brokers (a 1-broker dev cluster gets RF 1).
  const replicationFactor = Math.min(env.replicationFactor, brokers);
  const ts = k.tieredStorage ?? {};
  return {
    clusterName,
    namespace,
    version: k.version ?? KAFKA_DEFAULTS.version,
    image: k.image,
    nodePools,
    brokers,
    storageClass: k.storage?.class,
    deleteClaim: !ENVIRONMENT_DEFAULTS[config.environment].protect,
    replicationFactor,
    minInsyncReplicas: Math.min(env.minInsyncReplicas, replicationFactor),
    rackAware: env.rackAware,
    cruiseControl: env.cruiseControl,
    clientPort: KAFKA_DEFAULTS.clientPort,
    platformPort: KAFKA_DEFAULTS.platformPort,
    clientBootstrap: platformNaming.kafkaBootstrap(clusterName, namespace, KAFKA_DEFAULTS.clientPort),
    tieredStorage: {
      enabled: ts.enabled ?? KAFKA_DEFAULTS.tieredStorage.enabled,
      classPath: tieredStorageClassPath(),
    },
    serviceAccount: platformNaming.kafkaServiceAccount(clusterName),
  };
}

function topicConfig(retentionDays: number, kafka: KafkaModel, localHours: number): Record<string, string | number | boolean> {
  const config: Record<string, string | number | boolean> = {
    "cleanup.policy": "delete",
    "retention.ms": retentionDays * MS_PER_DAY,
    "min.insync.replicas": kafka.minInsyncReplicas,
    "unclean.leader.election.enable": false,
  };
  if (kafka.tieredStorage.enabled) {
    config["remote.storage.enable"] = true;
    config["local.retention.ms"] = localRetentionMs(retentionDays, localHours);
  }
  return config;
}

/** ACLs for the tenant's own prefix only: topics, consumer groups and transactional ids. */
export function tenantAcls(tenant: string): AclModel[] {
  const prefix = tenantNaming.kafkaPrefix(tenant);
  return [
    { resource: { type: "topic", name: prefix, patternType: "prefix" }, operations: ["Read", "Write", "Describe", "DescribeConfigs"] },
    { resource: { type: "group", name: prefix, patternType: "prefix" }, operations: ["Read", "Describe"] },
    { resource: { type: "transactionalId", name: prefix, patternType: "prefix" }, operations: ["Write", "Describe"] },
  ];
}

function buildTenant(t: TenantConfig, config: StackConfig, kafka: KafkaModel, flink: FlinkModel, druid: DruidIngestionSettings, lake: LakeModel, catalog: JobCatalog): TenantModel {
  const env = ENVIRONMENT_DEFAULTS[config.environment].kafka;
  const sizing: PartitionSizing = { ...partitionLimitsOf(config.kafka), minPartitions: env.minPartitions };
  const localHours = config.kafka?.tieredStorage?.localRetentionHours ?? env.localRetentionHours;
  const partitions = partitionsFor(t.peakEventsPerSecond, sizing);
  const retention = tenantRetention(t, config.lake);
  const cfg = topicConfig(retention.kafka, kafka, localHours);
  const fromJobs = jobTopics(t, catalog);
  const subjects = tenantSubjects(t, catalog);
  const plain = [...new Set([...t.topics, ...fromJobs.plain])];
  const topic = (suffix: string, config: TopicModel["config"], n = partitions): TopicModel =>
    ({ name: tenantNaming.topic(t.name, suffix), partitions: n, replicas: kafka.replicationFactor, config });
  const topics: TopicModel[] = [
    ...plain.map((suffix) => topic(suffix, cfg)),
    // Reference tables keep the latest record per key for ever: compacted, never tiered away.
    ...fromJobs.compacted.filter((c) => !plain.includes(c)).map((suffix) =>
      topic(suffix, { "cleanup.policy": "compact", "min.insync.replicas": kafka.minInsyncReplicas, "unclean.leader.election.enable": false }, sizing.minPartitions)),
    topic("dlq", topicConfig(retention.dlq, kafka, localHours), dlqPartitionsFor(partitions, sizing)),
  ];
  const partitionsOf = (suffix: string) => topics.find((x) => x.name === tenantNaming.topic(t.name, suffix))!.partitions;
  const flinkJobs = buildTenantJobs(t, catalog, flink, kafka.clientBootstrap, partitionsOf, lake);
  return {
    name: t.name,
    namespace: tenantNaming.namespace(t.name),
    peakEventsPerSecond: t.peakEventsPerSecond,
    retention,
    topics,
    subjects,
    contracts: tenantDataContracts(t, catalog, subjects),
    kafkaUser: {
      name: tenantNaming.kafkaUser(t.name),
      passwordSecret: tenantNaming.kafkaPasswordSecret(t.name),
      acls: tenantAcls(t.name),
      quotas: kafkaQuotasFor(t.peakEventsPerSecond, config.kafka?.averageEventBytes ?? KAFKA_DEFAULTS.averageEventBytes, kafka.brokers),
    },
    credentialsSecret: tenantNaming.kafkaCredentialsSecret(),
    quota: namespaceQuotaFor(t.peakEventsPerSecond, flinkJobs.map((j) => flinkDeploymentRequests(j.parallelism, FLINK_DEFAULTS.taskSlots, flink.jobManagerReplicas, flink.jobManager, flink.taskManager))),
    flinkJobs,
    lake: lake.tenants.find((x) => x.tenant === t.name),
    druidIngestions: buildTenantIngestions(t, catalog, druid, kafka.clientBootstrap, partitionsOf, retention),
    druidKafkaSecret: tenantNaming.druidKafkaSecret(t.name),
    druidJaasEnv: tenantNaming.druidJaasEnv(t.name),
    storagePrefix: tenantNaming.storagePrefix(t.name),
    objectStoreClient: tenantNaming.objectStoreClient(t.name),
  };
}

/** Validated config -> the complete platform model. Pure. */
export function buildModel(config: StackConfig, stack: string, catalog: JobCatalog): PlatformModel {
  const kafka = buildKafka(config);
  const flink = buildFlink(config, piiMaskJobs(catalog));
  const lake = buildLake(config);
  const ingestion = druidIngestionSettings(config);
  const tenants = config.tenants.map((t) => buildTenant(t, config, kafka, flink, ingestion, lake, catalog));
  const observability = buildObservability(config, catalog.dashboards, druidEnabled(config));
  const druid = buildDruid(config, ingestion, tenants.flatMap((t) => t.druidIngestions), observability.pushgateway ? pushgatewayUrl() : undefined,
    tenants.filter((t) => t.druidIngestions.length > 0).map((t) => t.retention.druid));
  return {
    stack,
    environment: config.environment,
    deployment: config.deployment ?? "all",
    platformStack: config.platformStack,
    cloud: config.cloud,
    aws: config.aws,
    protect: ENVIRONMENT_DEFAULTS[config.environment].protect,
    charts: resolveCharts(config),
    kafka,
    flink,
    druid,
    observability,
    lake,
    schemaRegistry: buildSchemaRegistry(config, tenants.filter((t) => t.subjects.length > 0).map((t) => t.name)),
    tenants,
  };
}

/** The remote storage manager's class path: every jar of each plugin part (see KAFKA_DEFAULTS.tieredStorage). */
export function tieredStorageClassPath(): string {
  const { pluginDir, parts } = KAFKA_DEFAULTS.tieredStorage;
  return parts.map((part) => `${pluginDir}/${part}/*`).join(":");
}
