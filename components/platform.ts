import * as pulumi from "@pulumi/pulumi";
import { platformLabels } from "../model/labels";
import { platformNaming } from "../model/naming";
import { PlatformModel } from "../model/platform-model";
import { namespace } from "./k8s";
import { KafkaCluster } from "./kafka/kafka-cluster";
import { ObjectStorageAccess } from "./storage/access";
import { AwsObjectStorage } from "./storage/aws-object-storage";
import { IrsaRole } from "./storage/irsa-role";
import { LocalObjectStore } from "./storage/local-object-store";
import { KafkaConnection } from "./tenant";

export interface PlatformArgs {
  /** The resolved platform model (config validated, defaults applied). */
  readonly model: PlatformModel;
}

const KAFKA_TIERED = "kafka-tiered";

/** The shared layers: object storage and identity, and the Kafka cluster with its operator. */
export class Platform extends pulumi.ComponentResource {
  public readonly kafka: KafkaCluster;
  /** What each Tenant needs of the shared Kafka cluster. */
  public readonly kafkaConnection: KafkaConnection;
  public readonly buckets: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:platform:Platform", name, {}, opts);
    const m = args.model;
    const kafkaNs = namespace(m.kafka.namespace, platformLabels("kafka"), { parent: this });

    let tiered: ObjectStorageAccess | undefined;
    if (m.cloud === "aws") {
      const aws = m.aws!;
      const tags = { "analytics-platform/stack": m.stack, "analytics-platform/environment": m.environment };
      const storage = new AwsObjectStorage(`${name}-storage`, { purposes: [KAFKA_TIERED], stack: m.stack, protect: m.protect, tags }, { parent: this });
      const bucket = storage.buckets[KAFKA_TIERED];
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
      this.buckets = bucket.bucketName.apply((b): Record<string, string> => ({ [KAFKA_TIERED]: b }));
    } else {
      const store = new LocalObjectStore(`${name}-object-store`, {
        chart: m.charts.minio,
        buckets: [KAFKA_TIERED],
        clients: [{ name: "kafka", namespace: kafkaNs.metadata.name, bucket: KAFKA_TIERED }],
        storageSize: m.environment === "prod" ? "200Gi" : "20Gi",
        protect: m.protect,
      }, { parent: this });
      tiered = {
        bucket: pulumi.output(KAFKA_TIERED),
        region: "us-east-1",
        endpoint: store.endpoint,
        pathStyleAccess: true,
        credentialsSecret: store.credentialsSecrets["kafka"],
      };
      this.buckets = pulumi.output<Record<string, string>>({ [KAFKA_TIERED]: KAFKA_TIERED });
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
