/**
 * The parts of Strimzi 1.x's `kafka.strimzi.io/v1` API this program uses (field names as in the
 * upstream CRDs). Only v1 exists from Strimzi 1.0 on.
 */
export const STRIMZI_API_VERSION = "kafka.strimzi.io/v1";

export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef?: SecretKeyRef; readonly configMapKeyRef?: SecretKeyRef };
}

export interface Resources {
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
}

export interface NetworkPolicyPeer {
  readonly namespaceSelector?: LabelSelector;
  readonly podSelector?: LabelSelector;
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; readonly values?: readonly string[] }[];
}

export interface GenericKafkaListener {
  readonly name: string;
  readonly port: number;
  readonly type: "internal" | "cluster-ip" | "loadbalancer" | "nodeport" | "ingress" | "route";
  readonly tls: boolean;
  readonly authentication?: { readonly type: "tls" | "scram-sha-512" | "custom" };
  readonly networkPolicyPeers?: readonly NetworkPolicyPeer[];
}

export interface MetricsConfig {
  readonly type: "jmxPrometheusExporter";
  readonly valueFrom: { readonly configMapKeyRef: SecretKeyRef };
}

export interface TieredStorage {
  readonly type: "custom";
  readonly remoteStorageManager: {
    readonly className: string;
    readonly classPath: string;
    /** Strimzi prefixes each key with `rsm.config.`. */
    readonly config: Readonly<Record<string, string>>;
  };
}

export interface ServiceAccountTemplate {
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
}

/** Labels and annotations Strimzi requires on a CA Secret the user provides (generateCertificateAuthority: false). */
export const STRIMZI_CA_CERT_GENERATION = "strimzi.io/ca-cert-generation";
export const STRIMZI_CA_KEY_GENERATION = "strimzi.io/ca-key-generation";

export interface KafkaSpec {
  readonly kafka: {
    readonly version: string;
    /** Overrides the operator's image for the version: ours carries the tiered-storage plugin. */
    readonly image?: string;
    readonly listeners: readonly GenericKafkaListener[];
    readonly config: Readonly<Record<string, string | number | boolean>>;
    readonly authorization: { readonly type: "simple"; readonly superUsers: readonly string[] };
    readonly rack?: { readonly topologyKey: string };
    readonly metricsConfig: MetricsConfig;
    readonly tieredStorage?: TieredStorage;
    readonly template?: { readonly serviceAccount?: ServiceAccountTemplate };
  };
  readonly entityOperator: {
    readonly topicOperator: { readonly resources?: Resources };
    readonly userOperator: { readonly resources?: Resources };
  };
  readonly kafkaExporter?: { readonly topicRegex: string; readonly groupRegex: string; readonly resources?: Resources };
  /** false: the cluster CA is the user's (Secrets <cluster>-cluster-ca-cert and <cluster>-cluster-ca). */
  readonly clusterCa?: { readonly generateCertificateAuthority: boolean };
  readonly cruiseControl?: { readonly resources?: Resources; readonly metricsConfig?: MetricsConfig; readonly autoRebalance?: readonly { readonly mode: "add-brokers" | "remove-brokers" }[] };
}

export interface PersistentClaimStorage {
  readonly type: "persistent-claim";
  readonly size: string;
  readonly class?: string;
  readonly deleteClaim: boolean;
}

export interface KafkaNodePoolSpec {
  readonly replicas: number;
  readonly roles: readonly ("controller" | "broker")[];
  readonly storage: PersistentClaimStorage;
  readonly resources?: Resources;
  readonly template?: {
    readonly pod?: { readonly topologySpreadConstraints?: readonly TopologySpreadConstraint[] };
    readonly kafkaContainer?: {
      readonly env?: readonly EnvVar[];
      readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
    };
  };
}

export interface TopologySpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
  readonly labelSelector: { readonly matchLabels: Readonly<Record<string, string>> };
}

/** The label Strimzi puts on every pod of a node pool (Labels.STRIMZI_POOL_NAME_LABEL). */
export const STRIMZI_POOL_NAME_LABEL = "strimzi.io/pool-name";

export interface KafkaTopicSpec {
  readonly topicName?: string;
  readonly partitions: number;
  readonly replicas: number;
  readonly config: Readonly<Record<string, string | number | boolean>>;
}

export interface AclRule {
  readonly type?: "allow" | "deny";
  readonly resource: { readonly type: "topic" | "group" | "cluster" | "transactionalId"; readonly name?: string; readonly patternType?: "literal" | "prefix" };
  readonly operations: readonly string[];
  readonly host?: string;
}

export interface KafkaUserSpec {
  readonly authentication:
    | { readonly type: "scram-sha-512"; readonly password?: { readonly valueFrom: { readonly secretKeyRef: SecretKeyRef } } }
    | { readonly type: "tls" };
  readonly authorization: { readonly type: "simple"; readonly acls: readonly AclRule[] };
  readonly quotas?: { readonly producerByteRate?: number; readonly consumerByteRate?: number; readonly requestPercentage?: number };
}

/** Strimzi mounts additional volumes only below this path (TemplateUtils: "Forbidden path found in additional volumes"). */
export const STRIMZI_ADDITIONAL_VOLUME_PATH = "/mnt";

/** Mount paths of a node pool's Kafka container that Strimzi refuses, which keeps the cluster from ever being Ready. */
export function forbiddenVolumeMounts(spec: KafkaNodePoolSpec): string[] {
  const mounts = spec.template?.kafkaContainer?.volumeMounts ?? [];
  return mounts.map((m) => m.mountPath).filter((p) => p !== STRIMZI_ADDITIONAL_VOLUME_PATH && !p.startsWith(`${STRIMZI_ADDITIONAL_VOLUME_PATH}/`));
}

/**
 * The `strimzi.io/ca-cert-generation` of a CA certificate issued at `validityStart` (RFC 3339): days since the
 * epoch, so each re-issue raises it, which is how Strimzi learns a user-provided CA certificate was renewed.
 */
export function caCertGeneration(validityStart: string): string {
  const ms = Date.parse(validityStart);
  if (Number.isNaN(ms)) throw new Error(`not an RFC 3339 time: ${validityStart}`);
  return String(Math.floor(ms / 86_400_000));
}
