import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ChartDefault, LAKE_DEFAULTS } from "../../model/defaults";
import { platformLabels } from "../../model/labels";
import { LAKE_RETENTION_RUN, lakeRetentionFloors, lakeRetentionScript, LakeModel, TrinoNodeModel, trinoAccessRules, trinoGroups } from "../../model/lake";
import { HARDENED_CONTAINER, HARDENED_POD, helmRelease, namespace } from "../k8s";
import { serviceCertificate, serviceDnsNames } from "../tls";
import { credentialData, LOCAL_CREDENTIALS_SECRET } from "../storage/access";

/** Where the warehouse is and how the lake's services reach it. */
export type LakeStorage =
  | {
      readonly kind: "aws";
      readonly bucket: pulumi.Input<string>;
      readonly region: string;
      readonly accountId: string;
      readonly kmsKeyArn: pulumi.Input<string>;
      readonly serviceAccountAnnotations: pulumi.Input<Record<string, string>>;
    }
  | { readonly kind: "local"; readonly bucket: string; readonly endpoint: string; readonly accessKey: string; readonly secretKey: pulumi.Input<string> };

export interface LakeArgs {
  readonly model: LakeModel;
  readonly trinoChart: ChartDefault;
  readonly nessieChart: ChartDefault;
  readonly storage: LakeStorage;
  /** The Druid cluster Trino queries (its router and admin password), when the platform has one. */
  readonly druid?: { readonly routerUrl: string; readonly adminPassword: pulumi.Input<string> };
  readonly protect: boolean;
}

const TLS_SECRET = LAKE_DEFAULTS.tlsSecret;
const PASSWORD_FILE_SECRET = "trino-password-file";
const ENV_SECRET = "trino-env";

/** The lake: an Iceberg catalog (Glue, or Nessie in the cluster) and Trino with TLS, passwords and per-tenant rules. */
export class Lake extends pulumi.ComponentResource {
  /** Per tenant: its Trino password (a Pulumi secret), handed to the tenant's namespace by the Tenant. */
  public readonly tenantPasswords: Readonly<Record<string, pulumi.Output<string>>>;
  /** PEM of the CA that signed Trino's certificate; clients trust it. */
  public readonly caCert: pulumi.Output<string>;
  public readonly trinoUrl: string;

  constructor(name: string, args: LakeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:lake:Lake", name, {}, opts);
    const m = args.model;
    const child = { parent: this };
    const labels = platformLabels("lake");
    const ns = namespace(m.namespace, labels, child);
    const nsName = ns.metadata.name;

    // A private CA and Trino's server certificate: clients get HTTPS without a cluster-wide issuer.
    const cert = serviceCertificate(name, { caName: "analytics-platform lake CA", commonName: "trino", dnsNames: serviceDnsNames("trino", m.namespace) }, child);
    const tlsSecret = new k8s.core.v1.Secret(`${name}-trino-tls`, {
      metadata: { name: TLS_SECRET, namespace: nsName, labels },
      stringData: { "keystore.pem": pulumi.secret(pulumi.interpolate`${cert.keyPem}${cert.certPem}`), "ca.crt": cert.caCert },
    }, child);

    // Password file: bcrypt hashes only, generated passwords stay Pulumi secrets.
    const password = (user: string) => new random.RandomPassword(`${name}-${user}`, { length: 32, special: false }, child);
    const admin = password(LAKE_DEFAULTS.adminUser);
    const metrics = password(LAKE_DEFAULTS.metricsUser);
    const tenants = m.tenants.map((t) => ({ t, password: password(t.user) }));
    const users = [{ user: LAKE_DEFAULTS.adminUser, password: admin }, { user: LAKE_DEFAULTS.metricsUser, password: metrics }, ...tenants.map((x) => ({ user: x.t.user, password: x.password }))];
    const passwordFile = new k8s.core.v1.Secret(`${name}-password-file`, {
      metadata: { name: PASSWORD_FILE_SECRET, namespace: nsName, labels },
      stringData: {
        "password.db": pulumi.secret(pulumi.all(users.map((u) => u.password.bcryptHash)).apply((hashes) => hashes.map((h, i) => `${users[i].user}:${h}`).join("\n"))),
      },
    }, child);
    // What the coordinator's PodMonitor authenticates with (monitoring/monitors.ts): Basic auth over HTTPS.
    new k8s.core.v1.Secret(`${name}-metrics`, {
      metadata: { name: LAKE_DEFAULTS.metricsSecret, namespace: nsName, labels },
      type: "kubernetes.io/basic-auth",
      stringData: { username: LAKE_DEFAULTS.metricsUser, password: metrics.result },
    }, child);
    const internalSecret = new random.RandomPassword(`${name}-internal`, { length: 64, special: false }, child);
    const env = new k8s.core.v1.Secret(`${name}-env`, {
      metadata: { name: ENV_SECRET, namespace: nsName, labels },
      stringData: {
        TRINO_INTERNAL_SECRET: internalSecret.result,
        ...(args.druid ? { DRUID_ADMIN_PASSWORD: args.druid.adminPassword } : {}),
        ...(args.storage.kind === "local" ? credentialData(args.storage.accessKey, args.storage.secretKey) : {}),
      },
    }, child);

    const deps: pulumi.Resource[] = [tlsSecret, passwordFile, env];
    if (args.storage.kind === "local") {
      const s3 = new k8s.core.v1.Secret(`${name}-object-store`, {
        metadata: { name: LOCAL_CREDENTIALS_SECRET, namespace: nsName, labels },
        stringData: credentialData(args.storage.accessKey, args.storage.secretKey),
      }, child);
      deps.push(helmRelease("nessie", {
        chart: args.nessieChart,
        namespace: nsName,
        values: {
          versionStoreType: "ROCKSDB",
          // The chart asks for class "standard", which k3d lacks; null drops that default, so the PVC takes the
          // cluster's default class (the chart renders storageClassName unquoted: templates/storage.yaml).
          rocksdb: { storageSize: "10Gi", storageClassName: m.storageClass ?? null },
          catalog: {
            enabled: true,
            iceberg: { defaultWarehouse: LAKE_DEFAULTS.warehouse, warehouses: [{ name: LAKE_DEFAULTS.warehouse, location: `s3://${args.storage.bucket}/` }] },
            storage: {
              s3: {
                defaultOptions: {
                  endpoint: args.storage.endpoint,
                  pathStyleAccess: true,
                  region: "us-east-1",
                  accessKeySecret: { name: LOCAL_CREDENTIALS_SECRET, awsAccessKeyId: "AWS_ACCESS_KEY_ID", awsSecretAccessKey: "AWS_SECRET_ACCESS_KEY" },
                },
              },
            },
          },
        },
      }, { ...child, dependsOn: [s3] }));
    }

    const trino = helmRelease("trino", {
      chart: args.trinoChart,
      namespace: nsName,
      values: trinoValues(m, args.storage, args.druid?.routerUrl),
    }, { ...child, dependsOn: deps });
    if (m.tenants.length > 0) this.retentionRun(name, m, nsName, labels, admin.result, trino);

    this.tenantPasswords = Object.fromEntries(tenants.map(({ t, password: p }) => [t.tenant, p.result]));
    this.caCert = cert.caCert;
    this.trinoUrl = m.trinoUrl;
    this.registerOutputs({ trinoUrl: this.trinoUrl, caCert: this.caCert });
  }

  /** The daily run that deletes lake rows and files past each tenant's retention (model/lake.ts lakeRetentionScript). */
  private retentionRun(name: string, m: LakeModel, ns: pulumi.Input<string>, labels: Record<string, string>, adminPassword: pulumi.Output<string>, trino: pulumi.Resource): void {
    const child = { parent: this };
    const runName = "lake-retention";
    const secret = new k8s.core.v1.Secret(`${name}-retention`, {
      metadata: { name: runName, namespace: ns, labels },
      stringData: { TRINO_PASSWORD: adminPassword },
    }, child);
    const script = new k8s.core.v1.ConfigMap(`${name}-retention`, {
      metadata: { name: runName, namespace: ns, labels },
      data: { [LAKE_RETENTION_RUN.script]: lakeRetentionScript(m.tenants, m.trinoUrl, LAKE_DEFAULTS.adminUser) },
    }, child);
    new k8s.batch.v1.CronJob(`${name}-retention`, {
      metadata: { name: runName, namespace: ns, labels },
      spec: {
        schedule: LAKE_RETENTION_RUN.schedule,
        concurrencyPolicy: "Forbid",
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: "Never",
                ...HARDENED_POD,
                containers: [{
                  name: "retention",
                  image: `trinodb/trino:${LAKE_DEFAULTS.trinoVersion}`,
                  imagePullPolicy: "Always",
                  command: ["sh", `${LAKE_RETENTION_RUN.scriptDir}/${LAKE_RETENTION_RUN.script}`],
                  env: [{ name: "HOME", value: LAKE_RETENTION_RUN.workDir }],
                  resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                  securityContext: HARDENED_CONTAINER,
                  volumeMounts: [
                    { name: "script", mountPath: LAKE_RETENTION_RUN.scriptDir, readOnly: true },
                    { name: "ca", mountPath: LAKE_RETENTION_RUN.caDir, readOnly: true },
                    { name: "password", mountPath: LAKE_RETENTION_RUN.passwordDir, readOnly: true },
                    { name: "work", mountPath: LAKE_RETENTION_RUN.workDir },
                  ],
                }],
                volumes: [
                  { name: "script", configMap: { name: runName } },
                  { name: "ca", secret: { secretName: TLS_SECRET, items: [{ key: "ca.crt", path: "ca.crt" }] } },
                  { name: "password", secret: { secretName: runName } },
                  { name: "work", emptyDir: { sizeLimit: "64Mi" } },
                ],
              },
            },
          },
        },
      },
    }, { ...child, dependsOn: [secret, script, trino] });
  }
}

/** The catalogs Trino serves: the lake (Iceberg) and Druid. */
export function trinoCatalogs(m: LakeModel, storage: LakeStorage, druidRouterUrl: string | undefined): pulumi.Output<Record<string, string>> {
  const lines = (l: string[]) => `${l.join("\n")}\n`;
  const druid = druidRouterUrl && lines([
    "connector.name=druid",
    `connection-url=jdbc:avatica:remote:url=${druidRouterUrl}/druid/v2/sql/avatica/`,
    `connection-user=admin`,
    "connection-password=${ENV:DRUID_ADMIN_PASSWORD}",
  ]);
  if (storage.kind === "aws") {
    return pulumi.output(storage.kmsKeyArn).apply((kms): Record<string, string> => ({
      lake: lines([
        "connector.name=iceberg",
        "iceberg.catalog.type=glue",
        `hive.metastore.glue.region=${storage.region}`,
        `hive.metastore.glue.catalogid=${storage.accountId}`,
        "fs.native-s3.enabled=true",
        `s3.region=${storage.region}`,
        "s3.sse.type=KMS",
        `s3.sse.kms-key-id=${kms}`,
        ...lakeRetentionFloors(m.tenants),
      ]),
      ...(druid ? { druid } : {}),
    }));
  }
  return pulumi.output<Record<string, string>>({
    lake: lines([
      "connector.name=iceberg",
      "iceberg.catalog.type=rest",
      `iceberg.rest-catalog.uri=${m.restCatalogUri}`,
      `iceberg.rest-catalog.warehouse=${LAKE_DEFAULTS.warehouse}`,
      "fs.native-s3.enabled=true",
      `s3.endpoint=${storage.endpoint}`,
      "s3.path-style-access=true",
      "s3.region=us-east-1",
      "s3.aws-access-key=${ENV:AWS_ACCESS_KEY_ID}",
      "s3.aws-secret-key=${ENV:AWS_SECRET_ACCESS_KEY}",
      ...lakeRetentionFloors(m.tenants),
    ]),
    ...(druid ? { druid } : {}),
  });
}

/** A coordinator's or worker's chart values: resources, and the JVM and query memory sized from them. */
function trinoNodeValues(n: TrinoNodeModel): Record<string, unknown> {
  return {
    resources: { requests: { cpu: n.cpu, memory: `${n.memoryGi}Gi` }, limits: { memory: `${n.memoryGi}Gi` } },
    jvm: { maxHeapSize: n.maxHeapSize },
    config: { query: { maxMemoryPerNode: n.maxMemoryPerNode } },
  };
}

/** Trino's Helm values: HTTPS and passwords for clients, file-based rules, fault-tolerant execution in prod. */
export function trinoValues(m: LakeModel, storage: LakeStorage, druidRouterUrl: string | undefined): pulumi.Output<Record<string, unknown>> {
  return pulumi.all([trinoCatalogs(m, storage, druidRouterUrl), storage.bucket, storage.kind === "aws" ? storage.serviceAccountAnnotations : undefined]).apply(
    ([catalogs, bucket, annotations]): Record<string, unknown> => {
      const exchange = m.faultTolerant
        ? {
            exchangeManager: { name: "filesystem", baseDir: `s3://${bucket}/trino-exchange/` },
            exchangeProperties: storage.kind === "aws"
              ? [`exchange.s3.region=${storage.region}`]
              : [`exchange.s3.endpoint=${storage.endpoint}`, "exchange.s3.path-style-access=true", "exchange.s3.region=us-east-1", "exchange.s3.aws-access-key=${ENV:AWS_ACCESS_KEY_ID}", "exchange.s3.aws-secret-key=${ENV:AWS_SECRET_ACCESS_KEY}"],
          }
        : undefined;
      return {
        image: { tag: LAKE_DEFAULTS.trinoVersion },
        server: {
          workers: m.trinoWorkers,
          config: {
            authenticationType: "PASSWORD",
            https: { enabled: true, port: LAKE_DEFAULTS.trinoPort, keystore: { path: "/etc/trino/tls/keystore.pem" } },
          },
          ...(exchange ? { exchangeManager: exchange.exchangeManager } : {}),
        },
        additionalConfigProperties: [
          "internal-communication.shared-secret=${ENV:TRINO_INTERNAL_SECRET}",
          "http-server.process-forwarded=true",
          ...(exchange ? ["retry-policy=TASK"] : []),
        ],
        ...(exchange ? { additionalExchangeManagerProperties: exchange.exchangeProperties } : {}),
        catalogs,
        auth: { passwordAuthSecret: PASSWORD_FILE_SECRET, refreshPeriod: "60s", groups: trinoGroups(m.tenants) },
        accessControl: { type: "configmap", refreshPeriod: "60s", configFile: "rules.json", rules: { "rules.json": JSON.stringify(trinoAccessRules(m.tenants), null, 2) } },
        secretMounts: [{ name: TLS_SECRET, secretName: TLS_SECRET, path: "/etc/trino/tls" }],
        envFrom: [{ secretRef: { name: ENV_SECRET } }],
        serviceAccount: { create: true, name: "trino", annotations: annotations ?? {} },
        coordinator: trinoNodeValues(m.trinoCoordinator),
        worker: trinoNodeValues(m.trinoWorker),
      };
    },
  );
}
