import { Environment } from "../config/types";
import { AlertThresholds } from "../monitoring/alerts";

/** The runbook signals' thresholds (reference runbook); dev relaxes the ones that flap on small clusters. */
const RUNBOOK_THRESHOLDS: AlertThresholds = {
  consumerLagSeconds: 30,
  consumerLagMessages: 1_000_000,
  checkpointDurationSeconds: 45,
  backPressureRatio: 0.8,
  queryP99Seconds: 5,
  produceLatencyMs: 100,
  brokerToProcessorMs: 250,
  processorToServingMs: 400,
  servingToDashboardMs: 150,
};

/** Helm charts the program installs. Versions are pinned here and overridable per stack under `charts:`. */
export interface ChartDefault {
  readonly chart: string;
  readonly version: string;
  readonly repository: string;
}

export const CHART_DEFAULTS = {
  strimzi: { chart: "strimzi-kafka-operator", version: "1.2.0", repository: "https://strimzi.io/charts/" },
  minio: { chart: "minio", version: "5.4.0", repository: "https://charts.min.io/" },
  flinkOperator: {
    chart: "flink-kubernetes-operator",
    version: "1.15.0",
    // downloads.apache.org keeps only current releases; the archive keeps every one.
    repository: "https://archive.apache.org/dist/flink/flink-kubernetes-operator-1.15.0/",
  },
  certManager: { chart: "cert-manager", version: "v1.19.1", repository: "https://charts.jetstack.io" },
  trino: { chart: "trino", version: "1.41.0", repository: "https://trinodb.github.io/charts" },
  /** Iceberg REST catalog for cloud: local. */
  nessie: { chart: "nessie", version: "0.104.5", repository: "https://charts.projectnessie.org" },
  kubePrometheusStack: { chart: "kube-prometheus-stack", version: "79.5.0", repository: "https://prometheus-community.github.io/helm-charts" },
  druidOperator: { chart: "druid-operator", version: "0.3.9", repository: "https://charts.datainfra.io" },
  /**
   * CloudNativePG, the in-cluster PostgreSQL for Druid's metadata on cloud: local. Not Bitnami's chart: its
   * images were removed from docker.io/bitnami (bitnami/containers#83267).
   */
  cloudnativePg: { chart: "cloudnative-pg", version: "0.29.0", repository: "https://cloudnative-pg.github.io/charts" },
  /** Where Druid's peons push their metrics: short-lived JVMs cannot be scraped (prometheus-emitter docs). */
  pushgateway: { chart: "prometheus-pushgateway", version: "3.2.0", repository: "https://prometheus-community.github.io/helm-charts" },
} as const satisfies Record<string, ChartDefault>;

export type ChartName = keyof typeof CHART_DEFAULTS;

/**
 * Charts that only install an operator and its CRDs. Each may be `install: false` when another team runs that
 * operator: the program then installs neither its namespace nor its release and assumes its CRDs exist.
 */
export const OPERATOR_CHARTS = ["strimzi", "flinkOperator", "certManager", "druidOperator", "cloudnativePg"] as const satisfies readonly ChartName[];

/** A chart pin with the stack's overrides applied. */
export interface ResolvedChart extends ChartDefault {
  /** False when another team installs this operator (only for OPERATOR_CHARTS). */
  readonly install: boolean;
}

/** What differs between environments when the stack config says nothing. */
export interface EnvironmentDefaults {
  /** Protect stateful resources from `pulumi destroy` and retain them when removed from the program. */
  readonly protect: boolean;
  readonly kafka: {
    readonly brokers: number;
    readonly controllers: 1 | 3 | 5;
    /** Dev runs combined controller+broker nodes; prod separates the roles. */
    readonly dualRole: boolean;
    readonly storageSize: string;
    readonly controllerStorageSize: string;
    readonly replicationFactor: number;
    readonly minInsyncReplicas: number;
    readonly rackAware: boolean;
    readonly cruiseControl: boolean;
    readonly minPartitions: number;
    readonly localRetentionHours: number;
    readonly brokerResources: { readonly cpu: string; readonly memory: string };
    readonly controllerResources: { readonly cpu: string; readonly memory: string };
  };
  readonly flink: FlinkEnvironmentDefaults;
  readonly druid: DruidEnvironmentDefaults;
  readonly observability: {
    readonly prometheusRetention: string;
    readonly prometheusStorage: string;
    readonly replicas: number;
    readonly thresholds: AlertThresholds;
  };
}

export interface DruidTierDefaults {
  readonly name: string;
  readonly replicas: number;
  /** Copies of each segment loaded on this tier. */
  readonly replicants: number;
  readonly storage: string;
}

export interface DruidEnvironmentDefaults {
  /** Historical tiers, hottest first. */
  readonly tiers: readonly DruidTierDefaults[];
  readonly coordinators: number;
  readonly brokers: number;
  readonly routers: number;
  /** Middle managers at least; more when the supervisors' task slots need them (druidWorkers). */
  readonly middleManagers: number;
  readonly middleManagerStorage: string;
  /** `druid.worker.capacity` at most: peons (task JVMs) one middle manager runs. */
  readonly maxWorkerCapacity: number;
  /** One peon: its heap, its processing buffer (direct memory follows from it) and its CPU. */
  readonly peon: { readonly heapMi: number; readonly processingBufferMi: number; readonly cpuMilli: number };
  /** Replicas of each ingestion task (2: a task failure loses no freshness). */
  readonly taskReplicas: number;
  readonly hotDays: number;
  readonly database: { readonly instanceClass: string; readonly allocatedStorageGb: number; readonly multiAz: boolean; readonly backupRetentionDays: number };
}

export interface FlinkEnvironmentDefaults {
  readonly jobManagerReplicas: number;
  readonly autoscaler: boolean;
  readonly jobManager: { readonly cpu: number; readonly memory: string };
  readonly taskManager: { readonly cpu: number; readonly memory: string };
}

export const ENVIRONMENT_DEFAULTS: Readonly<Record<Environment, EnvironmentDefaults>> = {
  dev: {
    protect: false,
    kafka: {
      brokers: 1,
      controllers: 1,
      dualRole: true,
      storageSize: "20Gi",
      controllerStorageSize: "5Gi",
      replicationFactor: 1,
      minInsyncReplicas: 1,
      rackAware: false,
      cruiseControl: false,
      minPartitions: 1,
      localRetentionHours: 6,
      brokerResources: { cpu: "500m", memory: "2Gi" },
      controllerResources: { cpu: "250m", memory: "1Gi" },
    },
    flink: { jobManagerReplicas: 1, autoscaler: false, jobManager: { cpu: 0.5, memory: "1024m" }, taskManager: { cpu: 0.5, memory: "1536m" } },
    druid: {
      tiers: [{ name: "_default_tier", replicas: 1, replicants: 1, storage: "20Gi" }],
      coordinators: 1,
      brokers: 1,
      routers: 1,
      middleManagers: 1,
      middleManagerStorage: "20Gi",
      maxWorkerCapacity: 16,
      peon: { heapMi: 256, processingBufferMi: 16, cpuMilli: 100 },
      taskReplicas: 1,
      hotDays: 7,
      database: { instanceClass: "db.t4g.small", allocatedStorageGb: 20, multiAz: false, backupRetentionDays: 1 },
    },
    observability: {
      prometheusRetention: "2d",
      prometheusStorage: "20Gi",
      replicas: 1,
      thresholds: { ...RUNBOOK_THRESHOLDS, checkpointDurationSeconds: 90, backPressureRatio: 0.9, produceLatencyMs: 250 },
    },
  },
  prod: {
    protect: true,
    kafka: {
      brokers: 3,
      controllers: 3,
      dualRole: false,
      storageSize: "500Gi",
      controllerStorageSize: "20Gi",
      replicationFactor: 3,
      minInsyncReplicas: 2,
      rackAware: true,
      cruiseControl: true,
      minPartitions: 3,
      localRetentionHours: 24,
      brokerResources: { cpu: "4", memory: "16Gi" },
      controllerResources: { cpu: "1", memory: "4Gi" },
    },
    // Two JobManagers: Kubernetes HA keeps a standby ready to take over.
    flink: { jobManagerReplicas: 2, autoscaler: true, jobManager: { cpu: 1, memory: "2048m" }, taskManager: { cpu: 2, memory: "4096m" } },
    druid: {
      tiers: [
        { name: "hot", replicas: 3, replicants: 2, storage: "500Gi" },
        { name: "cold", replicas: 2, replicants: 1, storage: "2Ti" },
      ],
      coordinators: 2,
      brokers: 2,
      routers: 2,
      middleManagers: 3,
      middleManagerStorage: "100Gi",
      maxWorkerCapacity: 16,
      peon: { heapMi: 1024, processingBufferMi: 100, cpuMilli: 500 },
      taskReplicas: 2,
      hotDays: 7,
      database: { instanceClass: "db.r6g.large", allocatedStorageGb: 100, multiAz: true, backupRetentionDays: 7 },
    },
    observability: { prometheusRetention: "15d", prometheusStorage: "200Gi", replicas: 2, thresholds: RUNBOOK_THRESHOLDS },
  },
};

/** Defaults that do not depend on the environment. */
export const KAFKA_DEFAULTS = {
  clusterName: "platform",
  version: "4.2.1",
  eventsPerPartitionPerSecond: 1_000,
  maxPartitionsPerTopic: 200,
  averageEventBytes: 1_024,
  /**
   * Aiven's plugin as kafka-image/Dockerfile installs it: the core and the S3 backend are separate release
   * tarballs, each in a folder of its own, so the class path names both (a `dir/*` entry takes no subfolder).
   * Baked into the image because Strimzi mounts extra volumes only under /mnt (TemplateUtils) and image
   * volumes are on by default only from Kubernetes 1.35.
   */
  tieredStorage: {
    enabled: true,
    pluginDir: "/opt/kafka/plugins/tiered-storage",
    parts: ["core", "s3"],
  },
  /**
   * The brokers' `transaction.max.timeout.ms`, written explicitly (it is Kafka's default): the longest
   * transaction a producer may ask for, so the jobs' exactly-once sinks are sized from it.
   */
  transactionMaxTimeoutMs: 900_000,
  /**
   * The cluster CA the platform owns: Strimzi's own would be renewed by Strimzi (365 days, 30 before expiry)
   * behind the tenants' copies of ca.crt. Ours is re-issued by `pulumi up` inside its early-renewal window,
   * with the same key, and reaches every tenant in the same update.
   */
  clusterCa: { validityDays: 5 * 365, earlyRenewalDays: 90 },
  /** The node label zones are read from (rack awareness, and the brokers' spread over zones). */
  rackTopologyKey: "topology.kubernetes.io/zone",
  /** Client listener: SCRAM-SHA-512 over TLS. Platform listener: mutual TLS. */
  clientPort: 9093,
  platformPort: 9094,
} as const;

export const FLINK_DEFAULTS = {
  flinkVersion: "v2_2",
  maxParallelism: 32,
  /** taskmanager.numberOfTaskSlots: a TaskManager runs this many parallel subtasks. */
  taskSlots: 2,
  checkpointIntervalSeconds: 60,
  savepointIntervalHours: 6,
  /** Periodic and upgrade savepoints kept per job; older ones are deleted, their files too. */
  savepointHistory: 10,
  /** Restart backoff of the jobs (exponential-delay): the longest wait before a restart. */
  maxRestartBackoffSeconds: 300,
  /**
   * `table.exec.source.idle-timeout`: a partition (or the rarely written reference topic) with no record
   * for this long no longer holds the watermark back; per split in the Kafka source.
   */
  sourceIdleTimeoutSeconds: 30,
  /** Where the SQL runner finds the script (a ConfigMap volume) and the cluster CA (a Secret volume). */
  scriptDir: "/opt/flink/sql",
  caDir: "/etc/kafka-ca",
  runnerJar: "local:///opt/flink/usrlib/sql-runner.jar",
  metricsPort: 9249,
  /** The operator's own Prometheus reporter (kubernetes.operator.metrics.reporter.prom.port). */
  operatorMetricsPort: 9999,
} as const;

export const DRUID_DEFAULTS = {
  clusterName: "analytics",
  image: "apache/druid:35.0.0",
  operatorImageTag: "v1.3.1",
  maxTaskCount: 16,
  /** Deep storage's key prefix: segments go under `<baseKey>/<dataSource>/`. */
  segmentsBaseKey: "segments",
  /** Kafka partitions one ingestion task reads. */
  partitionsPerTask: 4,
  /** A peon's processing threads and merge buffers (Druid's defaults follow the node's cores, not the peon's share). */
  peonProcessingThreads: 2,
  peonMergeBuffers: 2,
  /** JVM memory beyond heap and direct memory (metaspace, code cache, thread stacks), per JVM. */
  jvmOverheadMi: 256,
  /** The middle manager's own heap: it only forks and watches peons. */
  middleManagerHeapMi: 256,
  middleManagerCpuMilli: 500,
  metricsPort: 9090,
  /** The container port name of the Prometheus emitter, which the PodMonitor scrapes. */
  metricsPortName: "metrics",
  caDir: "/druid/kafka-ca",
  databaseName: "druid",
  databaseUser: "druid",
} as const;

export const OBSERVABILITY_DEFAULTS = {
  runbookBaseUrl: "https://github.com/analytics-platform/analytics-platform/blob/main/docs/runbooks",
  /** Grafana's sidecar loads ConfigMaps with this label. */
  dashboardLabel: "grafana_dashboard",
  pushgatewayPort: 9091,
  /** Prometheus' scrape interval of the monitors: a peon waits this twice before deleting its pushed metrics. */
  scrapeIntervalSeconds: 30,
} as const;

export const LAKE_DEFAULTS = {
  warehouse: "warehouse",
  adminUser: "admin",
  adminGroup: "platform-admins",
  /** The user Prometheus scrapes the coordinator's /metrics as: it may read system information, nothing else. */
  metricsUser: "prometheus",
  /** Secret in the lake namespace with the metrics user's `username` and `password` (a PodMonitor reads it there). */
  metricsSecret: "trino-metrics",
  /** The Trino chart's TLS Secret holding the lake CA (`ca.crt`), which the monitor verifies the coordinator with. */
  tlsSecret: "trino-tls",
  trinoPort: 8443,
  /**
   * Trino's image tag (the chart's `image.tag`; it defaults to the chart's appVersion, 477): the version whose
   * access control `npm run verify` judges the rules with (harness/trino-check). 477 is not on Maven Central here.
   */
  trinoVersion: "478",
  /** The Nessie chart's service port (the Iceberg REST catalog of cloud: local). */
  nessiePort: 19120,
  snapshotRetentionDays: 7,
} as const;

/** Retention's fixed parts; each tenant's days come from its config (model/retention.ts). */
export const RETENTION_DEFAULTS = {
  /** Days past a layer's retention before an S3 lifecycle rule removes what the engine should have deleted. */
  backstopGraceDays: 7,
  /**
   * Days a deleted object's old version lives in a versioned bucket under a tenant's prefix. Deleting an object
   * there only adds a delete marker (the bucket-wide rule keeps old versions 30 days); S3 applies the shortest
   * of overlapping expirations, so tenant data is really gone a day after the engine deletes it.
   */
  deletedVersionDays: 1,
  /** Most days a shared log that may quote tenants' records is kept (fewer when a tenant keeps its data less). */
  platformLogDays: 7,
} as const;

/**
 * The schema registry: Karapace (Aiven's, Apache-2.0, Confluent's REST API). Chosen over Apicurio Registry 3
 * because its own authorization confines each user to subjects matching a pattern, reads included (karapace
 * core/auth.py: GET /subjects is filtered per subject); Apicurio's owner-only authorization guards writes only.
 */
export const SCHEMA_REGISTRY_DEFAULTS = {
  image: "ghcr.io/aiven-open/karapace:6.2.0",
  namespace: "schema-registry",
  name: "schema-registry",
  port: 8081,
  /** Karapace's storage topic: '_' can begin no tenant's prefix (tenant names are DNS labels). */
  topic: "_schemas",
  /** Its primary election group, and the prefix of the readers' own groups (karapace README). */
  groupId: "schema-registry",
  readerGroupPrefix: "karapace-autogenerated-",
  /** The platform's own user: registers nothing, administers compatibility for every subject. */
  adminUser: "platform-admin",
  /** Karapace's PBKDF2 rounds (core/auth.py hash_password: pbkdf2_hmac(algorithm, password, salt, 5000)). */
  pbkdf2Iterations: 5000,
  /** The image curl-based registration Jobs run (schemaRegistry.registrationImage overrides it). */
  registrationImage: "curlimages/curl:8.17.0",
} as const;
