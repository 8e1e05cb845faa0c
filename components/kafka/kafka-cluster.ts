import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { caCertGeneration, KafkaNodePoolSpec, KafkaSpec, KafkaUserSpec, STRIMZI_API_VERSION, STRIMZI_CA_CERT_GENERATION, STRIMZI_CA_KEY_GENERATION, STRIMZI_POOL_NAME_LABEL, TieredStorage } from "../../crds/strimzi";
import { KAFKA_DEFAULTS, ResolvedChart } from "../../model/defaults";
import { PART_OF, PART_OF_LABEL, platformLabels, strimziLabels } from "../../model/labels";
import { platformNaming } from "../../model/naming";
import { KafkaModel, NodePoolModel } from "../../model/platform-model";
import { customResource, operatorRelease, WAIT_FOR_READY } from "../k8s";
import { credentialEnv, ObjectStorageAccess } from "../storage/access";
import { JMX_EXPORTER_RULES } from "./metrics";

export interface KafkaClusterArgs {
  /** Resolved Kafka settings from the platform model. */
  readonly model: KafkaModel;
  /** The Strimzi operator chart, pinned. */
  readonly operatorChart: ResolvedChart;
  /** Namespace the cluster, its topics and users live in (created by the platform). */
  readonly namespace: k8s.core.v1.Namespace;
  /** Bucket for tiered storage; required when tiered storage is enabled. */
  readonly tieredStorage?: ObjectStorageAccess;
  /** Protect the cluster and its node pools (prod). */
  readonly protect: boolean;
}

/** Principal of the platform's own mTLS client; the only super user besides Strimzi's components. */
export const PLATFORM_ADMIN_USER = "platform-admin";

/** Aiven's tiered-storage plugin with its S3 backend. */
const AIVEN_RSM_CLASS = "io.aiven.kafka.tieredstorage.RemoteStorageManager";
const AIVEN_S3_BACKEND = "io.aiven.kafka.tieredstorage.storage.s3.S3Storage";

/** Strimzi operator, KRaft node pools and the Kafka cluster: TLS and authentication on every listener. */
export class KafkaCluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly namespace: pulumi.Output<string>;
  /** host:port of the SCRAM-SHA-512 over TLS listener. */
  public readonly bootstrapServers: pulumi.Output<string>;
  /** PEM of the cluster CA, base64 as in Secret.data; clients need it to trust the brokers. A CA certificate is public. */
  public readonly clusterCaCert: pulumi.Output<string>;
  /** The Kafka resource; resources that need a ready cluster depend on it. */
  public readonly kafka: k8s.apiextensions.CustomResource;

  constructor(name: string, args: KafkaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:kafka:KafkaCluster", name, {}, opts);
    const m = args.model;
    const ns = args.namespace.metadata.name;
    const labels = strimziLabels(m.clusterName, platformLabels("kafka"));

    const operator = operatorRelease("strimzi", {
      chart: args.operatorChart,
      namespace: platformNaming.strimziNamespace,
      labels: platformLabels("strimzi-operator"),
      values: {
        watchNamespaces: [m.namespace],
        resources: { requests: { cpu: "200m", memory: "384Mi" }, limits: { memory: "384Mi" } },
      },
    }, { parent: this, dependsOn: [args.namespace] });
    // Custom resources need the CRDs the operator chart installs.
    const afterOperator = { parent: this, dependsOn: operator };

    const metrics = new k8s.core.v1.ConfigMap(`${name}-metrics`, {
      metadata: { name: `${m.clusterName}-kafka-metrics`, namespace: ns, labels },
      data: { "kafka-metrics-config.yml": JMX_EXPORTER_RULES },
    }, { parent: this });

    const stateful = { protect: args.protect, retainOnDelete: args.protect };
    const pools = m.nodePools.map((pool) =>
      customResource<KafkaNodePoolSpec>(`${name}-${pool.name}`, {
        apiVersion: STRIMZI_API_VERSION,
        kind: "KafkaNodePool",
        metadata: { name: pool.name, namespace: ns, labels },
        spec: nodePoolSpec(pool, m, args.tieredStorage),
      }, { ...afterOperator, ...stateful }),
    );

    const ca = clusterCa(name, m, ns, labels, args.protect, this);
    const spec = pulumi
      .all([metrics.metadata.name, args.tieredStorage?.bucket, args.tieredStorage?.serviceAccountAnnotations])
      .apply(([configMap, bucket, annotations]) => kafkaSpec(m, configMap, bucket, args.tieredStorage, annotations));
    this.kafka = customResource<KafkaSpec>(name, {
      apiVersion: STRIMZI_API_VERSION,
      kind: "Kafka",
      metadata: { name: m.clusterName, namespace: ns, labels: platformLabels("kafka"), annotations: WAIT_FOR_READY },
      spec,
    }, { ...afterOperator, ...stateful, dependsOn: [...operator, metrics, ...pools, ...ca.secrets] });

    customResource<KafkaUserSpec>(`${name}-${PLATFORM_ADMIN_USER}`, {
      apiVersion: STRIMZI_API_VERSION,
      kind: "KafkaUser",
      metadata: { name: PLATFORM_ADMIN_USER, namespace: ns, labels },
      spec: {
        authentication: { type: "tls" },
        // Super user already; the ACL documents the intent for reviewers and survives a super-user change.
        authorization: { type: "simple", acls: [{ resource: { type: "cluster" }, operations: ["Describe"] }] },
      },
    }, { parent: this, dependsOn: [this.kafka] });

    this.clusterName = pulumi.output(m.clusterName);
    this.namespace = ns;
    this.bootstrapServers = pulumi.output(m.clientBootstrap);
    this.clusterCaCert = ca.certBase64;
    this.registerOutputs({ clusterName: this.clusterName, bootstrapServers: this.bootstrapServers });
  }
}

/**
 * The platform's cluster CA (KAFKA_DEFAULTS.clusterCa) in the Secrets Strimzi reads when it generates none
 * (Strimzi docs, "Installing your own CA certificates"): known from the first preview, so nothing has to read
 * a Secret Strimzi has not written yet (a read runs during preview; dependsOn does not defer it,
 * pulumi/pulumi#16395). Re-issued with the same key inside its renewal window; the cert generation then
 * rises, Strimzi rolls the brokers, and every tenant's ca.crt changes in the same update.
 */
function clusterCa(name: string, m: KafkaModel, ns: pulumi.Input<string>, labels: Record<string, string>, protect: boolean, parent: pulumi.Resource) {
  const { validityDays, earlyRenewalDays } = KAFKA_DEFAULTS.clusterCa;
  // Replacing the key would re-sign every broker and break every client's trust at once: protected in prod.
  const key = new tls.PrivateKey(`${name}-cluster-ca`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent, protect });
  const cert = new tls.SelfSignedCert(`${name}-cluster-ca`, {
    privateKeyPem: key.privateKeyPem,
    isCaCertificate: true,
    validityPeriodHours: 24 * validityDays,
    earlyRenewalHours: 24 * earlyRenewalDays,
    allowedUses: ["cert_signing", "crl_signing"],
    subject: { organization: "analytics-platform", commonName: `${m.clusterName} cluster CA` },
  }, { parent });
  const certBase64 = cert.certPem.apply((pem) => Buffer.from(pem).toString("base64"));
  const caLabels = { ...labels, "strimzi.io/kind": "Kafka" };
  const secrets = [
    new k8s.core.v1.Secret(`${name}-cluster-ca-cert`, {
      metadata: { name: platformNaming.clusterCaCertSecret(m.clusterName), namespace: ns, labels: caLabels,
        annotations: { [STRIMZI_CA_CERT_GENERATION]: cert.validityStartTime.apply(caCertGeneration) } },
      data: { "ca.crt": certBase64 },
    }, { parent }),
    new k8s.core.v1.Secret(`${name}-cluster-ca`, {
      metadata: { name: platformNaming.clusterCaKeySecret(m.clusterName), namespace: ns, labels: caLabels, annotations: { [STRIMZI_CA_KEY_GENERATION]: "0" } },
      stringData: { "ca.key": key.privateKeyPemPkcs8 },
    }, { parent, protect }),
  ];
  return { certBase64, secrets };
}

function resources(r: { readonly cpu: string; readonly memory: string }) {
  return { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memory } };
}

/** On local, broker pools get the object store's credentials (the plugin itself is in the Kafka image). */
export function nodePoolSpec(pool: NodePoolModel, m: KafkaModel, tiered?: ObjectStorageAccess): pulumi.Output<KafkaNodePoolSpec> {
  return pulumi.output(tiered?.credentialsSecret).apply((credentialsSecret): KafkaNodePoolSpec => {
    const isBroker = pool.roles.includes("broker");
    const env = isBroker && m.tieredStorage.enabled && credentialsSecret ? credentialEnv(credentialsSecret) : undefined;
    // Strimzi's rack awareness only requires the zone label on the node (ModelUtils.affinityWithRackLabelSelector):
    // spreading the pool's pods over zones is the pod template's job.
    const spread = { maxSkew: 1, topologyKey: KAFKA_DEFAULTS.rackTopologyKey, whenUnsatisfiable: "DoNotSchedule" as const,
      labelSelector: { matchLabels: { "strimzi.io/cluster": m.clusterName, [STRIMZI_POOL_NAME_LABEL]: pool.name } } };
    const template: NonNullable<KafkaNodePoolSpec["template"]> = {
      ...(m.rackAware ? { pod: { topologySpreadConstraints: [spread] } } : {}),
      ...(env ? { kafkaContainer: { env } } : {}),
    };
    return {
      replicas: pool.replicas,
      roles: pool.roles,
      storage: { type: "persistent-claim", size: pool.storageSize, ...(m.storageClass ? { class: m.storageClass } : {}), deleteClaim: m.deleteClaim },
      resources: resources(pool.resources),
      ...(Object.keys(template).length > 0 ? { template } : {}),
    };
  });
}

function tieredStorageSpec(m: KafkaModel, bucket: string, access: ObjectStorageAccess): TieredStorage {
  return {
    type: "custom",
    remoteStorageManager: {
      className: AIVEN_RSM_CLASS,
      classPath: m.tieredStorage.classPath,
      config: {
        "storage.backend.class": AIVEN_S3_BACKEND,
        "storage.s3.bucket.name": bucket,
        "storage.s3.region": access.region,
        "chunk.size": "4194304",
        // Objects are encrypted by the bucket's default SSE-KMS; credentials come from the default chain (IRSA or env).
        ...(access.endpoint ? { "storage.s3.endpoint.url": access.endpoint, "storage.s3.path.style.access.enabled": "true" } : {}),
      },
    },
  };
}

/** The Kafka custom resource's spec. Pure apart from the resolved bucket name and IRSA annotations. */
export function kafkaSpec(
  m: KafkaModel,
  metricsConfigMap: string,
  bucket: string | undefined,
  tiered: ObjectStorageAccess | undefined,
  serviceAccountAnnotations: Record<string, string> | undefined,
): KafkaSpec {
  const metricsConfig = {
    type: "jmxPrometheusExporter" as const,
    valueFrom: { configMapKeyRef: { name: metricsConfigMap, key: "kafka-metrics-config.yml" } },
  };
  const tieredOn = m.tieredStorage.enabled && tiered !== undefined && bucket !== undefined;
  // Only the platform's own namespaces (tenants included) may reach the brokers.
  const peers = [{ namespaceSelector: { matchLabels: { [PART_OF_LABEL]: PART_OF } } }];
  const operatorResources = { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "512Mi" } };
  return {
    kafka: {
      version: m.version,
      ...(m.image ? { image: m.image } : {}),
      listeners: [
        { name: "tls", port: m.clientPort, type: "internal", tls: true, authentication: { type: "scram-sha-512" }, networkPolicyPeers: peers },
        { name: "mtls", port: m.platformPort, type: "internal", tls: true, authentication: { type: "tls" }, networkPolicyPeers: peers },
      ],
      authorization: { type: "simple", superUsers: [`CN=${PLATFORM_ADMIN_USER}`] },
      config: {
        "default.replication.factor": m.replicationFactor,
        "min.insync.replicas": m.minInsyncReplicas,
        "offsets.topic.replication.factor": m.replicationFactor,
        "transaction.state.log.replication.factor": m.replicationFactor,
        "transaction.state.log.min.isr": m.minInsyncReplicas,
        "unclean.leader.election.enable": false,
        "auto.create.topics.enable": false,
        // The jobs' exactly-once sinks ask for exactly this (sinkTransactionTimeoutMs).
        "transaction.max.timeout.ms": KAFKA_DEFAULTS.transactionMaxTimeoutMs,
        // Strimzi writes remote.log.storage.system.enable itself (KafkaBrokerConfigurationBuilder.withTieredStorage);
        // the metadata topic's replication factor it leaves to the user.
        ...(tieredOn ? { "rlmm.config.remote.log.metadata.topic.replication.factor": m.replicationFactor } : {}),
      },
      ...(m.rackAware ? { rack: { topologyKey: KAFKA_DEFAULTS.rackTopologyKey } } : {}),
      metricsConfig,
      ...(tieredOn ? { tieredStorage: tieredStorageSpec(m, bucket!, tiered!) } : {}),
      ...(serviceAccountAnnotations ? { template: { serviceAccount: { metadata: { annotations: serviceAccountAnnotations } } } } : {}),
    },
    entityOperator: { topicOperator: { resources: operatorResources }, userOperator: { resources: operatorResources } },
    // The platform's CA (clusterCa above), not one Strimzi generates and renews behind the tenants' copies.
    clusterCa: { generateCertificateAuthority: false },
    kafkaExporter: { topicRegex: ".*", groupRegex: ".*", resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } } },
    ...(m.cruiseControl ? { cruiseControl: { autoRebalance: [{ mode: "add-brokers" }, { mode: "remove-brokers" }] } } : {}),
  };
}
