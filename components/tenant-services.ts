import * as pulumi from "@pulumi/pulumi";
import { LOCAL_ENDPOINT, platformNaming } from "../model/naming";
import { PlatformModel, TenantModel } from "../model/platform-model";
import { registryUser } from "../model/schema-registry";
import { glueStatement } from "./storage/irsa-role";
import { LOCAL_CREDENTIALS_SECRET } from "./storage/access";
import { KafkaConnection, TenantPlatformServices } from "./tenant";

/**
 * What the platform generates that tenants need: values only (names and structure come from the model).
 * In one stack they are the platform's resource outputs; split across stacks, the platform stack exports
 * them as the output `shared` and tenant stacks read it through a StackReference.
 */
export interface SharedValues {
  readonly kafkaBootstrap: pulumi.Input<string>;
  /** Base64 PEM of Kafka's cluster CA. */
  readonly kafkaCaCert: pulumi.Input<string>;
  readonly flinkStateBucket?: pulumi.Input<string>;
  readonly flinkStateBucketArn?: pulumi.Input<string>;
  readonly kmsKeyArn?: pulumi.Input<string>;
  readonly warehouseBucket?: pulumi.Input<string>;
  readonly warehouseBucketArn?: pulumi.Input<string>;
  readonly trinoCaCert?: pulumi.Input<string>;
  /** Secret key of an in-cluster object-store user (cloud: local). */
  readonly objectStoreKey: (client: string) => pulumi.Input<string>;
  readonly trinoPassword: (tenant: string) => pulumi.Input<string>;
  /** PEM of the schema registry's CA. */
  readonly registryCaCert?: pulumi.Input<string>;
  readonly registryPassword: (tenant: string) => pulumi.Input<string>;
}

/** The platform's resources tenants depend on, when they are in the same stack (across stacks they already exist). */
export interface SharedResources {
  readonly kafka?: pulumi.Resource;
  readonly flinkOperator?: pulumi.Resource;
  readonly druid?: pulumi.Resource;
  readonly monitoringCrds?: pulumi.Resource;
  readonly schemaRegistry?: pulumi.Resource;
}

/** A tenant's view of the shared Kafka cluster. */
export function kafkaConnection(m: PlatformModel, shared: SharedValues, resources: SharedResources): KafkaConnection {
  return {
    clusterName: m.kafka.clusterName,
    namespace: m.kafka.namespace,
    bootstrapServers: shared.kafkaBootstrap,
    clientPort: m.kafka.clientPort,
    clusterCaCert: shared.kafkaCaCert,
    cluster: resources.kafka,
  };
}

/** What one tenant gets of the shared layers, decided from the model alone. */
export function tenantServices(m: PlatformModel, t: TenantModel, shared: SharedValues, resources: SharedResources): TenantPlatformServices {
  const aws = m.cloud === "aws" ? m.aws : undefined;
  const lake = m.lake.enabled && t.lake;
  const location = lake && (aws ? pulumi.interpolate`s3://${shared.warehouseBucket!}/${lake.prefix}` : `s3://${platformNaming.lakeWarehouseBucket}/${lake.prefix}`);
  const jobsRun = t.flinkJobs.length > 0;
  return {
    flinkOperator: resources.flinkOperator,
    flinkStorage: jobsRun
      ? aws
        ? { bucket: shared.flinkStateBucket!, irsa: { aws, bucketArn: shared.flinkStateBucketArn!, kmsKeyArn: shared.kmsKeyArn! } }
        : { bucket: platformNaming.flinkStateBucket, endpoint: LOCAL_ENDPOINT, credentialsSecret: LOCAL_CREDENTIALS_SECRET }
      : undefined,
    objectStoreCredentials: jobsRun && !aws ? { accessKey: t.objectStoreClient, secretKey: shared.objectStoreKey(t.objectStoreClient) } : undefined,
    lake: lake && location
      ? {
          trinoUrl: m.lake.trinoUrl,
          caCert: shared.trinoCaCert!,
          password: shared.trinoPassword(t.name),
          namespace: m.lake.namespace,
          egressPorts: m.lake.tenantEgressPorts,
          glueLocation: aws ? location : undefined,
          jobs: aws
            ? { location, grants: [{ bucketArn: shared.warehouseBucketArn!, prefix: lake.prefix }], statements: [glueStatement(aws, lake.schema)] }
            : { location },
        }
      : undefined,
    druid: m.druid.enabled
      ? { cluster: resources.druid, clusterName: m.druid.clusterName, namespace: m.druid.namespace, operatorAuthSecret: platformNaming.druidOperatorAuthSecret }
      : undefined,
    monitoring: m.observability.enabled ? { crds: resources.monitoringCrds, namespace: m.observability.namespace } : undefined,
    schemaRegistry: t.subjects.length > 0
      ? {
          registry: resources.schemaRegistry,
          url: m.schemaRegistry.url,
          caCert: shared.registryCaCert!,
          username: registryUser(t.name),
          password: shared.registryPassword(t.name),
          namespace: m.schemaRegistry.namespace,
          port: m.schemaRegistry.port,
          registrationImage: m.schemaRegistry.registrationImage,
        }
      : undefined,
  };
}

/** The `shared` stack output of a platform stack: plain values (names, ARNs, public certificates). */
export interface ExportedShared {
  readonly kafkaBootstrap: string;
  readonly kafkaCaCert: string;
  readonly flinkStateBucket?: string;
  readonly flinkStateBucketArn?: string;
  readonly kmsKeyArn?: string;
  readonly warehouseBucket?: string;
  readonly warehouseBucketArn?: string;
  readonly trinoCaCert?: string;
  readonly registryCaCert?: string;
}

/** The `sharedSecrets` stack output: generated credentials, kept secret. */
export interface ExportedSharedSecrets {
  readonly objectStoreKeys: Readonly<Record<string, string>>;
  readonly trinoPasswords: Readonly<Record<string, string>>;
  readonly registryPasswords: Readonly<Record<string, string>>;
}

/** The platform's values as stack outputs for tenant stacks. */
export function exportShared(shared: SharedValues, m: PlatformModel): { shared: pulumi.Output<ExportedShared>; sharedSecrets: pulumi.Output<ExportedSharedSecrets> } {
  const clients = m.cloud === "local" ? m.tenants.filter((t) => t.flinkJobs.length > 0).map((t) => t.objectStoreClient) : [];
  return {
    shared: pulumi.output({
      kafkaBootstrap: shared.kafkaBootstrap,
      kafkaCaCert: shared.kafkaCaCert,
      flinkStateBucket: shared.flinkStateBucket,
      flinkStateBucketArn: shared.flinkStateBucketArn,
      kmsKeyArn: shared.kmsKeyArn,
      warehouseBucket: shared.warehouseBucket,
      warehouseBucketArn: shared.warehouseBucketArn,
      trinoCaCert: shared.trinoCaCert,
      registryCaCert: shared.registryCaCert,
    }) as pulumi.Output<ExportedShared>,
    sharedSecrets: pulumi.secret(pulumi.output({
      objectStoreKeys: Object.fromEntries(clients.map((c) => [c, shared.objectStoreKey(c)])),
      trinoPasswords: Object.fromEntries(m.lake.tenants.map((t) => [t.tenant, shared.trinoPassword(t.tenant)])),
      registryPasswords: Object.fromEntries(m.schemaRegistry.tenants.map((t) => [t, shared.registryPassword(t)])),
    }) as pulumi.Output<ExportedSharedSecrets>),
  };
}

/** A platform stack's exported values, read through a StackReference. */
export function importShared(ref: pulumi.StackReference): SharedValues {
  const plain = ref.requireOutput("shared") as pulumi.Output<ExportedShared>;
  const secrets = ref.requireOutput("sharedSecrets") as pulumi.Output<ExportedSharedSecrets>;
  const field = (k: keyof ExportedShared) => plain.apply((s) => s[k] as string);
  return {
    kafkaBootstrap: field("kafkaBootstrap"),
    kafkaCaCert: field("kafkaCaCert"),
    flinkStateBucket: field("flinkStateBucket"),
    flinkStateBucketArn: field("flinkStateBucketArn"),
    kmsKeyArn: field("kmsKeyArn"),
    warehouseBucket: field("warehouseBucket"),
    warehouseBucketArn: field("warehouseBucketArn"),
    trinoCaCert: field("trinoCaCert"),
    registryCaCert: field("registryCaCert"),
    objectStoreKey: (client) => secrets.apply((s) => s.objectStoreKeys[client]),
    trinoPassword: (tenant) => secrets.apply((s) => s.trinoPasswords[tenant]),
    registryPassword: (tenant) => secrets.apply((s) => s.registryPasswords[tenant]),
  };
}
