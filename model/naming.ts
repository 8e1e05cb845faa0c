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
  /** KafkaUser name = SCRAM username. */
  kafkaUser: (tenant: string): string => `tenant-${tenant}`,
  /** Secret in the Kafka namespace holding the SCRAM password the KafkaUser reads. */
  kafkaPasswordSecret: (tenant: string): string => `tenant-${tenant}-scram`,
  /** Secret in the tenant namespace with everything a client needs to connect. */
  kafkaCredentialsSecret: (): string => "kafka-credentials",
} as const;

/** Names of shared platform things. */
export const platformNaming = {
  kafkaNamespace: "kafka",
  strimziNamespace: "strimzi-system",
  objectStoreNamespace: "object-store",
  kafkaBootstrap: (cluster: string, namespace: string, port: number): string =>
    `${cluster}-kafka-bootstrap.${namespace}.svc:${port}`,
  /** Strimzi creates the service account of the brokers as <cluster>-kafka. */
  kafkaServiceAccount: (cluster: string): string => `${cluster}-kafka`,
  clusterCaCertSecret: (cluster: string): string => `${cluster}-cluster-ca-cert`,
} as const;
