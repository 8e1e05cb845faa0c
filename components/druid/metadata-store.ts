import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AwsConfig } from "../../config/types";
import { ChartDefault, DRUID_DEFAULTS } from "../../model/defaults";
import { DruidModel } from "../../model/druid";
import { platformLabels } from "../../model/labels";
import { helmRelease } from "../k8s";

export interface DruidMetadataStoreArgs {
  readonly druid: DruidModel;
  /** Namespace of the Druid cluster: the password Secret is created there. */
  readonly namespace: pulumi.Input<string>;
  /** aws: an encrypted, private RDS PostgreSQL; absent: PostgreSQL in the cluster from this chart. */
  readonly aws?: { readonly config: AwsConfig; readonly kmsKeyArn: pulumi.Input<string>; readonly stack: string };
  readonly postgresqlChart: ChartDefault;
  readonly protect: boolean;
}

/** Druid's metadata database (PostgreSQL), its generated password kept in a Secret. */
export class DruidMetadataStore extends pulumi.ComponentResource {
  /** JDBC URI of the database. */
  public readonly connectUri: pulumi.Output<string>;
  /** Secret (in the Druid namespace) and key holding the password. */
  public readonly passwordSecret: pulumi.Output<string>;
  public readonly passwordKey = "password";

  constructor(name: string, args: DruidMetadataStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:druid:DruidMetadataStore", name, {}, opts);
    const child = { parent: this };
    const labels = platformLabels("druid-metadata");
    const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, child);
    const adminPassword = new random.RandomPassword(`${name}-admin-password`, { length: 32, special: false }, child);
    const secret = new k8s.core.v1.Secret(`${name}-password`, {
      metadata: { name: "druid-metadata", namespace: args.namespace, labels },
      stringData: { [this.passwordKey]: password.result, "postgres-password": adminPassword.result },
    }, child);
    this.passwordSecret = secret.metadata.name;

    const db = DRUID_DEFAULTS.databaseName;
    if (args.aws) {
      const net = args.aws.config.network!;
      const subnets = new aws.rds.SubnetGroup(name, { subnetIds: [...net.privateSubnetIds] }, child);
      const sg = new aws.ec2.SecurityGroup(name, {
        vpcId: net.vpcId,
        description: "Druid metadata database: PostgreSQL from the cluster's nodes only",
        ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: [net.nodeSecurityGroupId] }],
      }, child);
      const d = args.druid.database;
      const instance = new aws.rds.Instance(name, {
        engine: "postgres",
        engineVersion: "16",
        instanceClass: d.instanceClass,
        allocatedStorage: d.allocatedStorageGb,
        storageType: "gp3",
        storageEncrypted: true,
        kmsKeyId: args.aws.kmsKeyArn,
        publiclyAccessible: false,
        dbSubnetGroupName: subnets.name,
        vpcSecurityGroupIds: [sg.id],
        dbName: db,
        username: DRUID_DEFAULTS.databaseUser,
        password: password.result,
        multiAz: d.multiAz,
        backupRetentionPeriod: d.backupRetentionDays,
        deletionProtection: args.protect,
        skipFinalSnapshot: !args.protect,
        finalSnapshotIdentifier: args.protect ? `druid-metadata-${args.aws.stack}-final` : undefined,
        autoMinorVersionUpgrade: true,
        copyTagsToSnapshot: true,
      }, { ...child, protect: args.protect, retainOnDelete: args.protect });
      this.connectUri = pulumi.interpolate`jdbc:postgresql://${instance.address}:5432/${db}?sslmode=require`;
    } else {
      helmRelease("druid-metadata", {
        chart: args.postgresqlChart,
        namespace: args.namespace,
        values: {
          auth: {
            username: DRUID_DEFAULTS.databaseUser,
            database: db,
            existingSecret: "druid-metadata",
            secretKeys: { userPasswordKey: this.passwordKey, adminPasswordKey: "postgres-password" },
          },
          primary: {
            persistence: { size: "8Gi", annotations: args.protect ? { "helm.sh/resource-policy": "keep" } : {} },
            resources: { requests: { cpu: "100m", memory: "256Mi" } },
          },
        },
      }, { ...child, dependsOn: [secret] });
      this.connectUri = pulumi.output(`jdbc:postgresql://druid-metadata-postgresql:5432/${db}`);
    }
    this.registerOutputs({ connectUri: this.connectUri });
  }
}
