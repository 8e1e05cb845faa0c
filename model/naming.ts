/**
 * Every name a tenant owns is decided here. Tenant names are DNS labels (no '.'), so the prefix
 * '<name>.' of one tenant can never match a name of another: 'acme.' matches nothing of 'acme-eu'.
 */
export const tenantNaming = {
  namespace: (tenant: string): string => `tenant-${tenant}`,
  /** Prefix of every topic, consumer group and transactional id of the tenant. */
  kafkaPrefix: (tenant: string): string => `${tenant}.`,
  topic: (tenant: string, topic: string): string => `${tenant}.${topic}`,
  dlqTopic: (tenant: string): string => `${tenant}.dlq`,
  /** A topic's value subject in the schema registry (the topic-name strategy): inside the tenant's prefix. */
  valueSubject: (tenant: string, topic: string): string => `${tenant}.${topic}-value`,
  /** KafkaUser name = SCRAM username. */
  kafkaUser: (tenant: string): string => `tenant-${tenant}`,
  /** Secret in the Kafka namespace holding the SCRAM password the KafkaUser reads. */
  kafkaPasswordSecret: (tenant: string): string => `tenant-${tenant}-scram`,
  /** Secret in the tenant namespace with everything a client needs to connect. */
  kafkaCredentialsSecret: (): string => "kafka-credentials",
  /** Flink consumer group and transactional-id prefix of one job: inside the tenant's Kafka prefix. */
  flinkConsumerGroup: (tenant: string, job: string): string => `${tenant}.flink.${job}`,
  flinkTransactionalIdPrefix: (tenant: string, job: string): string => `${tenant}.flink.${job}`,
  /** One service account for all of a tenant's Flink jobs. */
  flinkServiceAccount: (): string => "flink",
  flinkScriptConfigMap: (job: string): string => `flink-sql-${job}`,
  /** Object-store prefix of the tenant's Flink state, and (with a job) of one job's checkpoints, savepoints and HA metadata. */
  flinkStatePrefix: (tenant: string, job?: string): string => `tenants/${tenant}/flink/${job ? `${job}/` : ""}`,
  /** Object-store prefix of everything the tenant keeps in a shared bucket. */
  storagePrefix: (tenant: string): string => `tenants/${tenant}/`,
  /** Druid datasource of one of the tenant's specs. */
  druidDatasource: (tenant: string, spec: string): string => `${tenant}_${spec}`,
  /** DruidIngestion resource name (in the Druid namespace). */
  druidIngestion: (tenant: string, spec: string): string => `${tenant}-${spec}`,
  /** Secret in the Druid namespace with the tenant's Kafka JAAS line, read by ingestion tasks from the environment. */
  druidKafkaSecret: (tenant: string): string => `kafka-${tenant}`,
  druidJaasEnv: (tenant: string): string => `KAFKA_JAAS_${tenant.toUpperCase().replace(/-/g, "_")}`,
  /** The tenant's schema in the lake (Glue database, Iceberg namespace): SQL identifiers take '_', not '-'. */
  lakeSchema: (tenant: string): string => tenant.replace(/-/g, "_"),
  trinoUser: (tenant: string): string => `tenant-${tenant}`,
  trinoGroup: (tenant: string): string => `tenant-${tenant}`,
  /** The tenant a Trino group belongs to (the inverse of trinoGroup), or undefined for a platform group. */
  tenantOfTrinoGroup: (group: string): string | undefined => (group.startsWith("tenant-") ? group.slice("tenant-".length) : undefined),
  /** User of the in-cluster object store for this tenant's workloads. */
  objectStoreClient: (tenant: string): string => `tenant-${tenant}`,
} as const;

/** The type token of a tenant's component: reports and policies find a resource's tenant by this ancestor. */
export const TENANT_COMPONENT_TYPE = "analytics-platform:tenant:Tenant";

/** The in-cluster S3 endpoint (cloud: local). */
export const LOCAL_ENDPOINT = "http://minio.object-store.svc:9000";

/** Names of shared platform things. */
export const platformNaming = {
  /** Buckets by purpose: the names on local; on AWS the prefixes of generated names. */
  kafkaTieredBucket: "kafka-tiered",
  flinkStateBucket: "flink-state",
  druidDeepStorageBucket: "druid-deep-storage",
  lakeWarehouseBucket: "lake-warehouse",
  /** Secret in the Druid namespace the druid-operator calls Druid's API with. */
  druidOperatorAuthSecret: "druid-operator-auth",
  kafkaNamespace: "kafka",
  flinkOperatorNamespace: "flink-operator",
  certManagerNamespace: "cert-manager",
  druidNamespace: "druid",
  monitoringNamespace: "monitoring",
  lakeNamespace: "lake",
  druidOperatorNamespace: "druid-operator",
  strimziNamespace: "strimzi-system",
  objectStoreNamespace: "object-store",
  /** The CloudNativePG operator (the in-cluster Druid metadata database on cloud: local). */
  cnpgNamespace: "cnpg-system",
  /** The Pushgateway's Service (its chart's fullnameOverride), where Druid's peons push their metrics. */
  pushgatewayService: "pushgateway",
  /** Secret in the monitoring namespace with the alert receivers' URLs, mounted into Alertmanager. */
  alertReceiversSecret: "alertmanager-receivers",
  kafkaBootstrap: (cluster: string, namespace: string, port: number): string =>
    `${cluster}-kafka-bootstrap.${namespace}.svc:${port}`,
  /** Strimzi creates the service account of the brokers as <cluster>-kafka. */
  kafkaServiceAccount: (cluster: string): string => `${cluster}-kafka`,
  clusterCaCertSecret: (cluster: string): string => `${cluster}-cluster-ca-cert`,
  /** The cluster CA's key, which Strimzi signs the brokers' certificates with. */
  clusterCaKeySecret: (cluster: string): string => `${cluster}-cluster-ca`,
} as const;
