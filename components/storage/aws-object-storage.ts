import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EncryptedBucket, EncryptedBucketArgs } from "./encrypted-bucket";

export interface AwsObjectStorageArgs {
  /** One bucket per purpose, e.g. "kafka-tiered". */
  readonly purposes: readonly string[];
  readonly stack: string;
  /** Protect key and buckets and retain them on delete (prod). */
  readonly protect: boolean;
  readonly tags: Readonly<Record<string, string>>;
  /** Per purpose: prefixes whose objects expire (e.g. each tenant's lake tables after its retention). */
  readonly expirations?: Readonly<Record<string, EncryptedBucketArgs["expirations"]>>;
}

/** The platform's KMS key (rotated) and its SSE-KMS buckets. */
export class AwsObjectStorage extends pulumi.ComponentResource {
  public readonly kmsKeyArn: pulumi.Output<string>;
  public readonly buckets: Readonly<Record<string, EncryptedBucket>>;

  constructor(name: string, args: AwsObjectStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:storage:AwsObjectStorage", name, {}, opts);
    const key = new aws.kms.Key(name, {
      description: `analytics-platform ${args.stack}: data at rest`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags: { ...args.tags },
    }, { parent: this, protect: args.protect, retainOnDelete: args.protect });
    new aws.kms.Alias(name, { name: `alias/analytics-platform-${args.stack}`, targetKeyId: key.keyId }, { parent: this });

    const buckets: Record<string, EncryptedBucket> = {};
    for (const purpose of args.purposes) {
      buckets[purpose] = new EncryptedBucket(`${name}-${purpose}`, {
        bucketPrefix: `ap-${args.stack}-${purpose}-`,
        kmsKeyArn: key.arn,
        protect: args.protect,
        tags: { ...args.tags, purpose },
        expirations: args.expirations?.[purpose],
      }, { parent: this });
    }
    this.kmsKeyArn = key.arn;
    this.buckets = buckets;
    this.registerOutputs({ kmsKeyArn: this.kmsKeyArn });
  }
}
