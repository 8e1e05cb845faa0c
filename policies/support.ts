import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs } from "@pulumi/policy";
import { TENANT_LABEL } from "../model/labels";

/** Types this pack looks at, as the engine names them. */
export const T = {
  bucket: "aws:s3/bucket:Bucket",
  bucketSse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketPab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  kmsKey: "aws:kms/key:Key",
  rds: "aws:rds/instance:Instance",
  iamRolePolicy: "aws:iam/rolePolicy:RolePolicy",
  iamPolicy: "aws:iam/policy:Policy",
  glueDatabase: "aws:glue/catalogDatabase:CatalogDatabase",
  release: "kubernetes:helm.sh/v3:Release",
  namespace: "kubernetes:core/v1:Namespace",
  secret: "kubernetes:core/v1:Secret",
  configMap: "kubernetes:core/v1:ConfigMap",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  resourceQuota: "kubernetes:core/v1:ResourceQuota",
  role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
  clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  kafka: "kubernetes:kafka.strimzi.io/v1:Kafka",
  kafkaNodePool: "kubernetes:kafka.strimzi.io/v1:KafkaNodePool",
  kafkaTopic: "kubernetes:kafka.strimzi.io/v1:KafkaTopic",
  kafkaUser: "kubernetes:kafka.strimzi.io/v1:KafkaUser",
  flinkDeployment: "kubernetes:flink.apache.org/v1beta1:FlinkDeployment",
  druid: "kubernetes:druid.apache.org/v1alpha1:Druid",
  druidIngestion: "kubernetes:druid.apache.org/v1alpha1:DruidIngestion",
} as const;

export type Props = Record<string, unknown>;

/** Field access into resource properties without `any`. */
export function get(obj: unknown, ...path: (string | number)[]): unknown {
  return path.reduce<unknown>((o, k) => (o === undefined || o === null || typeof o !== "object" ? undefined : (o as Record<string | number, unknown>)[k]), obj);
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/**
 * A resource validation limited to one type, like validateResourceOfType (which needs a resource class;
 * custom resources have none). It carries the same `__pulumiType` marker, so the analyzer skips other
 * types without deserializing them.
 */
export function ofType(type: string, check: (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void): ResourceValidationPolicy["validateResource"] {
  const validate = (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type !== type) {
      args.notApplicable(`applies to ${type} only`);
      return;
    }
    check(args.props as Props, args, report);
  };
  return Object.assign(validate, { __pulumiType: type });
}

export function tenantOf(props: unknown): string | undefined {
  const t = get(props, "metadata", "labels", TENANT_LABEL);
  return typeof t === "string" ? t : undefined;
}

export function namespaceOf(props: unknown): string | undefined {
  const ns = get(props, "metadata", "namespace");
  return typeof ns === "string" ? ns : undefined;
}

export function nameOf(props: unknown): string {
  return str(get(props, "metadata", "name"));
}

export type StackResource = StackValidationArgs["resources"][number];

/** Resources of one type. */
export function resourcesOf(args: StackValidationArgs, type: string): StackResource[] {
  return args.resources.filter((r) => r.type === type);
}

/** IAM policy documents arrive as JSON text. */
export function policyStatements(doc: unknown): Props[] {
  try {
    const parsed = typeof doc === "string" ? JSON.parse(doc) : doc;
    return asArray(get(parsed, "Statement")).filter((s): s is Props => typeof s === "object" && s !== null);
  } catch {
    return [];
  }
}

export function list(v: unknown): string[] {
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
}
