import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AwsConfig } from "../config/types";
import { DRUID_DEFAULTS } from "../model/defaults";
import { platformLabels } from "../model/labels";
import { platformNaming } from "../model/naming";
import { PlatformModel } from "../model/platform-model";
import { BucketExpirations, S3_LIFECYCLE_MAX_RULES, tenantBucketExpirations } from "../model/retention";
import { platformMonitors } from "../monitoring/monitors";
import { DruidCluster, DruidStorage } from "./druid/druid-cluster";
import { DruidMetadataStore } from "./druid/metadata-store";
import { FlinkOperator } from "./flink/flink-operator";
import { namespace } from "./k8s";
import { KafkaCluster } from "./kafka/kafka-cluster";
import { Lake, LakeStorage } from "./lake/lake";
import { Observability } from "./observability/observability";
import { SchemaRegistry } from "./schema-registry/schema-registry";
import { credentialData, LOCAL_CREDENTIALS_SECRET, ObjectStorageAccess } from "./storage/access";
import { AwsObjectStorage } from "./storage/aws-object-storage";
import { BUCKET_WIDE_LIFECYCLE_RULES, EncryptedBucket } from "./storage/encrypted-bucket";
import { glueStatement, IrsaRole } from "./storage/irsa-role";
import { LocalObjectStore } from "./storage/local-object-store";
import { SharedResources, SharedValues } from "./tenant-services";

export interface PlatformArgs {
  /** The resolved platform model (config validated, defaults applied). */
  readonly model: PlatformModel;
}

const { kafkaTieredBucket: KAFKA_TIERED, flinkStateBucket: FLINK_STATE, druidDeepStorageBucket: DRUID_DEEP_STORAGE, lakeWarehouseBucket: LAKE_WAREHOUSE } = platformNaming;

/** Where each platform workload keeps its data, and how it is allowed in, whichever cloud provides it. */
interface Storage {
  readonly kafka: ObjectStorageAccess;
  readonly druid?: DruidStorage;
  readonly druidDatabaseAws?: { readonly config: AwsConfig; readonly kmsKeyArn: pulumi.Output<string>; readonly stack: string };
  readonly lake?: LakeStorage;
  readonly buckets: pulumi.Output<Record<string, string>>;
  /** Values tenants need (bucket names and ARNs, the key, in-cluster store keys). */
  readonly shared: Omit<SharedValues, "kafkaBootstrap" | "kafkaCaCert" | "trinoCaCert" | "trinoPassword" | "registryCaCert" | "registryPassword">;
}

/** Each bucket's expirations: the tenants' retention backstops, and the Trino exchange's spool in the warehouse. */
function platformExpirations(m: PlatformModel): Record<string, BucketExpirations> {
  const e = tenantBucketExpirations(m.tenants, BUCKET_WIDE_LIFECYCLE_RULES.length, DRUID_DEFAULTS.segmentsBaseKey, [{ id: "trino-exchange", prefix: "trino-exchange/", days: 1 }]);
  return { [KAFKA_TIERED]: e.kafka, [DRUID_DEEP_STORAGE]: e.druid, [LAKE_WAREHOUSE]: e.lake };
}

/** The shared layers: storage and identity, Kafka, Flink's operator, Druid, the lake and observability. */
export class Platform extends pulumi.ComponentResource {
  public readonly kafka: KafkaCluster;
  public readonly buckets: pulumi.Output<Record<string, string>>;
  public readonly druid?: DruidCluster;
  public readonly observability?: Observability;
  public readonly lake?: Lake;
  public readonly schemaRegistry: SchemaRegistry;
  /** What the platform generated that tenants need. */
  public readonly shared: SharedValues;
  /** The platform's resources tenants in this stack wait for. */
  public readonly resources: SharedResources;

  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:platform:Platform", name, {}, opts);
    const m = args.model;
    const kafkaNs = namespace(m.kafka.namespace, platformLabels("kafka"), { parent: this });
    const druidNs = m.druid.enabled ? namespace(m.druid.namespace, platformLabels("druid"), { parent: this }) : undefined;
    const flinkOperator = m.flink.enabled
      ? new FlinkOperator(`${name}-flink-operator`, { operatorChart: m.charts.flinkOperator, certManagerChart: m.charts.certManager, webhook: m.flink.webhook }, { parent: this })
      : undefined;

    const purposes = [
      KAFKA_TIERED,
      ...(m.flink.enabled ? [FLINK_STATE] : []),
      ...(m.druid.enabled ? [DRUID_DEEP_STORAGE] : []),
      ...(m.lake.enabled ? [LAKE_WAREHOUSE] : []),
    ];
    const storage = m.cloud === "aws" ? this.awsStorage(name, m, purposes) : this.localStorage(name, m, purposes, kafkaNs, druidNs);
    this.buckets = storage.buckets;

    this.kafka = new KafkaCluster(`${name}-kafka`, {
      model: m.kafka,
      operatorChart: m.charts.strimzi,
      namespace: kafkaNs,
      tieredStorage: m.kafka.tieredStorage.enabled ? storage.kafka : undefined,
      protect: m.protect,
    }, { parent: this });

    if (druidNs && storage.druid) {
      const metadata = new DruidMetadataStore(`${name}-druid-metadata`, {
        druid: m.druid,
        namespace: druidNs.metadata.name,
        aws: storage.druidDatabaseAws,
        operatorChart: m.charts.cloudnativePg,
        protect: m.protect,
      }, { parent: this });
      this.druid = new DruidCluster(`${name}-druid`, {
        druid: m.druid,
        operatorChart: m.charts.druidOperator,
        namespace: druidNs,
        storage: storage.druid,
        metadata,
        kafkaClusterCaCert: this.kafka.clusterCaCert,
        tenants: m.tenants.filter((t) => t.druidIngestions.length > 0).map((t) => ({ env: t.druidJaasEnv, secret: t.druidKafkaSecret })),
        protect: m.protect,
      }, { parent: this });
    }

    if (storage.lake) {
      this.lake = new Lake(`${name}-lake`, {
        model: m.lake,
        trinoChart: m.charts.trino,
        nessieChart: m.charts.nessie,
        storage: storage.lake,
        druid: this.druid && { routerUrl: this.druid.routerUrl, adminPassword: this.druid.adminPassword },
        protect: m.protect,
      }, { parent: this, dependsOn: this.druid ? [this.druid] : [] });
    }

    if (m.observability.enabled) {
      this.observability = new Observability(`${name}-observability`, {
        model: m.observability,
        chart: m.charts.kubePrometheusStack,
        pushgatewayChart: m.charts.pushgateway,
        monitors: platformMonitors(m),
        protect: m.protect,
      }, { parent: this, dependsOn: [this.kafka, ...(this.druid ? [this.druid] : [])] });
    }

    this.schemaRegistry = new SchemaRegistry(`${name}-schema-registry`, {
      model: m.schemaRegistry,
      kafka: { clusterName: m.kafka.clusterName, namespace: m.kafka.namespace, bootstrapServers: this.kafka.bootstrapServers, clientPort: m.kafka.clientPort, clusterCaCert: this.kafka.clusterCaCert, cluster: this.kafka.kafka },
      replicationFactor: m.kafka.replicationFactor,
      minInsyncReplicas: m.kafka.minInsyncReplicas,
      protect: m.protect,
    }, { parent: this });

    const lake = this.lake;
    const registry = this.schemaRegistry;
    this.shared = {
      ...storage.shared,
      kafkaBootstrap: this.kafka.bootstrapServers,
      kafkaCaCert: this.kafka.clusterCaCert,
      trinoCaCert: lake?.caCert,
      trinoPassword: (tenant) => lake!.tenantPasswords[tenant],
      registryCaCert: registry.caCert,
      registryPassword: (tenant) => registry.tenantPasswords[tenant],
    };
    this.resources = { kafka: this.kafka.kafka, flinkOperator: flinkOperator?.release, druid: this.druid?.cluster, monitoringCrds: this.observability?.release, schemaRegistry: registry };
    this.registerOutputs({ kafkaBootstrap: this.kafka.bootstrapServers, buckets: this.buckets });
  }

  /** S3 + KMS buckets, and one IRSA role per platform workload, allowed only its bucket. */
  private awsStorage(name: string, m: PlatformModel, purposes: string[]): Storage {
    const aws = m.aws!;
    const tags = { "analytics-platform/stack": m.stack, "analytics-platform/environment": m.environment };
    const expirations = platformExpirations(m);
    for (const [purpose, e] of Object.entries(expirations)) {
      if (e.omitted.length > 0) {
        pulumi.log.warn(`${purpose}: no S3 backstop for ${e.omitted.length} tenant(s) (${e.omitted.slice(0, 5).join(", ")}…): S3 takes ${S3_LIFECYCLE_MAX_RULES} lifecycle rules a bucket; their engines still delete their data`, this);
      }
    }
    const store = new AwsObjectStorage(`${name}-storage`, {
      purposes, stack: m.stack, protect: m.protect, tags,
      expirations: Object.fromEntries(Object.entries(expirations).map(([purpose, e]) => [purpose, e.rules])),
    }, { parent: this });
    const bucket = (purpose: string): EncryptedBucket | undefined => store.buckets[purpose];
    const workloadRole = (workload: string, ns: string, serviceAccount: string, b: EncryptedBucket, statements?: Record<string, unknown>[]) =>
      new IrsaRole(`${name}-${workload}-irsa`, { aws, namespace: ns, serviceAccount, grants: [{ bucketArn: b.arn, prefix: "" }], kmsKeyArn: store.kmsKeyArn, statements, tags }, { parent: this });

    const kafkaBucket = bucket(KAFKA_TIERED)!;
    const druidBucket = bucket(DRUID_DEEP_STORAGE);
    const warehouse = bucket(LAKE_WAREHOUSE);
    return {
      kafka: {
        bucket: kafkaBucket.bucketName,
        region: aws.region,
        pathStyleAccess: false,
        serviceAccountAnnotations: workloadRole("kafka", m.kafka.namespace, m.kafka.serviceAccount, kafkaBucket).serviceAccountAnnotations,
      },
      druid: druidBucket && {
        bucket: druidBucket.bucketName,
        kmsKeyArn: store.kmsKeyArn,
        region: aws.region,
        serviceAccountAnnotations: workloadRole("druid", m.druid.namespace, m.druid.serviceAccount, druidBucket).serviceAccountAnnotations,
      },
      druidDatabaseAws: druidBucket && { config: aws, kmsKeyArn: store.kmsKeyArn, stack: m.stack },
      lake: warehouse && {
        kind: "aws",
        bucket: warehouse.bucketName,
        region: aws.region,
        accountId: aws.oidcProviderArn.split(":")[4],
        kmsKeyArn: store.kmsKeyArn,
        // Trino serves every tenant (its rules isolate them), and writes for the admins' retention runs.
        serviceAccountAnnotations: workloadRole("trino", m.lake.namespace, "trino", warehouse, [glueStatement(aws, "*")]).serviceAccountAnnotations,
      },
      buckets: pulumi.all(Object.fromEntries(Object.entries(store.buckets).map(([p, b]) => [p, b.bucketName]))) as pulumi.Output<Record<string, string>>,
      shared: {
        flinkStateBucket: bucket(FLINK_STATE)?.bucketName,
        flinkStateBucketArn: bucket(FLINK_STATE)?.arn,
        kmsKeyArn: store.kmsKeyArn,
        warehouseBucket: warehouse?.bucketName,
        warehouseBucketArn: warehouse?.arn,
        objectStoreKey: () => {
          throw new Error("cloud: aws has no in-cluster object store");
        },
      },
    };
  }

  /** MinIO in the cluster, with a user per platform workload and per tenant running jobs, each limited to its prefixes. */
  private localStorage(name: string, m: PlatformModel, purposes: string[], kafkaNs: k8s.core.v1.Namespace, druidNs?: k8s.core.v1.Namespace): Storage {
    const store = new LocalObjectStore(`${name}-object-store`, {
      chart: m.charts.minio,
      buckets: purposes,
      clients: [
        { name: "kafka", grants: [{ bucket: KAFKA_TIERED, prefix: "" }] },
        ...(m.druid.enabled ? [{ name: "druid", grants: [{ bucket: DRUID_DEEP_STORAGE, prefix: "" }] }] : []),
        ...(m.lake.enabled ? [{ name: "lake", grants: [{ bucket: LAKE_WAREHOUSE, prefix: "" }] }] : []),
        ...m.tenants.filter((t) => t.flinkJobs.length > 0).map((t) => ({
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
    return {
      kafka: { bucket: pulumi.output(KAFKA_TIERED), region: "us-east-1", endpoint: store.endpoint, pathStyleAccess: true, credentialsSecret: workloadCredentials("kafka", kafkaNs) },
      druid: druidNs && { bucket: DRUID_DEEP_STORAGE, region: "us-east-1", endpoint: store.endpoint, credentialsSecret: workloadCredentials("druid", druidNs) },
      lake: m.lake.enabled ? { kind: "local", bucket: LAKE_WAREHOUSE, endpoint: store.endpoint, accessKey: "lake", secretKey: store.secretKeys["lake"] } : undefined,
      buckets: pulumi.output<Record<string, string>>(Object.fromEntries(purposes.map((b) => [b, b]))),
      shared: { objectStoreKey: (client) => store.secretKeys[client] },
    };
  }
}
