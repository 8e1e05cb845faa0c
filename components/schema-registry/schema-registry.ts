import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { KafkaTopicSpec, KafkaUserSpec, STRIMZI_API_VERSION } from "../../crds/strimzi";
import { DEFAULT_COMPATIBILITY } from "../../model/contracts";
import { SCHEMA_REGISTRY_DEFAULTS } from "../../model/defaults";
import { platformLabels, strimziLabels } from "../../model/labels";
import { karapaceAuthFile, RegistryCredential, registryKafkaAcls, registryUser, SchemaRegistryModel } from "../../model/schema-registry";
import { customResource, HARDENED_CONTAINER, HARDENED_POD, namespace } from "../k8s";
import { KafkaConnection } from "../tenant";
import { serviceCertificate, serviceDnsNames } from "../tls";

export interface SchemaRegistryArgs {
  /** The registry's model: image, replicas, names and the tenants it serves. */
  readonly model: SchemaRegistryModel;
  /** The Kafka cluster it stores schemas in, over SCRAM and TLS. */
  readonly kafka: KafkaConnection;
  /** Replication of its storage topic: the cluster's. */
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  /** Protect and retain the storage topic (prod): it holds every registered schema. */
  readonly protect: boolean;
}

const AUTH_SECRET = "schema-registry-auth";
const TLS_SECRET = "schema-registry-tls";
const KAFKA_SECRET = "schema-registry-kafka";
const PATHS = { auth: "/etc/karapace/auth", tls: "/etc/karapace/tls", kafkaCa: "/etc/karapace/kafka-ca", tmp: "/tmp" } as const;

/**
 * Karapace, the platform's schema registry: schemas kept in a compacted Kafka topic, reached over SCRAM/TLS with
 * its own Kafka identity; HTTPS for clients; every tenant a user of its own confined by Karapace's authorization
 * to the subjects under its prefix.
 */
export class SchemaRegistry extends pulumi.ComponentResource {
  /** Per tenant: its registry password (a Pulumi secret), handed to the tenant's namespace by the Tenant. */
  public readonly tenantPasswords: Readonly<Record<string, pulumi.Output<string>>>;
  /** PEM of the CA that signed the registry's certificate. */
  public readonly caCert: pulumi.Output<string>;
  public readonly url: string;

  constructor(name: string, args: SchemaRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:schema-registry:SchemaRegistry", name, {}, opts);
    const m = args.model;
    const child = { parent: this };
    const labels = platformLabels("schema-registry");
    const ns = namespace(m.namespace, labels, child).metadata.name;

    // Its own Kafka identity: the storage topic, its election group and its readers' groups, nothing else.
    const kafkaLabels = strimziLabels(args.kafka.clusterName, platformLabels("schema-registry"));
    const afterKafka = { parent: this, dependsOn: args.kafka.cluster ? [args.kafka.cluster] : [] };
    const kafkaPassword = new random.RandomPassword(`${name}-kafka-password`, { length: 32, special: false }, child);
    const kafkaPasswordSecret = new k8s.core.v1.Secret(`${name}-kafka-password`, {
      metadata: { name: m.kafkaPasswordSecret, namespace: args.kafka.namespace, labels: kafkaLabels },
      stringData: { password: kafkaPassword.result },
    }, child);
    const user = customResource<KafkaUserSpec>(`${name}-kafka-user`, {
      apiVersion: STRIMZI_API_VERSION,
      kind: "KafkaUser",
      metadata: { name: m.kafkaUser, namespace: args.kafka.namespace, labels: kafkaLabels },
      spec: {
        authentication: { type: "scram-sha-512", password: { valueFrom: { secretKeyRef: { name: m.kafkaPasswordSecret, key: "password" } } } },
        authorization: { type: "simple", acls: registryKafkaAcls(m).map((a) => ({ type: "allow", ...a })) },
      },
    }, { ...afterKafka, dependsOn: [...afterKafka.dependsOn, kafkaPasswordSecret] });
    // Every registered schema lives here: compacted for ever, retained whatever happens to the program.
    const topic = customResource<KafkaTopicSpec>(`${name}-topic`, {
      apiVersion: STRIMZI_API_VERSION,
      kind: "KafkaTopic",
      metadata: { name: "schema-registry-schemas", namespace: args.kafka.namespace, labels: kafkaLabels },
      spec: {
        topicName: m.topic,
        partitions: 1,
        replicas: args.replicationFactor,
        config: { "cleanup.policy": "compact", "min.insync.replicas": args.minInsyncReplicas, "unclean.leader.election.enable": false },
      },
    }, { ...afterKafka, protect: args.protect, retainOnDelete: true });

    const cert = serviceCertificate(name, {
      caName: "analytics-platform schema registry CA",
      commonName: m.name,
      dnsNames: [...serviceDnsNames(m.name, m.namespace), `*.${m.headlessService}.${m.namespace}.svc`],
    }, child);
    const tlsSecret = new k8s.core.v1.Secret(`${name}-tls`, {
      metadata: { name: TLS_SECRET, namespace: ns, labels },
      stringData: { "tls.crt": cert.certPem, "tls.key": pulumi.secret(cert.keyPem), "ca.crt": cert.caCert },
    }, child);
    const kafkaSecret = new k8s.core.v1.Secret(`${name}-kafka`, {
      metadata: { name: KAFKA_SECRET, namespace: ns, labels },
      data: { "ca.crt": args.kafka.clusterCaCert },
      stringData: { password: kafkaPassword.result },
    }, child);

    const credential = (username: string, id: string) => {
      const password = new random.RandomPassword(`${name}-${id}`, { length: 32, special: false }, child);
      const salt = new random.RandomPassword(`${name}-${id}-salt`, { length: 22, special: false }, child);
      return { username, password: password.result, salt: salt.result };
    };
    const admin = credential(SCHEMA_REGISTRY_DEFAULTS.adminUser, "admin");
    const tenants = m.tenants.map((tenant) => ({ tenant, ...credential(registryUser(tenant), `tenant-${tenant}`) }));
    const plain = (c: { username: string; password: pulumi.Output<string>; salt: pulumi.Output<string> }) =>
      pulumi.all([c.password, c.salt]).apply(([password, salt]): RegistryCredential => ({ username: c.username, password, salt }));
    const authFile = pulumi.all([plain(admin), pulumi.all(tenants.map((t) => plain(t)))]).apply(([a, ts]) =>
      karapaceAuthFile(a, ts.map((credential, i) => ({ tenant: tenants[i].tenant, credential }))));
    const authSecret = new k8s.core.v1.Secret(`${name}-auth`, {
      metadata: { name: AUTH_SECRET, namespace: ns, labels },
      stringData: { "auth.json": pulumi.secret(authFile) },
    }, child);

    const headless = new k8s.core.v1.Service(`${name}-headless`, {
      metadata: { name: m.headlessService, namespace: ns, labels },
      spec: { clusterIP: "None", selector: labels, ports: [{ name: "https", port: m.port, targetPort: m.port }], publishNotReadyAddresses: true },
    }, child);
    new k8s.core.v1.Service(`${name}-service`, {
      metadata: { name: m.name, namespace: ns, labels },
      spec: { selector: labels, ports: [{ name: "https", port: m.port, targetPort: m.port }] },
    }, child);
    new k8s.apps.v1.StatefulSet(`${name}-karapace`, {
      metadata: { name: m.name, namespace: ns, labels },
      spec: {
        serviceName: m.headlessService,
        replicas: m.replicas,
        podManagementPolicy: "Parallel",
        selector: { matchLabels: labels },
        template: {
          metadata: {
            labels,
            // A changed auth file (a tenant added or removed) rolls the pods: Karapace's file watch is not relied on.
            // The digest of salted PBKDF2 hashes reveals nothing, and as a secret it would hide the whole spec.
            annotations: { "analytics-platform.io/auth-file-sha256": pulumi.unsecret(authFile.apply((f) => createHash("sha256").update(f).digest("hex"))) },
          },
          spec: {
            ...HARDENED_POD,
            containers: [{
              name: "karapace",
              image: m.image,
              imagePullPolicy: "Always",
              // The image sets no entrypoint; its `karapace` console script points at a module that does not exist.
              command: ["python3", "-m", "karapace"],
              ports: [{ name: "https", containerPort: m.port }],
              env: karapaceEnv(m, args.kafka.bootstrapServers),
              resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } },
              readinessProbe: { httpGet: { path: "/_health", port: m.port, scheme: "HTTPS" }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: "/_health", port: m.port, scheme: "HTTPS" }, initialDelaySeconds: 30, periodSeconds: 20 },
              securityContext: HARDENED_CONTAINER,
              volumeMounts: [
                { name: "auth", mountPath: PATHS.auth, readOnly: true },
                { name: "tls", mountPath: PATHS.tls, readOnly: true },
                { name: "kafka", mountPath: PATHS.kafkaCa, readOnly: true },
                { name: "tmp", mountPath: PATHS.tmp },
              ],
            }],
            volumes: [
              { name: "auth", secret: { secretName: AUTH_SECRET } },
              { name: "tls", secret: { secretName: TLS_SECRET } },
              { name: "kafka", secret: { secretName: KAFKA_SECRET, items: [{ key: "ca.crt", path: "ca.crt" }] } },
              { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
            ],
          },
        },
      },
    }, { ...child, dependsOn: [user, topic, tlsSecret, kafkaSecret, authSecret, headless] });

    this.tenantPasswords = Object.fromEntries(tenants.map((t) => [t.tenant, t.password]));
    this.caCert = cert.caCert;
    this.url = m.url;
    this.registerOutputs({ url: this.url, caCert: this.caCert });
  }
}

/** Karapace reads its settings from `KARAPACE_<KEY>` variables only (core/config.py: env_prefix "karapace_"). */
export function karapaceEnv(m: SchemaRegistryModel, bootstrapServers: pulumi.Input<string>): k8s.types.input.core.v1.EnvVar[] {
  const value = (name: string, v: pulumi.Input<string>) => ({ name: `KARAPACE_${name}`, value: v });
  return [
    { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    value("HOST", "0.0.0.0"),
    value("PORT", String(m.port)),
    // The primary is elected by the advertised URLs, and the others forward writes to it over HTTPS, checking its
    // certificate: each replica advertises its stable name under the headless Service, which the certificate covers.
    value("ADVERTISED_HOSTNAME", `$(POD_NAME).${m.headlessService}.${m.namespace}.svc`),
    value("ADVERTISED_PORT", String(m.port)),
    value("ADVERTISED_PROTOCOL", "https"),
    value("CLIENT_ID", "$(POD_NAME)"),
    value("BOOTSTRAP_URI", bootstrapServers),
    value("SECURITY_PROTOCOL", "SASL_SSL"),
    value("SASL_MECHANISM", "SCRAM-SHA-512"),
    value("SASL_PLAIN_USERNAME", m.kafkaUser),
    { name: "KARAPACE_SASL_PLAIN_PASSWORD", valueFrom: { secretKeyRef: { name: KAFKA_SECRET, key: "password" } } },
    value("SSL_CAFILE", `${PATHS.kafkaCa}/ca.crt`),
    value("TOPIC_NAME", m.topic),
    value("GROUP_ID", m.groupId),
    value("COMPATIBILITY", DEFAULT_COMPATIBILITY),
    value("REGISTRY_AUTHFILE", `${PATHS.auth}/auth.json`),
    value("SERVER_TLS_CERTFILE", `${PATHS.tls}/tls.crt`),
    value("SERVER_TLS_KEYFILE", `${PATHS.tls}/tls.key`),
    value("SERVER_TLS_CAFILE", `${PATHS.tls}/ca.crt`),
    // Karapace logs at DEBUG by default.
    value("LOG_LEVEL", "INFO"),
  ];
}
