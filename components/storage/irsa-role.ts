import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsConfig } from "../../config/types";

export interface IrsaRoleArgs {
  /** OIDC provider of the EKS cluster. */
  readonly aws: AwsConfig;
  /** Namespace and name of the only service account allowed to assume the role. */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Bucket the role may use, and the key prefix inside it ("" for the whole bucket). */
  readonly bucketArn: pulumi.Input<string>;
  readonly prefix: string;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

/** An IAM role for one Kubernetes service account (IRSA), allowed one bucket prefix and its KMS key. */
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

    const objects = pulumi.interpolate`${args.bucketArn}/${args.prefix}*`;
    new aws.iam.RolePolicy(name, {
      role: role.name,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], Resource: [objects] },
          {
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetBucketLocation"],
            Resource: [args.bucketArn],
            ...(args.prefix ? { Condition: { StringLike: { "s3:prefix": [`${args.prefix}*`] } } } : {}),
          },
          { Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: [args.kmsKeyArn] },
        ],
      }),
    }, { parent: this });

    this.roleArn = role.arn;
    this.serviceAccountAnnotations = role.arn.apply((arn): Record<string, string> => ({ "eks.amazonaws.com/role-arn": arn }));
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
