import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { platformLabels } from "../model/labels";
import { platformNaming } from "../model/naming";
import { PlatformModel } from "../model/platform-model";
import { FlinkOperator } from "./flink/flink-operator";
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

/** The shared layers: object storage and identity, and the Kafka cluster with its operator. */
export class Platform extends pulumi.ComponentResource {
  public readonly kafka: KafkaCluster;
  /** What each Tenant needs of the shared Kafka cluster. */
  public readonly kafkaConnection: KafkaConnection;
  public readonly buckets: pulumi.Output<Record<string, string>>;
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

    let tiered: ObjectStorageAccess | undefined;
    if (m.cloud === "aws") {
      const aws = m.aws!;
      const tags = { "analytics-platform/stack": m.stack, "analytics-platform/environment": m.environment };
      const purposes = [KAFKA_TIERED, ...(m.flink.enabled ? [FLINK_STATE] : [])];
      const storage = new AwsObjectStorage(`${name}-storage`, { purposes, stack: m.stack, protect: m.protect, tags }, { parent: this });
      const bucket = storage.buckets[KAFKA_TIERED];
      const flinkBucket = storage.buckets[FLINK_STATE];
      this.tenantServices = () => ({
        flinkOperator: flinkOperator?.release,
        flinkStorage: flinkBucket && { bucket: flinkBucket.bucketName, irsa: { aws, bucketArn: flinkBucket.arn, kmsKeyArn: storage.kmsKeyArn } },
      });
      const role = new IrsaRole(`${name}-kafka-irsa`, {
        aws,
        namespace: m.kafka.namespace,
        serviceAccount: m.kafka.serviceAccount,
        bucketArn: bucket.arn,
        prefix: "",
        kmsKeyArn: storage.kmsKeyArn,
        tags,
      }, { parent: this });
      tiered = {
        bucket: bucket.bucketName,
        region: aws.region,
        pathStyleAccess: false,
        serviceAccountAnnotations: role.roleArn.apply((arn): Record<string, string> => ({ "eks.amazonaws.com/role-arn": arn })),
      };
      this.buckets = pulumi.all(Object.fromEntries(Object.entries(storage.buckets).map(([p, b]) => [p, b.bucketName]))) as pulumi.Output<Record<string, string>>;
    } else {
      const buckets = [KAFKA_TIERED, ...(m.flink.enabled ? [FLINK_STATE] : [])];
      const store = new LocalObjectStore(`${name}-object-store`, {
        chart: m.charts.minio,
        buckets,
        clients: [
          { name: "kafka", bucket: KAFKA_TIERED, prefix: "" },
          ...jobTenants.map((t) => ({ name: t.objectStoreClient, bucket: FLINK_STATE, prefix: t.storagePrefix })),
        ],
        storageSize: m.environment === "prod" ? "200Gi" : "20Gi",
        protect: m.protect,
      }, { parent: this });
      const kafkaCredentials = new k8s.core.v1.Secret(`${name}-kafka-object-store`, {
        metadata: { name: LOCAL_CREDENTIALS_SECRET, namespace: kafkaNs.metadata.name, labels: platformLabels("kafka") },
        stringData: credentialData("kafka", store.secretKeys["kafka"]),
      }, { parent: this });
      tiered = {
        bucket: pulumi.output(KAFKA_TIERED),
        region: "us-east-1",
        endpoint: store.endpoint,
        pathStyleAccess: true,
        credentialsSecret: kafkaCredentials.metadata.name,
      };
      const byTenant = new Map(jobTenants.map((t) => [t.name, t]));
      this.tenantServices = (tenant) => {
        const t = byTenant.get(tenant);
        return {
          flinkOperator: flinkOperator?.release,
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
