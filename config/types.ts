/**
 * The stack config as users write it (after validation against schema.json). Optional fields
 * are resolved to environment defaults in model/, never here.
 */
export type Environment = "dev" | "prod";
export type Cloud = "aws" | "local";

export interface ChartConfig {
  readonly version?: string;
  readonly repository?: string;
  /** Only on operator charts: false when another team installs the operator and its CRDs. */
  readonly install?: boolean;
}

export interface AwsConfig {
  readonly region: string;
  readonly oidcProviderArn: string;
  readonly oidcProviderUrl: string;
  readonly network?: { readonly vpcId: string; readonly privateSubnetIds: readonly string[]; readonly nodeSecurityGroupId: string };
}

export interface KafkaConfig {
  readonly clusterName?: string;
  readonly version?: string;
  readonly brokers?: number;
  readonly controllers?: 1 | 3 | 5;
  readonly storage?: { readonly size?: string; readonly class?: string };
  /** The Kafka image (Strimzi's, with the tiered-storage plugin: kafka-image/Dockerfile). */
  readonly image?: string;
  readonly tieredStorage?: {
    readonly enabled?: boolean;
    readonly localRetentionHours?: number;
  };
  readonly eventsPerPartitionPerSecond?: number;
  readonly maxPartitionsPerTopic?: number;
  readonly averageEventBytes?: number;
}

/** One tenant: the user-facing onboarding contract. Add fields; never rename these. */
export interface TenantConfig {
  readonly name: string;
  readonly peakEventsPerSecond: number;
  readonly retentionDays: number;
  readonly topics: readonly string[];
  /** Flink SQL jobs (flink-jobs/<job>.sql) this tenant runs. */
  readonly jobs?: readonly string[];
  /** Druid supervisor specs (druid-specs/<name>.json) ingested for this tenant. */
  readonly datasources?: readonly string[];
  /** Land the tenant's events in the lake and give it a Trino user. */
  readonly lake?: boolean;
  /** Per layer, fewer days than `retentionDays` (model/retention.ts). */
  readonly retention?: RetentionOverrides;
  /** Per topic with a schema (schemas/<tenant>/<topic>.avsc): how its subject may evolve. */
  readonly contracts?: Readonly<Record<string, TopicContract>>;
}

/** A schema registry's compatibility modes (Confluent's API; Karapace's CompatibilityModes). */
export type Compatibility = "BACKWARD" | "BACKWARD_TRANSITIVE" | "FORWARD" | "FORWARD_TRANSITIVE" | "FULL" | "FULL_TRANSITIVE" | "NONE";

/** What happens to a PII field before the data leaves Kafka for a serving store. */
export type PiiAction = "hash" | "drop";

export interface TopicContract {
  /** The subject's compatibility (default BACKWARD). */
  readonly compatibility?: Compatibility;
  /** Fields that are personal data (of the schema, or of the platform's events): hashed (salted SHA-256) or dropped before Druid or the lake. */
  readonly pii?: Readonly<Record<string, PiiAction>>;
}

/** Days a layer keeps a tenant's data, when shorter than the tenant's `retentionDays`. */
export interface RetentionOverrides {
  readonly kafka?: number;
  readonly dlq?: number;
  readonly druid?: number;
  readonly lake?: number;
  readonly lakeSnapshots?: number;
}

export interface LakeConfig {
  readonly trinoWorkers?: number;
  readonly snapshotRetentionDays?: number;
  /** Storage class of Nessie's volume (cloud: local); unset: the cluster's default class. */
  readonly storageClass?: string;
}

/** The cluster's address ranges, which tenants' HTTPS egress excludes. */
export interface ClusterNetworkConfig {
  readonly podCidrs: readonly string[];
  readonly serviceCidrs: readonly string[];
  /** Inside those ranges, reachable over HTTPS all the same: the API server's private endpoints, VPC interface endpoints. */
  readonly httpsCidrs?: readonly string[];
}

/** Where Alertmanager sends alerts; the URLs are secrets (`pulumi config set --secret --path …`). */
export interface AlertingConfig {
  /** The on-call chat channel's Slack-compatible incoming webhook. */
  readonly chatWebhookUrl?: string;
  /** The channel to post to, when the webhook is not bound to one. */
  readonly chatChannel?: string;
  /** A status page's webhook, told of SLA alerts that last over five minutes. */
  readonly statusPageWebhookUrl?: string;
}

export interface ObservabilityConfig {
  readonly enabled?: boolean;
  readonly alerting?: AlertingConfig;
  readonly prometheusRetention?: string;
  readonly prometheusStorage?: string;
  readonly runbookBaseUrl?: string;
  readonly thresholds?: Partial<Record<
    "consumerLagSeconds" | "consumerLagMessages" | "checkpointDurationSeconds" | "backPressureRatio" | "queryP99Seconds"
    | "produceLatencyMs" | "brokerToProcessorMs" | "processorToServingMs" | "servingToDashboardMs", number>>;
}

export interface DruidConfig {
  readonly image?: string;
  readonly hotDays?: number;
  readonly maxTaskCount?: number;
  readonly database?: { readonly instanceClass?: string; readonly allocatedStorageGb?: number };
}

export interface FlinkConfig {
  readonly webhook?: "cert-manager" | "disabled";
  readonly image?: string;
  readonly flinkVersion?: "v1_20" | "v2_0" | "v2_1" | "v2_2";
  readonly maxParallelism?: number;
  readonly checkpointIntervalSeconds?: number;
  readonly savepointIntervalHours?: number;
}

export interface StackConfig {
  readonly environment: Environment;
  readonly deployment?: "all" | "platform" | "tenants";
  readonly platformStack?: string;
  readonly cloud: Cloud;
  readonly aws?: AwsConfig;
  readonly charts?: { readonly [chart: string]: ChartConfig | undefined };
  readonly kafka?: KafkaConfig;
  readonly flink?: FlinkConfig;
  readonly druid?: DruidConfig;
  readonly observability?: ObservabilityConfig;
  readonly lake?: LakeConfig;
  /** Images of the schema registry (Karapace) and of tenants' registration Jobs, e.g. from a mirror. */
  readonly schemaRegistry?: { readonly image?: string; readonly registrationImage?: string };
  readonly clusterNetwork?: ClusterNetworkConfig;
  readonly tenants: readonly TenantConfig[];
}
