import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ExpirationRule } from "../../model/retention";

/** Lifecycle rules every bucket has, before any expiration of its own. */
export const BUCKET_WIDE_LIFECYCLE_RULES = [
  { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
  // Versioning guards against mistakes; old versions need not live forever.
  { id: "expire-noncurrent", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 } },
];

export interface EncryptedBucketArgs {
  /** Prefix of the generated, globally unique bucket name. */
  readonly bucketPrefix: string;
  /** KMS key used for SSE-KMS by default on every object. */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Protect the bucket and retain it when removed from the program (prod). */
  readonly protect: boolean;
  readonly tags: Readonly<Record<string, string>>;
  /** Expire objects under these prefixes after so many days (one S3 lifecycle configuration holds all rules). */
  readonly expirations?: readonly ExpirationRule[];
}

/** S3 bucket with SSE-KMS, versioning, public access blocked and a TLS-only bucket policy. */
export class EncryptedBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: EncryptedBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:storage:EncryptedBucket", name, {}, opts);
    const child = { parent: this };
    const bucket = new aws.s3.Bucket(name, {
      bucketPrefix: args.bucketPrefix,
      forceDestroy: false,
      tags: { ...args.tags },
    }, { ...child, protect: args.protect, retainOnDelete: args.protect });

    new aws.s3.BucketServerSideEncryptionConfiguration(name, {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }],
    }, child);
    new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
    const pab = new aws.s3.BucketPublicAccessBlock(name, {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }, child);
    new aws.s3.BucketPolicy(name, {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }],
      }),
    }, { ...child, dependsOn: [pab] });
    new aws.s3.BucketLifecycleConfiguration(name, {
      bucket: bucket.id,
      rules: [
        ...BUCKET_WIDE_LIFECYCLE_RULES,
        ...(args.expirations ?? []).map((e) => ({
          id: e.id,
          status: "Enabled",
          filter: { prefix: e.prefix },
          expiration: { days: e.days },
          ...(e.deletedVersionDays !== undefined ? { noncurrentVersionExpiration: { noncurrentDays: e.deletedVersionDays } } : {}),
        })),
      ],
    }, child);

    this.bucketName = bucket.bucket;
    this.arn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}
