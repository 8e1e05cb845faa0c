import * as pulumi from "@pulumi/pulumi";

/** How a workload reaches its bucket, whichever cloud provides it. */
export interface ObjectStorageAccess {
  readonly bucket: pulumi.Output<string>;
  readonly region: string;
  /** S3 endpoint URL for in-cluster stores; undefined means the AWS regional endpoint. */
  readonly endpoint?: string;
  readonly pathStyleAccess: boolean;
  /** local: Secret in the workload's namespace with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. */
  readonly credentialsSecret?: pulumi.Output<string>;
  /** aws: annotations binding the workload's service account to its IAM role (IRSA). */
  readonly serviceAccountAnnotations?: pulumi.Output<Record<string, string>>;
}

/** Environment variables that hand in-cluster store credentials to the AWS SDK's default chain. */
export function credentialEnv(secretName: string): { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }[] {
  return ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"].map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: secretName, key } } }));
}

/** Secret data holding in-cluster store credentials in the form credentialEnv reads. */
export function credentialData(accessKey: string, secretKey: pulumi.Input<string>): Record<string, pulumi.Input<string>> {
  return { AWS_ACCESS_KEY_ID: accessKey, AWS_SECRET_ACCESS_KEY: secretKey };
}

export const LOCAL_CREDENTIALS_SECRET = "object-store-credentials";
