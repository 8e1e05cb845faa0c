import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DRUID_API_VERSION, DruidIngestionSpec } from "../crds/druid";
import { MONITORING_API_VERSION, PodMonitorSpec } from "../crds/monitoring";
import { FLINK_DEFAULTS } from "../model/defaults";
import { REGISTRATION, registrationFiles, registrationScript } from "../model/schema-registry";
import { DATA_CONTRACTS } from "../model/contracts";
import { FLINK_POD_SELECTOR, tenantFlinkMonitor } from "../monitoring/monitors";
import { KafkaTopicSpec, KafkaUserSpec, STRIMZI_API_VERSION } from "../crds/strimzi";
import { strimziLabels, tenantLabels } from "../model/labels";
import { TenantModel } from "../model/platform-model";
import { FlinkIdentity, FlinkJob, flinkRoleRules, FLINK_ROLE, FlinkStateStorage } from "./flink/flink-job";
import { FlinkModel } from "../model/flink";
import { platformNaming, TENANT_COMPONENT_TYPE } from "../model/naming";
import { customResource, HARDENED_CONTAINER, HARDENED_POD, namespace } from "./k8s";
import { credentialData, LOCAL_CREDENTIALS_SECRET } from "./storage/access";

/** What a tenant needs to know of the shared Kafka cluster. */
export interface KafkaConnection {
  readonly clusterName: string;
  /** Namespace of the cluster, where Strimzi reconciles topics and users. */
  readonly namespace: pulumi.Input<string>;
  readonly bootstrapServers: pulumi.Input<string>;
  readonly clientPort: number;
  /** Base64 PEM of the cluster CA. */
  readonly clusterCaCert: pulumi.Input<string>;
  /** The Kafka resource, when in this stack: topics and users are created once it is ready. */
  readonly cluster?: pulumi.Resource;
}

/** What a tenant needs of the shared layers besides Kafka; undefined parts are not in use. */
export interface TenantPlatformServices {
  /** The lake, when the tenant uses it: Trino's address and CA, the tenant's Trino password, where its tables live. */
  readonly lake?: {
    readonly trinoUrl: string;
    readonly caCert: pulumi.Input<string>;
    readonly password: pulumi.Input<string>;
    readonly namespace: string;
    /** Ports in the lake namespace the tenant's pods may reach. */
    readonly egressPorts: readonly number[];
    /** aws: location of the tenant's Glue database. */
    readonly glueLocation?: pulumi.Input<string>;
    /** What the tenant's lake job may reach. */
    readonly jobs?: FlinkStateStorage["lake"];
  };
  /** Prometheus: the CRDs for the tenant's monitors, and the namespace allowed to scrape it. */
  readonly monitoring?: { readonly crds?: pulumi.Resource; readonly namespace: string };
  /** The Druid cluster its supervisors run in. */
  readonly druid?: {
    /** In this stack only; across stacks the cluster already exists. */
    readonly cluster?: pulumi.Resource;
    readonly clusterName: string;
    readonly namespace: string;
    readonly operatorAuthSecret: string;
  };
  /** The Flink operator release: FlinkDeployments need its CRDs. */
  readonly flinkOperator?: pulumi.Resource;
  /** Bucket (and, on AWS, identity) for the tenant's Flink state. */
  readonly flinkStorage?: FlinkStateStorage;
  /** cloud: local — this tenant's user of the in-cluster object store. */
  readonly objectStoreCredentials?: { readonly accessKey: string; readonly secretKey: pulumi.Input<string> };
  /** The schema registry, when the tenant has subjects: its address, CA and the tenant's own registry user. */
  readonly schemaRegistry?: {
    /** In this stack only; across stacks it already exists. */
    readonly registry?: pulumi.Resource;
    readonly url: string;
    readonly caCert: pulumi.Input<string>;
    readonly username: string;
    readonly password: pulumi.Input<string>;
    readonly namespace: string;
    readonly port: number;
    readonly registrationImage: string;
  };
}

export interface TenantArgs {
  /** The tenant's resolved names and sizes. */
  readonly model: TenantModel;
  readonly kafka: KafkaConnection;
  /** Protect the tenant's stateful resources (prod). Topics are retained on delete in every environment. */
  readonly protect: boolean;
  readonly flink: FlinkModel;
  readonly services: TenantPlatformServices;
}

/** JAAS line for SCRAM clients (Kafka's own client config format). */
export function scramJaasConfig(username: string, password: string): string {
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`;
}

/** Everything one tenant owns: namespace and its guard rails, topics, Kafka user and credentials. */
export class Tenant extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly topics: pulumi.Output<string[]>;
  /** Name of the Secret in the tenant namespace with the Kafka client settings. */
  public readonly credentialsSecret: pulumi.Output<string>;

  constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TENANT_COMPONENT_TYPE, name, {}, opts);
    const t = args.model;
    const labels = tenantLabels(t.name, "tenant");
    const child = { parent: this };

    const ns = namespace(t.namespace, labels, child);
    const nsName = ns.metadata.name;

    new k8s.core.v1.ResourceQuota(`${name}-quota`, {
      metadata: { name: "tenant-quota", namespace: nsName, labels },
      spec: {
        hard: {
          "requests.cpu": String(t.quota.cpu),
          "requests.memory": `${t.quota.memoryGi}Gi`,
          "limits.memory": `${t.quota.memoryGi * 2}Gi`,
          pods: String(t.quota.pods),
          persistentvolumeclaims: String(t.quota.persistentVolumeClaims),
          "services.loadbalancers": "0",
          "services.nodeports": "0",
        },
      },
    }, child);
    // Pods without requests would be refused by the quota; give them sane defaults instead.
    new k8s.core.v1.LimitRange(`${name}-limits`, {
      metadata: { name: "tenant-defaults", namespace: nsName, labels },
      spec: {
        limits: [{
          type: "Container",
          defaultRequest: { cpu: "100m", memory: "256Mi" },
          default: { cpu: "1", memory: "1Gi" },
          max: { memory: "32Gi" },
        }],
      },
    }, child);

    this.networkPolicies(name, nsName, labels, args.kafka);

    const kafkaNs = args.kafka.namespace;
    const kafkaLabels = strimziLabels(args.kafka.clusterName, tenantLabels(t.name, "kafka"));
    const kafkaReady = args.kafka.cluster ? [args.kafka.cluster] : [];
    const afterKafka = { parent: this, dependsOn: kafkaReady };
    // Deleting a KafkaTopic deletes the topic's data: retain them whatever happens to the config entry.
    const topicOpts = { ...afterKafka, retainOnDelete: true, protect: args.protect };
    const topics = t.topics.map((topic) =>
      customResource<KafkaTopicSpec>(`${name}-topic-${topic.name}`, {
        apiVersion: STRIMZI_API_VERSION,
        kind: "KafkaTopic",
        metadata: { name: topic.name, namespace: kafkaNs, labels: kafkaLabels },
        spec: { partitions: topic.partitions, replicas: topic.replicas, config: topic.config },
      }, topicOpts),
    );

    const password = new random.RandomPassword(`${name}-kafka-password`, { length: 32, special: false }, child);
    const passwordSecret = new k8s.core.v1.Secret(`${name}-kafka-password`, {
      metadata: { name: t.kafkaUser.passwordSecret, namespace: kafkaNs, labels: tenantLabels(t.name, "kafka") },
      type: "Opaque",
      stringData: { password: password.result },
    }, child);

    customResource<KafkaUserSpec>(`${name}-kafka-user`, {
      apiVersion: STRIMZI_API_VERSION,
      kind: "KafkaUser",
      metadata: { name: t.kafkaUser.name, namespace: kafkaNs, labels: kafkaLabels },
      spec: {
        authentication: { type: "scram-sha-512", password: { valueFrom: { secretKeyRef: { name: t.kafkaUser.passwordSecret, key: "password" } } } },
        authorization: { type: "simple", acls: t.kafkaUser.acls.map((a) => ({ type: "allow", resource: a.resource, operations: a.operations })) },
        quotas: t.kafkaUser.quotas,
      },
    }, { ...afterKafka, dependsOn: [...kafkaReady, passwordSecret] });

    const credentials = new k8s.core.v1.Secret(`${name}-kafka-credentials`, {
      metadata: { name: t.credentialsSecret, namespace: nsName, labels },
      type: "Opaque",
      data: { "ca.crt": args.kafka.clusterCaCert },
      stringData: {
        username: t.kafkaUser.name,
        password: password.result,
        "bootstrap.servers": args.kafka.bootstrapServers,
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.jaas.config": pulumi.secret(password.result.apply((p) => scramJaasConfig(t.kafkaUser.name, p))),
      },
    }, child);

    const lakeDeps = t.lake ? this.lake(name, t, nsName, labels, args) : [];
    if (Object.keys(t.contracts).length > 0) this.contracts(name, t, nsName, labels);
    if (t.subjects.length > 0) this.schemas(name, t, nsName, labels, args);
    if (t.flinkJobs.length > 0) this.flinkJobs(name, t, nsName, labels, args, [...topics, credentials, ...lakeDeps]);
    if (t.druidIngestions.length > 0) this.druidIngestions(name, t, args, password.result, topics);

    this.namespace = nsName;
    this.topics = pulumi.output(t.topics.map((x) => x.name));
    this.credentialsSecret = credentials.metadata.name;
    this.registerOutputs({ namespace: this.namespace, topics: this.topics, credentialsSecret: this.credentialsSecret });
  }

  /** The tenant's lake schema (a Glue database on AWS), its Trino credentials, and egress to the lake. */
  private lake(name: string, t: TenantModel, ns: pulumi.Output<string>, labels: Record<string, string>, args: TenantArgs): pulumi.Resource[] {
    const lake = args.services.lake;
    if (!lake || !t.lake) throw new Error(`tenant ${t.name} uses the lake but the platform has none`);
    const child = { parent: this };
    const deps: pulumi.Resource[] = [];
    if (lake.glueLocation) {
      // The schema holds the tenant's tables: retained when the tenant leaves the config.
      deps.push(new aws.glue.CatalogDatabase(`${name}-lake`, {
        name: t.lake.schema,
        description: `analytics-platform lake schema of tenant ${t.name}`,
        locationUri: lake.glueLocation,
      }, { ...child, protect: args.protect, retainOnDelete: true }));
    }
    new k8s.core.v1.Secret(`${name}-trino-credentials`, {
      metadata: { name: "trino-credentials", namespace: ns, labels },
      type: "Opaque",
      stringData: { url: lake.trinoUrl, username: t.lake.user, password: lake.password, "ca.crt": lake.caCert },
    }, child);
    new k8s.networking.v1.NetworkPolicy(`${name}-allow-lake`, {
      metadata: { name: "allow-lake", namespace: ns, labels },
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": lake.namespace } } }],
          ports: lake.egressPorts.map((port) => ({ protocol: "TCP", port })),
        }],
      },
    }, child);
    return deps;
  }

  /** The tenant's data contracts, for tools and the policy pack, and with any PII the salt of its hashes. */
  private contracts(name: string, t: TenantModel, ns: pulumi.Output<string>, labels: Record<string, string>): void {
    const child = { parent: this };
    new k8s.core.v1.ConfigMap(`${name}-data-contracts`, {
      metadata: { name: DATA_CONTRACTS.configMap, namespace: ns, labels },
      data: { [DATA_CONTRACTS.key]: JSON.stringify(t.contracts, null, 2) },
    }, child);
    if (Object.values(t.contracts).some((c) => Object.keys(c.pii).length > 0)) {
      // The salt of the tenant's PII hashes: its own, so equal values of two tenants hash apart.
      const salt = new random.RandomPassword(`${name}-pii-salt`, { length: 32, special: false }, child);
      new k8s.core.v1.Secret(`${name}-pii-salt`, {
        metadata: { name: DATA_CONTRACTS.saltSecret, namespace: ns, labels },
        stringData: { [DATA_CONTRACTS.saltKey]: salt.result },
      }, child);
    }
  }

  /** Registry credentials in the tenant's namespace, egress to the registry, and a Job registering its subjects as the tenant. */
  private schemas(name: string, t: TenantModel, ns: pulumi.Output<string>, labels: Record<string, string>, args: TenantArgs): void {
    const registry = args.services.schemaRegistry;
    if (!registry) throw new Error(`tenant ${t.name} has schemas but the platform has no schema registry`);
    const child = { parent: this };
    const r = REGISTRATION;
    const credentials = new k8s.core.v1.Secret(`${name}-schema-registry-credentials`, {
      metadata: { name: r.credentialsSecret, namespace: ns, labels },
      type: "Opaque",
      stringData: {
        url: registry.url,
        username: registry.username,
        password: registry.password,
        // What Confluent-API clients (Flink's avro-confluent format, Druid's schema_registry decoder) take.
        "basic.auth.user.info": pulumi.secret(pulumi.interpolate`${registry.username}:${registry.password}`),
        "ca.crt": registry.caCert,
      },
    }, child);
    const egress = new k8s.networking.v1.NetworkPolicy(`${name}-allow-schema-registry`, {
      metadata: { name: "allow-schema-registry", namespace: ns, labels },
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": registry.namespace } } }], ports: [{ protocol: "TCP", port: registry.port }] }],
      },
    }, child);
    const files = registrationFiles(t.subjects);
    const script = registrationScript(t.subjects, registry.url);
    // A Job runs once, and its pod template cannot change: new content changes the template's annotation, which
    // makes the provider replace the Job (deleting it first: it keeps its name), so `pulumi up` registers it.
    const digest = createHash("sha256").update(script).update(JSON.stringify(files)).digest("hex");
    const configMap = new k8s.core.v1.ConfigMap(`${name}-schema-registration`, {
      metadata: { name: "schema-registration", namespace: ns, labels },
      data: { ...files, "register.sh": script },
    }, child);
    new k8s.batch.v1.Job(`${name}-schema-registration`, {
      metadata: { name: "schema-registration", namespace: ns, labels },
      spec: {
        // The registry may still be starting on a first `pulumi up`.
        backoffLimit: 6,
        activeDeadlineSeconds: 900,
        template: {
          metadata: { labels, annotations: { "analytics-platform.io/schemas-sha256": digest } },
          spec: {
            restartPolicy: "Never",
            ...HARDENED_POD,
            containers: [{
              name: "register",
              image: registry.registrationImage,
              imagePullPolicy: "Always",
              command: ["sh", `${r.schemasDir}/register.sh`],
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "64Mi" } },
              securityContext: HARDENED_CONTAINER,
              volumeMounts: [
                { name: "schemas", mountPath: r.schemasDir, readOnly: true },
                { name: "credentials", mountPath: r.credentialsDir, readOnly: true },
                { name: "work", mountPath: r.workDir },
              ],
            }],
            volumes: [
              { name: "schemas", configMap: { name: "schema-registration" } },
              { name: "credentials", secret: { secretName: r.credentialsSecret, items: ["username", "password", "ca.crt"].map((key) => ({ key, path: key })) } },
              { name: "work", emptyDir: { sizeLimit: "1Mi" } },
            ],
          },
        },
      },
    }, { ...child, deleteBeforeReplace: true, dependsOn: [credentials, egress, configMap, ...(registry.registry ? [registry.registry] : [])] });
  }

  private flinkJobs(name: string, t: TenantModel, ns: pulumi.Output<string>, labels: Record<string, string>, args: TenantArgs, deps: pulumi.Resource[]): void {
    const child = { parent: this };
    const { flinkOperator, flinkStorage, objectStoreCredentials } = args.services;
    if (!flinkStorage) throw new Error(`tenant ${t.name} runs jobs but the platform has no Flink state storage`);
    if (objectStoreCredentials) {
      deps.push(new k8s.core.v1.Secret(`${name}-object-store`, {
        metadata: { name: LOCAL_CREDENTIALS_SECRET, namespace: ns, labels },
        stringData: credentialData(objectStoreCredentials.accessKey, objectStoreCredentials.secretKey),
      }, child));
    }
    deps.push(new k8s.rbac.v1.Role(`${name}-flink`, { metadata: { name: FLINK_ROLE, namespace: ns, labels }, rules: flinkRoleRules() }, child));
    const policy = (suffix: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
      new k8s.networking.v1.NetworkPolicy(`${name}-${suffix}`, { metadata: { name: suffix, namespace: ns, labels }, spec }, child);
    // JobManager and TaskManagers talk to each other; the operator reaches the JobManager's REST API.
    policy("allow-same-namespace", {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    });
    policy("allow-flink-operator", {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": platformNaming.flinkOperatorNamespace } } }], ports: [{ protocol: "TCP", port: 8081 }] }],
    });
    // JobManagers call the Kubernetes API (TaskManager pods, HA) and object storage over HTTPS: anywhere but
    // the cluster's pod and service ranges, so not other tenants' pods.
    policy("allow-https-egress", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        { to: args.flink.httpsEgress.map((p) => ({ ipBlock: { cidr: p.ipBlock.cidr, except: p.ipBlock.except && [...p.ipBlock.except] } })), ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 6443 }] },
        ...(flinkStorage.endpoint
          ? [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": platformNaming.objectStoreNamespace } } }], ports: [{ protocol: "TCP", port: 9000 }] }]
          : []),
      ],
    });
    const monitoring = args.services.monitoring;
    if (monitoring) {
      policy("allow-prometheus", {
        podSelector: { matchLabels: { ...FLINK_POD_SELECTOR } },
        policyTypes: ["Ingress"],
        ingress: [{
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": monitoring.namespace } } }],
          ports: [{ protocol: "TCP", port: FLINK_DEFAULTS.metricsPort }],
        }],
      });
      const monitor = tenantFlinkMonitor(t.name, t.namespace);
      customResource<PodMonitorSpec>(`${name}-flink-monitor`, {
        apiVersion: MONITORING_API_VERSION,
        kind: "PodMonitor",
        metadata: { name: monitor.name, namespace: ns, labels },
        spec: monitor.spec,
      }, { parent: this, dependsOn: monitoring.crds ? [monitoring.crds] : [] });
    }
    const storage = { ...flinkStorage, lake: args.services.lake?.jobs };
    const identity = new FlinkIdentity(`${name}-flink`, { tenant: t.name, namespace: ns, namespaceName: t.namespace, storage }, child);
    for (const job of t.flinkJobs) {
      new FlinkJob(`${name}-${job.job}`, {
        tenant: t.name,
        job,
        flink: args.flink,
        namespace: ns,
        kafkaCredentialsSecret: t.credentialsSecret,
        storage,
        dependsOn: [...(flinkOperator ? [flinkOperator] : []), identity.serviceAccount, ...deps],
      }, child);
    }
  }

  /** The tenant's supervisors, in the Druid namespace (where the operator reconciles them), reading only its topics. */
  private druidIngestions(name: string, t: TenantModel, args: TenantArgs, password: pulumi.Output<string>, topics: pulumi.Resource[]): void {
    const druid = args.services.druid;
    if (!druid) throw new Error(`tenant ${t.name} has datasources but the platform has no Druid cluster`);
    const labels = tenantLabels(t.name, "druid");
    const jaas = new k8s.core.v1.Secret(`${name}-druid-kafka`, {
      metadata: { name: t.druidKafkaSecret, namespace: druid.namespace, labels },
      stringData: { "sasl.jaas.config": pulumi.secret(password.apply((p) => scramJaasConfig(t.kafkaUser.name, p))) },
    }, { parent: this });
    for (const ingestion of t.druidIngestions) {
      customResource<DruidIngestionSpec>(`${name}-ingestion-${ingestion.spec}`, {
        apiVersion: DRUID_API_VERSION,
        kind: "DruidIngestion",
        metadata: { name: ingestion.name, namespace: druid.namespace, labels },
        spec: {
          suspend: false,
          druidCluster: druid.clusterName,
          ingestion: {
            type: "kafka",
            nativeSpec: ingestion.nativeSpec,
            rules: ingestion.rules,
            // Merge the small real-time segments into daily ones once a day has passed.
            compaction: { skipOffsetFromLatest: "P1D", granularitySpec: { segmentGranularity: "DAY" } },
          },
          auth: { type: "basic-auth", secretRef: { name: druid.operatorAuthSecret, namespace: druid.namespace } },
        },
      }, { parent: this, dependsOn: [...(druid.cluster ? [druid.cluster] : []), jaas, ...topics] });
    }
  }

  /** Default deny in and out; then DNS, and egress to the brokers' client listener only. */
  private networkPolicies(name: string, ns: pulumi.Output<string>, labels: Record<string, string>, kafka: KafkaConnection): void {
    const child = { parent: this };
    const policy = (suffix: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
      new k8s.networking.v1.NetworkPolicy(`${name}-${suffix}`, { metadata: { name: suffix, namespace: ns, labels }, spec }, child);
    policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    policy("allow-dns", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
      }],
    });
    policy("allow-kafka", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{
        to: [{
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": kafka.namespace } },
          podSelector: { matchLabels: { "strimzi.io/cluster": kafka.clusterName, "strimzi.io/broker-role": "true" } },
        }],
        ports: [{ protocol: "TCP", port: kafka.clientPort }],
      }],
    });
  }
}
