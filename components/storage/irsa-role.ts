import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsConfig } from "../../config/types";

export interface IrsaRoleArgs {
  /** OIDC provider of the EKS cluster. */
  readonly aws: AwsConfig;
  /** Namespace and name of the only service account allowed to assume the role. */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Buckets the role may use, each with the key prefix inside it ("" for the whole bucket). */
  readonly grants: readonly BucketGrant[];
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Further statements (e.g. Glue on named databases). */
  readonly statements?: readonly pulumi.Input<Record<string, unknown>>[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface BucketGrant {
  readonly bucketArn: pulumi.Input<string>;
  readonly prefix: string;
}

/** S3 statements for one bucket prefix: objects under it, and listing only it. */
export function bucketStatements(g: BucketGrant): pulumi.Input<Record<string, unknown>>[] {
  return [
    { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], Resource: [pulumi.interpolate`${g.bucketArn}/${g.prefix}*`] },
    {
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:GetBucketLocation"],
      Resource: [g.bucketArn],
      ...(g.prefix ? { Condition: { StringLike: { "s3:prefix": [`${g.prefix}*`] } } } : {}),
    },
  ];
}

/** An IAM role for one Kubernetes service account (IRSA), allowed named bucket prefixes and the KMS key. */
export class IrsaRole extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;
  /** Annotations that bind the service account to this role. */
  public readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: IrsaRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:storage:IrsaRole", name, {}, opts);
    const issuer = args.aws.oidcProviderUrl;
    const role = new aws.iam.Role(name, {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
          Effect: "Allow",
          Principal: { Federated: args.aws.oidcProviderArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${issuer}:sub`]: `system:serviceaccount:${args.namespace}:${args.serviceAccount}`,
              [`${issuer}:aud`]: "sts.amazonaws.com",
            },
          },
        }],
      }),
      tags: { ...args.tags },
    }, { parent: this });

    new aws.iam.RolePolicy(name, {
      role: role.name,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          ...args.grants.flatMap(bucketStatements),
          { Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: [args.kmsKeyArn] },
          ...(args.statements ?? []),
        ],
      }),
    }, { parent: this });

    this.roleArn = role.arn;
    this.serviceAccountAnnotations = role.arn.apply((arn): Record<string, string> => ({ "eks.amazonaws.com/role-arn": arn }));
    this.registerOutputs({ roleArn: this.roleArn });
  }
}

const GLUE_TABLE_ACTIONS = [
  "glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable",
  "glue:DeleteTable", "glue:GetPartitions", "glue:BatchGetPartition",
];

/** Glue access to one database's tables ("*" for every database: Trino, which serves all tenants). */
export function glueStatement(aws: AwsConfig, database: string): Record<string, unknown> {
  const account = aws.oidcProviderArn.split(":")[4];
  const arn = (resource: string) => `arn:aws:glue:${aws.region}:${account}:${resource}`;
  return { Effect: "Allow", Action: GLUE_TABLE_ACTIONS, Resource: [arn("catalog"), arn(`database/${database}`), arn(`table/${database}/*`)] };
}
