import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AwsConfig } from "../../config/types";
import { DRUID_DEFAULTS, ResolvedChart } from "../../model/defaults";
import { DruidModel } from "../../model/druid";
import { platformLabels } from "../../model/labels";
import { platformNaming } from "../../model/naming";
import { CNPG_API_VERSION, CNPG_CREDENTIALS_SECRET_TYPE, CnpgClusterSpec, cnpgReadWriteService } from "../../crds/cnpg";
import { customResource, operatorRelease, WAIT_FOR_READY } from "../k8s";

export interface DruidMetadataStoreArgs {
  readonly druid: DruidModel;
  /** Namespace of the Druid cluster: the password Secret is created there. */
  readonly namespace: pulumi.Input<string>;
  /** aws: an encrypted, private RDS PostgreSQL; absent: a CloudNativePG Cluster in the Druid namespace. */
  readonly aws?: { readonly config: AwsConfig; readonly kmsKeyArn: pulumi.Input<string>; readonly stack: string };
  /** The CloudNativePG operator chart (used without `aws`). */
  readonly operatorChart: ResolvedChart;
  readonly protect: boolean;
}

const METADATA_CLUSTER = "druid-metadata";
const METADATA_SECRET = "druid-metadata";

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
    // The owner's credentials in the shape CloudNativePG's initdb takes; Druid reads the password key.
    const secret = new k8s.core.v1.Secret(`${name}-password`, {
      metadata: { name: METADATA_SECRET, namespace: args.namespace, labels },
      type: CNPG_CREDENTIALS_SECRET_TYPE,
      stringData: { username: DRUID_DEFAULTS.databaseUser, [this.passwordKey]: password.result },
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
      // CloudNativePG: the operator (cluster-wide, its own namespace) and one Cluster of one instance.
      const operator = operatorRelease("cnpg", { chart: args.operatorChart, namespace: platformNaming.cnpgNamespace, labels: platformLabels("cnpg"), values: {} }, child);
      customResource<CnpgClusterSpec>(name, {
        apiVersion: CNPG_API_VERSION,
        kind: "Cluster",
        metadata: { name: METADATA_CLUSTER, namespace: args.namespace, labels, annotations: WAIT_FOR_READY },
        spec: {
          instances: 1,
          // The cluster's default storage class, as the Druid nodes' volumes.
          storage: { size: "8Gi" },
          bootstrap: { initdb: { database: db, owner: DRUID_DEFAULTS.databaseUser, secret: { name: METADATA_SECRET } } },
          enableSuperuserAccess: false,
          resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        },
      }, { ...child, dependsOn: [...operator, secret], protect: args.protect, retainOnDelete: args.protect });
      // CloudNativePG serves TLS with its own CA: encrypted, as RDS is.
      this.connectUri = pulumi.output(`jdbc:postgresql://${cnpgReadWriteService(METADATA_CLUSTER)}:5432/${db}?sslmode=require`);
    }
    this.registerOutputs({ connectUri: this.connectUri });
  }
}
