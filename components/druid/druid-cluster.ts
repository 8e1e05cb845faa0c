import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DRUID_API_VERSION, DruidNodeSpec, DruidSpec } from "../../crds/druid";
import { DRUID_DEFAULTS, OBSERVABILITY_DEFAULTS, ResolvedChart } from "../../model/defaults";
import { druidDeletionProperties, DruidModel, DruidNodeModel } from "../../model/druid";
import { platformLabels } from "../../model/labels";
import { platformNaming } from "../../model/naming";
import { customResource, operatorRelease } from "../k8s";
import { credentialEnv } from "../storage/access";
import { DruidMetadataStore } from "./metadata-store";

/** Deep storage and indexing logs. */
export interface DruidStorage {
  readonly bucket: pulumi.Input<string>;
  /** aws: SSE-KMS with this key; the bucket's default encryption applies too. */
  readonly kmsKeyArn?: pulumi.Input<string>;
  readonly region: string;
  /** local: in-cluster S3 endpoint and the Secret (in the Druid namespace) with its credentials. */
  readonly endpoint?: string;
  readonly credentialsSecret?: pulumi.Input<string>;
  /** aws: IRSA annotations for the Druid service account. */
  readonly serviceAccountAnnotations?: pulumi.Input<Record<string, string>>;
}

/** A tenant whose supervisors run in this cluster: its JAAS env var and Secret. */
export interface DruidTenantCredentials {
  readonly env: string;
  readonly secret: string;
}

export interface DruidClusterArgs {
  readonly druid: DruidModel;
  readonly operatorChart: ResolvedChart;
  /** The Druid namespace, created by the platform. */
  readonly namespace: k8s.core.v1.Namespace;
  readonly storage: DruidStorage;
  /** The metadata database: the cluster is created once it is up (on local, once CloudNativePG reports it Ready). */
  readonly metadata: DruidMetadataStore;
  /** Base64 PEM of the Kafka cluster CA, mounted where ingestion tasks read it. */
  readonly kafkaClusterCaCert: pulumi.Input<string>;
  /** Tenants that ingest: ingestion tasks read each one's JAAS line from the environment. */
  readonly tenants: readonly DruidTenantCredentials[];
  readonly protect: boolean;
}

const CREDENTIALS_SECRET = "druid-credentials";
const OPERATOR_AUTH_SECRET = platformNaming.druidOperatorAuthSecret;
const KAFKA_CA_SECRET = "kafka-ca";

/** druid-operator and one ZooKeeper-less Druid cluster with basic security, the Prometheus emitter and PDBs. */
export class DruidCluster extends pulumi.ComponentResource {
  /** The Druid resource, awaited until DruidClusterReady; ingestion depends on it. */
  public readonly cluster: k8s.apiextensions.CustomResource;
  public readonly clusterName: string;
  public readonly namespace: string;
  /** Secret (in the Druid namespace) the operator uses to call Druid's API. */
  public readonly operatorAuthSecret: string;
  public readonly routerUrl: string;
  /** Password of Druid's admin user (a Pulumi secret), for the platform's own clients such as Trino. */
  public readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, args: DruidClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:druid:DruidCluster", name, {}, opts);
    const d = args.druid;
    const child = { parent: this };
    const labels = platformLabels("druid");
    const ns = args.namespace.metadata.name;

    const operator = operatorRelease("druid-operator", {
      chart: args.operatorChart,
      namespace: platformNaming.druidOperatorNamespace,
      labels: platformLabels("druid-operator"),
      values: {
        image: { tag: DRUID_DEFAULTS.operatorImageTag },
        env: { WATCH_NAMESPACE: d.namespace },
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
      },
    }, { ...child, dependsOn: [args.namespace] });

    // Kubernetes-based discovery: pods announce themselves through labels and leader election uses leases.
    const sa = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
      metadata: { name: d.serviceAccount, namespace: ns, labels, annotations: args.storage.serviceAccountAnnotations },
    }, child);
    const role = new k8s.rbac.v1.Role(`${name}-discovery`, {
      metadata: { name: "druid-discovery", namespace: ns, labels },
      rules: [
        { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "patch"] },
        { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
      ],
    }, child);
    const binding = new k8s.rbac.v1.RoleBinding(`${name}-discovery`, {
      metadata: { name: "druid-discovery", namespace: ns, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "druid-discovery" },
      subjects: [{ kind: "ServiceAccount", name: d.serviceAccount, namespace: d.namespace }],
    }, { ...child, dependsOn: [role, sa] });

    const admin = new random.RandomPassword(`${name}-admin`, { length: 32, special: false }, child);
    const internal = new random.RandomPassword(`${name}-internal`, { length: 32, special: false }, child);
    const credentials = new k8s.core.v1.Secret(`${name}-credentials`, {
      metadata: { name: CREDENTIALS_SECRET, namespace: ns, labels },
      stringData: { DRUID_ADMIN_PASSWORD: admin.result, DRUID_INTERNAL_PASSWORD: internal.result },
    }, child);
    const operatorAuth = new k8s.core.v1.Secret(`${name}-operator-auth`, {
      metadata: { name: OPERATOR_AUTH_SECRET, namespace: ns, labels },
      stringData: { OperatorUserName: "admin", OperatorPassword: admin.result },
    }, child);
    const ca = new k8s.core.v1.Secret(`${name}-kafka-ca`, {
      metadata: { name: KAFKA_CA_SECRET, namespace: ns, labels },
      data: { "ca.crt": args.kafkaClusterCaCert },
    }, child);

    const spec = pulumi
      .all([args.storage.bucket, args.storage.kmsKeyArn, args.metadata.connectUri, args.metadata.passwordSecret, args.storage.credentialsSecret])
      .apply(([bucket, kmsKeyArn, connectUri, passwordSecret, storageSecret]) =>
        druidSpec(d, {
          bucket,
          kmsKeyArn,
          region: args.storage.region,
          endpoint: args.storage.endpoint,
          connectUri,
          passwordSecret,
          passwordKey: args.metadata.passwordKey,
          storageSecret,
          tenants: args.tenants,
        }));
    this.cluster = customResource<DruidSpec>(name, {
      apiVersion: DRUID_API_VERSION,
      kind: "Druid",
      metadata: {
        name: d.clusterName,
        namespace: ns,
        labels,
        // Druid reports readiness in its own status field, not as a Ready condition.
        annotations: { "pulumi.com/waitFor": "jsonpath={.status.druidNodeStatus.druidNodeConditionType}=DruidClusterReady" },
      },
      spec,
    }, { ...child, dependsOn: [...operator, binding, credentials, operatorAuth, ca, args.metadata], protect: args.protect, retainOnDelete: args.protect });

    this.clusterName = d.clusterName;
    this.namespace = d.namespace;
    this.operatorAuthSecret = OPERATOR_AUTH_SECRET;
    this.routerUrl = `http://druid-${d.clusterName}-routers.${d.namespace}.svc:8088`;
    this.adminPassword = admin.result;
    this.registerOutputs({ clusterName: this.clusterName, routerUrl: this.routerUrl });
  }
}

export interface DruidSettings {
  readonly bucket: string;
  readonly kmsKeyArn?: string;
  readonly region: string;
  readonly endpoint?: string;
  readonly connectUri: string;
  readonly passwordSecret: string;
  readonly passwordKey: string;
  readonly storageSecret?: string;
  readonly tenants: readonly DruidTenantCredentials[];
}

const EXTENSIONS = [
  "druid-kafka-indexing-service",
  "druid-s3-extensions",
  "postgresql-metadata-storage",
  "druid-kubernetes-extensions",
  "druid-basic-security",
  "prometheus-emitter",
  "druid-datasketches",
];

const envPassword = (variable: string) => JSON.stringify({ type: "environment", variable });

/** common.runtime.properties: ZooKeeper-less, S3 deep storage, PostgreSQL metadata, basic security, Prometheus. */
export function druidCommonProperties(d: DruidModel, s: DruidSettings): string {
  const props: [string, string][] = [
    ["druid.extensions.loadList", JSON.stringify(EXTENSIONS)],
    ["druid.zk.service.enabled", "false"],
    ["druid.discovery.type", "k8s"],
    ["druid.discovery.k8s.clusterIdentifier", d.clusterName],
    ["druid.serverview.type", "http"],
    ["druid.coordinator.loadqueuepeon.type", "http"],
    ["druid.indexer.runner.type", "httpRemote"],
    ["druid.metadata.storage.type", "postgresql"],
    ["druid.metadata.storage.connector.connectURI", s.connectUri],
    ["druid.metadata.storage.connector.user", DRUID_DEFAULTS.databaseUser],
    ["druid.metadata.storage.connector.password", envPassword("METADATA_PASSWORD")],
    ["druid.storage.type", "s3"],
    ["druid.storage.bucket", s.bucket],
    ["druid.storage.baseKey", DRUID_DEFAULTS.segmentsBaseKey],
    // Without it the S3 pusher sets object ACLs (s3:PutObjectAcl, s3:GetBucketAcl), which the role does not grant.
    ["druid.storage.disableAcl", "true"],
    ["druid.indexer.logs.type", "s3"],
    ["druid.indexer.logs.s3Bucket", s.bucket],
    ["druid.indexer.logs.s3Prefix", "indexing-logs"],
    ["druid.indexer.logs.disableAcl", "true"],
    ...(s.kmsKeyArn ? [["druid.storage.sse.type", "kms"], ["druid.storage.sse.kms.keyId", s.kmsKeyArn]] as [string, string][] : []),
    ...(s.endpoint
      ? [["druid.s3.endpoint.url", s.endpoint], ["druid.s3.endpoint.signingRegion", s.region], ["druid.s3.enablePathStyleAccess", "true"]] as [string, string][]
      : []),
    ["druid.emitter", "prometheus"],
    ["druid.emitter.prometheus.strategy", "exporter"],
    ["druid.emitter.prometheus.port", String(DRUID_DEFAULTS.metricsPort)],
    ["druid.emitter.prometheus.namespace", "druid"],
    // A `druid_service` label: the query-latency alerts read the brokers' query/time only.
    ["druid.emitter.prometheus.addServiceAsLabel", "true"],
    ["druid.auth.authenticatorChain", JSON.stringify(["basic"])],
    ["druid.auth.authenticator.basic.type", "basic"],
    ["druid.auth.authenticator.basic.initialAdminPassword", envPassword("DRUID_ADMIN_PASSWORD")],
    ["druid.auth.authenticator.basic.initialInternalClientPassword", envPassword("DRUID_INTERNAL_PASSWORD")],
    ["druid.auth.authenticator.basic.credentialsValidator.type", "metadata"],
    ["druid.auth.authenticator.basic.skipOnFailure", "false"],
    ["druid.auth.authenticator.basic.authorizerName", "basic"],
    ["druid.escalator.type", "basic"],
    ["druid.escalator.internalClientUsername", "druid_system"],
    ["druid.escalator.internalClientPassword", envPassword("DRUID_INTERNAL_PASSWORD")],
    ["druid.escalator.authorizerName", "basic"],
    ["druid.auth.authorizers", JSON.stringify(["basic"])],
    ["druid.auth.authorizer.basic.type", "basic"],
    ["druid.server.hiddenProperties", JSON.stringify(["druid.s3.accessKey", "druid.s3.secretKey", "druid.metadata.storage.connector.password", "password", "sasl.jaas.config"])],
  ];
  return props.map(([k, v]) => `${k}=${v}`).join("\n");
}

const CONFIG_PATHS: Record<DruidNodeModel["nodeType"], string> = {
  coordinator: "master/coordinator-overlord",
  broker: "query/broker",
  router: "query/router",
  middleManager: "data/middleManager",
  historical: "data/historical",
};

/** Segment cache size: 90% of the volume, leaving room for the filesystem and temporary files. */
export function segmentCacheSize(volume: string): string {
  const m = /^(\d+)(Mi|Gi|Ti)$/.exec(volume);
  if (!m) throw new Error(`unsupported volume size ${volume}`);
  const gib = (Number(m[1]) * { Mi: 1 / 1024, Gi: 1, Ti: 1024 }[m[2] as "Mi" | "Gi" | "Ti"]) * 0.9;
  return `${Math.floor(gib)}GiB`;
}

const MIB = 1024 * 1024;

/**
 * What a middle manager passes its peons: their JVM and processing sizes from the model, and their metrics.
 * A peon gets the middle manager's own properties, overridden by `druid.indexer.fork.property.*` (ForkingTaskRunner),
 * so without these it would inherit the exporter strategy and port the middle manager itself listens on.
 */
export function peonProperties(d: DruidModel): string[] {
  const p = d.workers.peon;
  const fork = (key: string, value: string | number) => `druid.indexer.fork.property.${key}=${value}`;
  const javaOpts = jvmFlags([`-Xms${p.heapMi}m`, `-Xmx${p.heapMi}m`, `-XX:MaxDirectMemorySize=${p.directMemoryMi}m`]);
  const metrics = d.peonPushgateway
    ? [
        // Peons are short-lived: the emitter's docs want them pushing to a Pushgateway, and deleting their
        // series once done, after two scrapes have seen the last values.
        fork("druid.emitter.prometheus.strategy", "pushgateway"),
        fork("druid.emitter.prometheus.pushGatewayAddress", d.peonPushgateway),
        fork("druid.emitter.prometheus.deletePushGatewayMetricsOnShutdown", "true"),
        fork("druid.emitter.prometheus.waitForShutdownDelay", 2 * OBSERVABILITY_DEFAULTS.scrapeIntervalSeconds * 1000),
      ]
    : [fork("druid.emitter", "noop")];
  return [
    `druid.worker.capacity=${d.workers.capacity}`,
    "druid.indexer.task.baseTaskDir=/druid/data/task",
    `druid.indexer.runner.javaOptsArray=${JSON.stringify(javaOpts)}`,
    fork("druid.processing.buffer.sizeBytes", p.processingBufferMi * MIB),
    fork("druid.processing.numThreads", p.processingThreads),
    fork("druid.processing.numMergeBuffers", p.mergeBuffers),
    ...metrics,
  ];
}

function nodeProperties(n: DruidNodeModel, d: DruidModel): string[] {
  const service = n.nodeType === "coordinator" ? "druid/coordinator" : `druid/${n.nodeType}`;
  const props = [`druid.service=${service}`, `druid.plaintextPort=${n.port}`];
  switch (n.nodeType) {
    case "coordinator":
      return [
        ...props,
        "druid.coordinator.asOverlord.enabled=true",
        "druid.coordinator.asOverlord.overlordService=druid/overlord",
        "druid.indexer.queue.startDelay=PT30S",
        // The default, `local`, keeps tasks in the leader's memory: a second overlord taking over would not know them.
        "druid.indexer.storage.type=metadata",
        ...druidDeletionProperties(d),
      ];
    case "router":
      return [...props, "druid.router.managementProxy.enabled=true"];
    case "middleManager":
      return [...props, ...peonProperties(d)];
    case "historical":
      return [
        ...props,
        `druid.server.tier=${n.tier}`,
        `druid.segmentCache.locations=${JSON.stringify([{ path: "/druid/data/segments", maxSize: segmentCacheSize(n.storage!) }])}`,
      ];
    default:
      return props;
  }
}

/**
 * Env every Druid pod needs: the pod's name and namespace, which k8s discovery's PodInfo reads at start-up
 * (druid-kubernetes-extensions), and the passwords and store keys common.runtime.properties names.
 */
function commonEnv(s: DruidSettings): k8s.types.input.core.v1.EnvVar[] {
  return [
    { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
    { name: "METADATA_PASSWORD", valueFrom: { secretKeyRef: { name: s.passwordSecret, key: s.passwordKey } } },
    { name: "DRUID_ADMIN_PASSWORD", valueFrom: { secretKeyRef: { name: CREDENTIALS_SECRET, key: "DRUID_ADMIN_PASSWORD" } } },
    { name: "DRUID_INTERNAL_PASSWORD", valueFrom: { secretKeyRef: { name: CREDENTIALS_SECRET, key: "DRUID_INTERNAL_PASSWORD" } } },
    ...(s.storageSecret ? credentialEnv(s.storageSecret) : []),
  ];
}

/** Nodes that talk to tenants' topics: the overlord (here the coordinators) runs the supervisors, middle managers the tasks. */
function readsKafka(n: DruidNodeModel): boolean {
  return n.nodeType === "coordinator" || n.nodeType === "middleManager";
}

function nodeSpec(n: DruidNodeModel, d: DruidModel, s: DruidSettings): DruidNodeSpec {
  const data = n.storage
    ? {
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: n.storage } } } }],
        volumeMounts: [{ name: "data", mountPath: "/druid/data" }],
      }
    : {};
  // Only the nodes that read tenants' topics hold their Kafka credentials and the cluster CA. A node's env
  // replaces the cluster's (effectiveEnv), so it carries the common env too.
  const ingest = readsKafka(n)
    ? {
        // Optional: with split stacks the tenants' stack creates these Secrets; the cluster must start without them
        // (a supervisor whose tenant has none yet fails to connect until then).
        env: [...commonEnv(s), ...s.tenants.map((t) => ({ name: t.env, valueFrom: { secretKeyRef: { name: t.secret, key: "sasl.jaas.config", optional: true } } }))],
        volumes: [{ name: "kafka-ca", secret: { secretName: KAFKA_CA_SECRET } }],
        volumeMounts: [...(data.volumeMounts ?? []), { name: "kafka-ca", mountPath: DRUID_DEFAULTS.caDir, readOnly: true }],
      }
    : {};
  return {
    nodeType: n.nodeType,
    "druid.port": n.port,
    nodeConfigMountPath: `/opt/druid/conf/druid/cluster/${CONFIG_PATHS[n.nodeType]}`,
    replicas: n.replicas,
    "runtime.properties": nodeProperties(n, d).join("\n"),
    // The middle manager's own JVM is small and fixed: the container's memory is for its peons.
    ...(n.nodeType === "middleManager" ? { "jvm.options": jvmOptions([`-Xms${DRUID_DEFAULTS.middleManagerHeapMi}m`, `-Xmx${DRUID_DEFAULTS.middleManagerHeapMi}m`]) } : {}),
    kind: "StatefulSet",
    resources: { requests: { cpu: n.cpu, memory: n.memory }, limits: { memory: n.memory } },
    podDisruptionBudgetSpec: { maxUnavailable: 1 },
    // Named, so the PodMonitor finds it: the operator declares only druid.port and these.
    ports: [{ name: DRUID_DEFAULTS.metricsPortName, containerPort: DRUID_DEFAULTS.metricsPort, protocol: "TCP" }],
    ...data,
    ...ingest,
  };
}

/**
 * Logging for every Druid process, peons included (they share the middle manager's class path). The operator
 * mounts the common ConfigMap over conf/druid/cluster/_common, hiding the image's log4j2.xml, and writes one only
 * from `log4j.config` (druid-operator makeConfigMapForNodeSpec): without it Log4j2 falls back to errors only.
 */
export const LOG4J_CONFIG = `<?xml version="1.0" encoding="UTF-8" ?>
<Configuration status="WARN">
  <Appenders>
    <Console name="Console" target="SYSTEM_OUT">
      <PatternLayout pattern="%d{ISO8601} %p [%t] %c - %m%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="info">
      <AppenderRef ref="Console"/>
    </Root>
  </Loggers>
</Configuration>
`;

/** A Druid JVM's flags: the sizing given, then what every Druid JVM needs. */
function jvmFlags(sizing: readonly string[]): string[] {
  return ["-server", ...sizing, "-XX:+ExitOnOutOfMemoryError", "-Duser.timezone=UTC", "-Dfile.encoding=UTF-8"];
}

/** A `jvm.options` file: one flag per line. */
function jvmOptions(sizing: readonly string[]): string {
  return jvmFlags(sizing).join("\n");
}

/** The Druid custom resource's spec. Pure. */
export function druidSpec(d: DruidModel, s: DruidSettings): DruidSpec {
  return {
    image: d.image,
    serviceAccount: d.serviceAccount,
    "common.runtime.properties": druidCommonProperties(d, s),
    "jvm.options": jvmOptions(["-XX:MaxRAMPercentage=60"]),
    "log4j.config": LOG4J_CONFIG,
    env: commonEnv(s),
    securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 },
    podLabels: platformLabels("druid"),
    // K8sDruidNodeAnnouncer JSON-patches /metadata/annotations/<key>, which fails on a pod with none.
    podAnnotations: { "analytics-platform.io/druid-cluster": d.clusterName },
    services: [{ spec: { type: "ClusterIP", clusterIP: "None" } }],
    nodes: Object.fromEntries(d.nodes.map((n) => [n.key, nodeSpec(n, d, s)])),
  };
}
