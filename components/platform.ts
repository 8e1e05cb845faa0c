import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { platformLabels } from "../model/labels";
import { platformNaming } from "../model/naming";
import { PlatformModel, TenantModel } from "../model/platform-model";
import { DruidCluster, DruidStorage } from "./druid/druid-cluster";
import { DruidMetadataStore } from "./druid/metadata-store";
import { FlinkOperator } from "./flink/flink-operator";
import { Observability } from "./observability/observability";
import { Lake, LakeStorage } from "./lake/lake";
import { FlinkStateStorage } from "./flink/flink-job";
import { LAKE_DEFAULTS } from "../model/defaults";
import { LakeTenantModel } from "../model/lake";
import { platformMonitors } from "../monitoring/monitors";
import { namespace } from "./k8s";
import { KafkaCluster } from "./kafka/kafka-cluster";
import { credentialData, LOCAL_CREDENTIALS_SECRET, ObjectStorageAccess } from "./storage/access";
import { AwsObjectStorage } from "./storage/aws-object-storage";
import { IrsaRole } from "./storage/irsa-role";
import { LocalObjectStore } from "./storage/local-object-store";
import { KafkaConnection, TenantPlatformServices } from "./tenant";

export interface PlatformArgs {
  /** The resolved platform model (config validated, defaults applied). */
  readonly model: PlatformModel;
}

const KAFKA_TIERED = "kafka-tiered";
const FLINK_STATE = "flink-state";
const DRUID_DEEP_STORAGE = "druid-deep-storage";
const LAKE_WAREHOUSE = "lake-warehouse";

/** The shared layers: object storage and identity, and the Kafka cluster with its operator. */
export class Platform extends pulumi.ComponentResource {
  public readonly kafka: KafkaCluster;
  /** What each Tenant needs of the shared Kafka cluster. */
  public readonly kafkaConnection: KafkaConnection;
  public readonly buckets: pulumi.Output<Record<string, string>>;
  public readonly druid?: DruidCluster;
  public readonly observability?: Observability;
  public readonly lake?: Lake;
  /** aws: the Glue database location of a lake tenant. */
  private glueLocation?: (t: LakeTenantModel) => pulumi.Output<string>;
  /** What each Tenant needs of the shared layers besides Kafka, by tenant name. */
  public readonly tenantServices: (tenant: string) => TenantPlatformServices;

  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:platform:Platform", name, {}, opts);
    const m = args.model;
    const kafkaNs = namespace(m.kafka.namespace, platformLabels("kafka"), { parent: this });

    const flinkOperator = m.flink.enabled
      ? new FlinkOperator(`${name}-flink-operator`, { operatorChart: m.charts.flinkOperator, certManagerChart: m.charts.certManager, webhook: m.flink.webhook }, { parent: this })
      : undefined;
    const jobTenants = m.tenants.filter((t) => t.flinkJobs.length > 0);

    const druidNs = m.druid.enabled ? namespace(m.druid.namespace, platformLabels("druid"), { parent: this }) : undefined;
    let druidStorage: DruidStorage | undefined;
    let databaseAws: { config: NonNullable<typeof m.aws>; kmsKeyArn: pulumi.Output<string>; stack: string } | undefined;
    const purposes = [
      KAFKA_TIERED,
      ...(m.flink.enabled ? [FLINK_STATE] : []),
      ...(m.druid.enabled ? [DRUID_DEEP_STORAGE] : []),
      ...(m.lake.enabled ? [LAKE_WAREHOUSE] : []),
    ];
    let lakeStorage: LakeStorage | undefined;
    let lakeJobAccess: (tenant: TenantModel) => FlinkStateStorage["lake"];
    let tiered: ObjectStorageAccess | undefined;
    let tenantStorage: (tenant: string) => Pick<TenantPlatformServices, "flinkStorage" | "objectStoreCredentials">;
    if (m.cloud === "aws") {
      const aws = m.aws!;
      const tags = { "analytics-platform/stack": m.stack, "analytics-platform/environment": m.environment };
      const expirations = {
        [LAKE_WAREHOUSE]: [
          // Iceberg snapshot expiry removes a tenant's old data first; this is the backstop after its retention.
          ...m.lake.tenants.map((t) => ({ id: `retention-${t.tenant}`, prefix: t.prefix, days: t.retentionDays + LAKE_DEFAULTS.lifecycleGraceDays })),
          { id: "trino-exchange", prefix: "trino-exchange/", days: 1 },
        ],
      };
      const storage = new AwsObjectStorage(`${name}-storage`, { purposes, stack: m.stack, protect: m.protect, tags, expirations }, { parent: this });
      const bucket = storage.buckets[KAFKA_TIERED];
      const flinkBucket = storage.buckets[FLINK_STATE];
      const druidBucket = storage.buckets[DRUID_DEEP_STORAGE];
      // A platform workload's role: its one service account, its whole bucket and the platform key.
      const workloadRole = (workload: string, ns: string, serviceAccount: string, b: { arn: pulumi.Output<string> }) =>
        new IrsaRole(`${name}-${workload}-irsa`, { aws, namespace: ns, serviceAccount, grants: [{ bucketArn: b.arn, prefix: "" }], kmsKeyArn: storage.kmsKeyArn, tags }, { parent: this });
      const warehouse = storage.buckets[LAKE_WAREHOUSE];
      if (warehouse) {
        const accountId = aws.oidcProviderArn.split(":")[4];
        const glue = (resource: string) => `arn:aws:glue:${aws.region}:${accountId}:${resource}`;
        const glueOn = (schemas: readonly string[], actions: string[]) => ({
          Effect: "Allow",
          Action: actions,
          Resource: [glue("catalog"), ...schemas.flatMap((s) => [glue(`database/${s}`), glue(`table/${s}/*`)])],
        });
        const glueActions = ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable", "glue:GetPartitions", "glue:BatchGetPartition"];
        const trinoRole = new IrsaRole(`${name}-trino-irsa`, {
          aws,
          namespace: m.lake.namespace,
          serviceAccount: "trino",
          grants: [{ bucketArn: warehouse.arn, prefix: "" }],
          kmsKeyArn: storage.kmsKeyArn,
          statements: [glueOn(m.lake.tenants.map((t) => t.schema), glueActions)],
          tags,
        }, { parent: this });
        lakeStorage = { kind: "aws", bucket: warehouse.bucketName, region: aws.region, accountId, kmsKeyArn: storage.kmsKeyArn, serviceAccountAnnotations: trinoRole.serviceAccountAnnotations };
        lakeJobAccess = (t) => t.lake && {
          location: pulumi.interpolate`s3://${warehouse.bucketName}/${t.lake.prefix}`,
          grants: [{ bucketArn: warehouse.arn, prefix: t.lake.prefix }],
          statements: [glueOn([t.lake.schema], glueActions)],
        };
        this.glueLocation = (t) => pulumi.interpolate`s3://${warehouse.bucketName}/${t.prefix}`;
      }
      if (druidBucket) {
        druidStorage = {
          bucket: druidBucket.bucketName,
          kmsKeyArn: storage.kmsKeyArn,
          region: aws.region,
          serviceAccountAnnotations: workloadRole("druid", m.druid.namespace, m.druid.serviceAccount, druidBucket).serviceAccountAnnotations,
        };
        databaseAws = { config: aws, kmsKeyArn: storage.kmsKeyArn, stack: m.stack };
      }
      tenantStorage = () => ({
        flinkStorage: flinkBucket && { bucket: flinkBucket.bucketName, irsa: { aws, bucketArn: flinkBucket.arn, kmsKeyArn: storage.kmsKeyArn } },
      });
      tiered = {
        bucket: bucket.bucketName,
        region: aws.region,
        pathStyleAccess: false,
        serviceAccountAnnotations: workloadRole("kafka", m.kafka.namespace, m.kafka.serviceAccount, bucket).serviceAccountAnnotations,
      };
      this.buckets = pulumi.all(Object.fromEntries(Object.entries(storage.buckets).map(([p, b]) => [p, b.bucketName]))) as pulumi.Output<Record<string, string>>;
    } else {
      const buckets = purposes;
      const store = new LocalObjectStore(`${name}-object-store`, {
        chart: m.charts.minio,
        buckets,
        clients: [
          { name: "kafka", grants: [{ bucket: KAFKA_TIERED, prefix: "" }] },
          ...(m.druid.enabled ? [{ name: "druid", grants: [{ bucket: DRUID_DEEP_STORAGE, prefix: "" }] }] : []),
          ...(m.lake.enabled ? [{ name: "lake", grants: [{ bucket: LAKE_WAREHOUSE, prefix: "" }] }] : []),
          ...jobTenants.map((t) => ({
            name: t.objectStoreClient,
            grants: [{ bucket: FLINK_STATE, prefix: t.storagePrefix }, ...(t.lake ? [{ bucket: LAKE_WAREHOUSE, prefix: t.lake.prefix }] : [])],
          })),
        ],
        storageSize: m.environment === "prod" ? "200Gi" : "20Gi",
        protect: m.protect,
      }, { parent: this });
      // A platform workload's store credentials, in its own namespace.
      const workloadCredentials = (workload: string, ns: k8s.core.v1.Namespace) =>
        new k8s.core.v1.Secret(`${name}-${workload}-object-store`, {
          metadata: { name: LOCAL_CREDENTIALS_SECRET, namespace: ns.metadata.name, labels: platformLabels(workload) },
          stringData: credentialData(workload, store.secretKeys[workload]),
        }, { parent: this }).metadata.name;
      if (m.lake.enabled) {
        lakeStorage = { kind: "local", bucket: LAKE_WAREHOUSE, endpoint: store.endpoint, accessKey: "lake", secretKey: store.secretKeys["lake"] };
        lakeJobAccess = (t) => t.lake && { location: `s3://${LAKE_WAREHOUSE}/${t.lake.prefix}` };
      }
      if (druidNs) {
        druidStorage = { bucket: DRUID_DEEP_STORAGE, region: "us-east-1", endpoint: store.endpoint, credentialsSecret: workloadCredentials("druid", druidNs) };
      }
      tiered = {
        bucket: pulumi.output(KAFKA_TIERED),
        region: "us-east-1",
        endpoint: store.endpoint,
        pathStyleAccess: true,
        credentialsSecret: workloadCredentials("kafka", kafkaNs),
      };
      const byTenant = new Map(jobTenants.map((t) => [t.name, t]));
      tenantStorage = (tenant) => {
        const t = byTenant.get(tenant);
        return {
          flinkStorage: t && { bucket: FLINK_STATE, endpoint: store.endpoint, credentialsSecret: LOCAL_CREDENTIALS_SECRET },
          objectStoreCredentials: t && { accessKey: t.objectStoreClient, secretKey: store.secretKeys[t.objectStoreClient] },
        };
      };
      this.buckets = pulumi.output<Record<string, string>>(Object.fromEntries(buckets.map((b) => [b, b])));
    }

    this.kafka = new KafkaCluster(`${name}-kafka`, {
      model: m.kafka,
      operatorChart: m.charts.strimzi,
      namespace: kafkaNs,
      tieredStorage: m.kafka.tieredStorage.enabled ? tiered : undefined,
      protect: m.protect,
    }, { parent: this });

    if (druidNs && druidStorage) {
      const metadata = new DruidMetadataStore(`${name}-druid-metadata`, {
        druid: m.druid,
        namespace: druidNs.metadata.name,
        aws: databaseAws,
        postgresqlChart: m.charts.postgresql,
        protect: m.protect,
      }, { parent: this });
      this.druid = new DruidCluster(`${name}-druid`, {
        druid: m.druid,
        operatorChart: m.charts.druidOperator,
        namespace: druidNs,
        storage: druidStorage,
        metadata,
        kafkaClusterCaCert: this.kafka.clusterCaCert,
        tenants: m.tenants.filter((t) => t.druidIngestions.length > 0).map((t) => ({ env: t.druidJaasEnv, secret: t.druidKafkaSecret })),
        protect: m.protect,
      }, { parent: this });
    }

    if (lakeStorage) {
      this.lake = new Lake(`${name}-lake`, {
        model: m.lake,
        trinoChart: m.charts.trino,
        nessieChart: m.charts.nessie,
        storage: lakeStorage,
        druid: this.druid && { routerUrl: this.druid.routerUrl, adminPassword: this.druid.adminPassword },
        protect: m.protect,
      }, { parent: this, dependsOn: this.druid ? [this.druid] : [] });
    }

    if (m.observability.enabled) {
      this.observability = new Observability(`${name}-observability`, {
        model: m.observability,
        chart: m.charts.kubePrometheusStack,
        monitors: platformMonitors(m),
        protect: m.protect,
      }, { parent: this, dependsOn: [this.kafka, ...(this.druid ? [this.druid] : [])] });
    }

    // Called by deploy() after the platform is complete, so every shared layer exists by then.
    const byName = new Map(m.tenants.map((t) => [t.name, t]));
    this.tenantServices = (tenant) => ({
      lake: this.lake && byName.get(tenant)?.lake && {
        trinoUrl: this.lake.trinoUrl,
        caCert: this.lake.caCert,
        password: this.lake.tenantPasswords[tenant],
        namespace: m.lake.namespace,
        glueLocation: this.glueLocation?.(byName.get(tenant)!.lake!),
        jobs: lakeJobAccess?.(byName.get(tenant)!),
      },
      druid: this.druid && { cluster: this.druid.cluster, clusterName: this.druid.clusterName, namespace: this.druid.namespace, operatorAuthSecret: this.druid.operatorAuthSecret },
      monitoring: this.observability && { crds: this.observability.release, namespace: m.observability.namespace },
      flinkOperator: flinkOperator?.release,
      ...tenantStorage(tenant),
    });

    this.kafkaConnection = {
      clusterName: m.kafka.clusterName,
      namespace: platformNaming.kafkaNamespace,
      bootstrapServers: this.kafka.bootstrapServers,
      clientPort: m.kafka.clientPort,
      clusterCaCert: this.kafka.clusterCaCert,
      cluster: this.kafka.kafka,
    };
    this.registerOutputs({ kafkaBootstrap: this.kafka.bootstrapServers, buckets: this.buckets });
  }
}
