import { StackConfig, TenantConfig } from "../config/types";
import { JobCatalog } from "../jobs/catalog";
import { supervisorParts } from "../jobs/druid-specs";
import { servedTopic } from "./contracts";
import { substituteJson } from "../jobs/placeholders";
import { DRUID_DEFAULTS, DruidEnvironmentDefaults, DruidTierDefaults, ENVIRONMENT_DEFAULTS, RETENTION_DEFAULTS } from "./defaults";
import { platformNaming, tenantNaming } from "./naming";
import { TenantRetention } from "./retention";
import { MS_PER_DAY, druidDirectMemoryMi, druidTaskCountFor, druidTaskSlots, druidWorkers, DruidWorkerSizing } from "./sizing";

export type DruidNodeType = "coordinator" | "broker" | "router" | "middleManager" | "historical";

export interface DruidNodeModel {
  /** Key under spec.nodes; also part of the generated StatefulSet names. */
  readonly key: string;
  readonly nodeType: DruidNodeType;
  readonly port: number;
  readonly replicas: number;
  /** Historical tier. */
  readonly tier?: string;
  readonly storage?: string;
  readonly cpu: string;
  readonly memory: string;
}

/** A peon (one ingestion task's JVM), as the middle managers fork it. */
export interface DruidPeonModel {
  readonly heapMi: number;
  readonly directMemoryMi: number;
  readonly processingBufferMi: number;
  readonly processingThreads: number;
  readonly mergeBuffers: number;
}

/** The middle managers, sized from the supervisors' task slots (druidTaskSlots). */
export interface DruidWorkersModel extends DruidWorkerSizing {
  readonly peon: DruidPeonModel;
}

/** What the tenants' supervisors are built from: known before any tenant, unlike the middle managers' size. */
export interface DruidIngestionSettings {
  readonly tiers: readonly DruidTierDefaults[];
  readonly hotDays: number;
  readonly maxTaskCount: number;
  readonly taskReplicas: number;
}

export interface DruidModel extends DruidIngestionSettings {
  /** True when any tenant ingests a datasource: only then are the operator, cluster and database created. */
  readonly enabled: boolean;
  /** Where the peons push their metrics; absent: they emit none (observability is off). */
  readonly peonPushgateway?: string;
  readonly clusterName: string;
  readonly namespace: string;
  readonly image: string;
  readonly nodes: readonly DruidNodeModel[];
  readonly workers: DruidWorkersModel;
  readonly database: DruidEnvironmentDefaults["database"];
  readonly serviceAccount: string;
  /** Days the overlord keeps task logs, which quote rows that failed to parse: the shortest tenant's Druid days. */
  readonly taskLogDays: number;
}

/** A retention (load/drop) rule as Druid's coordinator takes it. */
export type DruidRule =
  | { readonly type: "loadByPeriod"; readonly period: string; readonly includeFuture: true; readonly tieredReplicants: Readonly<Record<string, number>> }
  | { readonly type: "dropForever" };

export interface DruidIngestionModel {
  readonly name: string;
  readonly dataSource: string;
  readonly spec: string;
  readonly file: string;
  readonly topic: string;
  /** The supervisor spec with placeholders filled. */
  readonly nativeSpec: unknown;
  readonly unresolved: readonly { readonly name: string; readonly path: string }[];
  readonly taskCount: number;
  readonly rules: readonly DruidRule[];
}

export function druidIngestionSettings(config: StackConfig): DruidIngestionSettings {
  const env = ENVIRONMENT_DEFAULTS[config.environment].druid;
  return {
    tiers: env.tiers,
    hotDays: config.druid?.hotDays ?? env.hotDays,
    maxTaskCount: config.druid?.maxTaskCount ?? DRUID_DEFAULTS.maxTaskCount,
    taskReplicas: env.taskReplicas,
  };
}

/** Middle managers and their peons for the supervisors' task counts (one entry per supervisor). */
export function buildDruidWorkers(env: DruidEnvironmentDefaults, taskCounts: readonly number[]): DruidWorkersModel {
  const peon: DruidPeonModel = {
    heapMi: env.peon.heapMi,
    processingBufferMi: env.peon.processingBufferMi,
    processingThreads: DRUID_DEFAULTS.peonProcessingThreads,
    mergeBuffers: DRUID_DEFAULTS.peonMergeBuffers,
    directMemoryMi: druidDirectMemoryMi(env.peon.processingBufferMi, DRUID_DEFAULTS.peonProcessingThreads, DRUID_DEFAULTS.peonMergeBuffers),
  };
  const sizing = druidWorkers(druidTaskSlots(taskCounts, env.taskReplicas), env.middleManagers, env.maxWorkerCapacity,
    { memoryMi: peon.heapMi + peon.directMemoryMi + DRUID_DEFAULTS.jvmOverheadMi, cpuMilli: env.peon.cpuMilli },
    { memoryMi: DRUID_DEFAULTS.middleManagerHeapMi + DRUID_DEFAULTS.jvmOverheadMi, cpuMilli: DRUID_DEFAULTS.middleManagerCpuMilli });
  return { ...sizing, peon };
}

/** Druid runs when any tenant ingests a datasource. */
export function druidEnabled(config: StackConfig): boolean {
  return config.tenants.some((t) => (t.datasources ?? []).length > 0);
}

/** `ingestions`: every tenant's supervisors, which size the middle managers. */
export function buildDruid(
  config: StackConfig,
  ingestion: DruidIngestionSettings,
  ingestions: readonly DruidIngestionModel[],
  peonPushgateway: string | undefined,
  tenantDruidDays: readonly number[],
): DruidModel {
  const env = ENVIRONMENT_DEFAULTS[config.environment].druid;
  const d = config.druid ?? {};
  const workers = buildDruidWorkers(env, ingestions.map((i) => i.taskCount));
  const small = config.environment === "dev";
  const node = (key: string, nodeType: DruidNodeType, port: number, replicas: number, extra: Partial<DruidNodeModel> = {}): DruidNodeModel =>
    ({ key, nodeType, port, replicas, cpu: small ? "250m" : "2", memory: small ? "1Gi" : "8Gi", ...extra });
  const historicals = env.tiers.map((t) =>
    node(env.tiers.length === 1 ? "historicals" : `historicals-${t.name}`, "historical", 8083, t.replicas, { tier: t.name, storage: t.storage, memory: small ? "2Gi" : "16Gi" }));
  return {
    enabled: druidEnabled(config),
    peonPushgateway,
    clusterName: DRUID_DEFAULTS.clusterName,
    namespace: platformNaming.druidNamespace,
    image: d.image ?? DRUID_DEFAULTS.image,
    nodes: [
      // The coordinator also runs the overlord: one less service to operate, same HA through replicas.
      node("coordinators", "coordinator", 8081, env.coordinators),
      node("brokers", "broker", 8082, env.brokers, { memory: small ? "2Gi" : "16Gi" }),
      node("routers", "router", 8088, env.routers, { cpu: small ? "100m" : "500m", memory: small ? "512Mi" : "2Gi" }),
      node("middlemanagers", "middleManager", 8091, workers.replicas, { storage: env.middleManagerStorage, cpu: `${workers.cpuMilli}m`, memory: `${workers.memoryMi}Mi` }),
      ...historicals,
    ],
    ...ingestion,
    workers,
    database: {
      ...env.database,
      ...(d.database?.instanceClass ? { instanceClass: d.database.instanceClass } : {}),
      ...(d.database?.allocatedStorageGb ? { allocatedStorageGb: d.database.allocatedStorageGb } : {}),
    },
    serviceAccount: "druid",
    taskLogDays: Math.min(RETENTION_DEFAULTS.platformLogDays, ...tenantDruidDays),
  };
}

/**
 * Deleting what the load rules drop. `dropForever` only marks segments unused; the coordinator's kill duty deletes
 * them from deep storage and the metadata store, but is off by default, and then spares any segment whose interval
 * ended in the last 90 days or that became unused in the last 30 (server: KillUnusedSegmentsConfig,
 * MetadataCleanupConfig). Task logs quote unparseable rows and are kept for ever unless killed (TaskLogAutoCleanerConfig).
 */
export function druidDeletionProperties(d: DruidModel): string[] {
  return [
    "druid.coordinator.kill.on=true",
    // Set, not left to the default: the code defaults to the indexing period, the docs say P1D.
    "druid.coordinator.kill.period=PT6H",
    "druid.coordinator.kill.durationToRetain=P1D",
    "druid.coordinator.kill.bufferPeriod=P1D",
    "druid.coordinator.kill.maxSegments=1000",
    "druid.indexer.logs.kill.enabled=true",
    `druid.indexer.logs.kill.durationToRetain=${d.taskLogDays * MS_PER_DAY}`,
  ];
}

/**
 * Load rules from the tenant's retention: the newest `hotDays` on the hottest tier, the rest of the
 * retention on the next tier, then drop. With one tier, everything within retention loads there.
 */
export function druidRetentionRules(retentionDays: number, tiers: readonly DruidTierDefaults[], hotDays: number): DruidRule[] {
  const load = (days: number, tier: DruidTierDefaults): DruidRule =>
    ({ type: "loadByPeriod", period: `P${days}D`, includeFuture: true, tieredReplicants: { [tier.name]: tier.replicants } });
  const rules: DruidRule[] = [];
  if (tiers.length === 1 || retentionDays <= hotDays) {
    rules.push(load(retentionDays, tiers[0]));
  } else {
    rules.push(load(hotDays, tiers[0]), load(retentionDays, tiers[1]));
  }
  rules.push({ type: "dropForever" });
  return rules;
}

/** Kafka consumer properties of a tenant's supervisors: SASL_SSL with the tenant's own credentials, from the environment. */
export function druidConsumerProperties(tenant: string, bootstrapServers: string): Record<string, unknown> {
  return {
    "bootstrap.servers": bootstrapServers,
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "SCRAM-SHA-512",
    "ssl.truststore.type": "PEM",
    "ssl.truststore.location": `${DRUID_DEFAULTS.caDir}/ca.crt`,
    // The JAAS line (with the password) never enters the spec: Druid reads it from an env var bound to a Secret.
    "druid.dynamic.config.provider": { type: "environment", variables: { "sasl.jaas.config": tenantNaming.druidJaasEnv(tenant) } },
  };
}

export function buildTenantIngestions(
  t: TenantConfig,
  catalog: JobCatalog,
  druid: DruidIngestionSettings,
  bootstrapServers: string,
  partitionsOf: (topic: string) => number,
  retention: TenantRetention,
): DruidIngestionModel[] {
  return (t.datasources ?? []).map((name) => {
    const def = catalog.druidSpecs.get(name)!;
    const dataSource = tenantNaming.druidDatasource(t.name, name);
    // A topic whose contract declares PII is served from its masked copy: personal data is masked before it leaves Kafka.
    const topic = tenantNaming.topic(t.name, servedTopic(t, catalog, def.topic));
    const taskCount = druidTaskCountFor(partitionsOf(def.topic), DRUID_DEFAULTS.partitionsPerTask, druid.maxTaskCount);
    const { value, unresolved } = substituteJson(def.spec, {
      TENANT: t.name,
      DATASOURCE: dataSource,
      TOPIC_PREFIX: tenantNaming.kafkaPrefix(t.name),
      KAFKA_CONSUMER_PROPERTIES: druidConsumerProperties(t.name, bootstrapServers),
      TASK_COUNT: taskCount,
      TASK_REPLICAS: druid.taskReplicas,
    });
    // The loader requires ioConfig.topic to be ${TOPIC_PREFIX}<topic>, so this is the only topic the spec names.
    const ioConfig = supervisorParts(value).parts?.ioConfig;
    if (ioConfig) ioConfig.topic = topic;
    return {
      name: tenantNaming.druidIngestion(t.name, name),
      dataSource,
      spec: name,
      file: def.file,
      topic,
      nativeSpec: value,
      unresolved,
      taskCount,
      rules: druidRetentionRules(retention.druid, druid.tiers, druid.hotDays),
    };
  });
}
