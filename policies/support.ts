import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy, UnknownValueError } from "@pulumi/policy";
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

/** Resources of any of these types (for judgedWhenKnown). */
export const ofTypes = (...types: string[]) => (r: StackResource): boolean => types.includes(r.type);

/** Kubernetes objects the program sends to the API server (Helm releases are not objects of their own). */
export const isK8sObject = (r: StackResource): boolean => r.type.startsWith("kubernetes:") && r.type !== T.release && !r.type.startsWith("pulumi:providers");

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

/** The analyzer's markers for unknown values (@pulumi/policy proxy.ts), for the errors raised like its proxy's. */
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";

/** The top-level properties the program always sets on a type, which stack policies read. */
function alwaysSet(type: string): readonly string[] {
  if (type === T.bucketSse) return ["rules"];
  if (type === T.bucketPolicy || type === T.iamRolePolicy || type === T.iamPolicy) return ["policy"];
  if (type === T.glueDatabase) return ["name", "locationUri"];
  if (!type.startsWith("kubernetes:") || type === T.release) return [];
  if (type === T.configMap) return ["metadata", "data"];
  const withSpec: readonly string[] = [T.kafka, T.kafkaTopic, T.kafkaUser, T.flinkDeployment, T.druid, T.druidIngestion, T.networkPolicy, T.resourceQuota];
  return withSpec.includes(type) ? ["metadata", "spec"] : ["metadata"];
}

/** A top-level property, or undefined while the analyzer cannot give it: unknown (its proxy throws), or dropped for a nested unknown. */
export function knownProperty(r: StackResource, property: string): unknown {
  try {
    return (r.props as Props)[property];
  } catch (e) {
    if (e instanceof UnknownValueError) return undefined;
    throw e;
  }
}

/**
 * A plain copy of a resource's properties without the values not known during preview, and where those
 * were: a policy judges the rest, then raises the SDK's UnknownValueError for the first (preview advisory).
 * Reading through the analyzer's proxy, each unknown throws on access; one is caught per property.
 */
export function knownParts(v: unknown, path: (string | number)[] = []): { value: unknown; unknown: (string | number)[][] } {
  if (!v || typeof v !== "object") return { value: v, unknown: [] };
  const unknown: (string | number)[][] = [];
  const read = (key: string | number): unknown => {
    try {
      const part = knownParts((v as Record<string | number, unknown>)[key], [...path, key]);
      unknown.push(...part.unknown);
      return part.value;
    } catch (e) {
      if (!(e instanceof UnknownValueError)) throw e;
      unknown.push([...path, key]);
      return undefined;
    }
  };
  const value = Array.isArray(v) ? v.map((_x, i) => read(i)) : Object.fromEntries(Object.keys(v).map((k) => [k, read(k)]));
  return { value, unknown };
}

/** After judging the known parts: the SDK's error for the first unknown one, so the analyzer says the policy could not finish. */
export function notKnownDuringPreview(path: readonly (string | number)[]): UnknownValueError {
  return new UnknownValueError(UNKNOWN_STRING, path.map(String));
}

/** Raised after a stack policy judged every resource it could: the analyzer reports it as an advisory. */
class UndecidedDuringPreview extends UnknownValueError {
  constructor(undecided: readonly string[]) {
    super(UNKNOWN_OBJECT, []);
    const shown = undecided.slice(0, 5).join(", ");
    (this as unknown as Error).message = `${undecided.length} resource(s) not known until the update runs (${shown}${undecided.length > 5 ? ", …" : ""}): judged at \`pulumi up\``;
  }
}

/**
 * A stack policy that judges what a preview can show and says what it could not. On a fresh stack's first
 * preview a property holding a nested unknown is missing altogether (pulumi/pulumi#7854): read as absent it
 * would pass silently or report a false violation. The resources it `concerns` that lack a property the
 * program always sets are held back from `validate` (handed to it as `undecided`), then named in one
 * UnknownValueError, which the analyzer turns into an advisory "can't run policy … during preview"
 * (@pulumi/policy server.ts).
 */
export function judgedWhenKnown(
  concerns: (r: StackResource) => boolean,
  validate: (args: StackValidationArgs, report: ReportViolation, undecided: ReadonlySet<StackResource>) => void,
): StackValidationPolicy["validateStack"] {
  return (args, report) => {
    const undecided = new Set(args.resources.filter((r) => concerns(r) && alwaysSet(r.type).some((p) => knownProperty(r, p) === undefined)));
    validate({ ...args, resources: args.resources.filter((r) => !undecided.has(r)) }, report, undecided);
    if (undecided.size > 0) throw new UndecidedDuringPreview([...undecided].map((r) => `${r.type.split(":").pop()} ${r.name}`));
  };
}
