import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { asArray, get, judgedWhenKnown, knownParts, knownProperty, nameOf, notKnownDuringPreview, ofType, ofTypes, policyStatements, Props, resourcesOf, StackResource, str, T } from "./support";

/**
 * A bucket's encryption, access block and policy are resources of their own that name the bucket
 * (`bucket: bucket.id`): each S3 rule asks that one resource whose `bucket` input comes from this bucket
 * satisfies it. The engine gives stack policies each property's dependencies, known during preview too,
 * when the bucket's id is not.
 */
function bucketCompanionPolicy(
  policy: Pick<StackValidationPolicy, "name" | "description" | "remediationSteps">,
  companionType: string,
  satisfies: (companion: StackResource) => boolean,
  problem: string,
): StackValidationPolicy {
  return {
    ...policy,
    enforcementLevel: "mandatory",
    validateStack: judgedWhenKnown(ofTypes(companionType), (args, report, undecided) => {
      const names = (bucket: StackResource) => (r: StackResource) => r.type === companionType && (r.propertyDependencies.bucket ?? []).some((d) => d.urn === bucket.urn);
      for (const bucket of resourcesOf(args, T.bucket)) {
        // A companion not known yet leaves its bucket undecided, not in violation.
        if ([...undecided].some(names(bucket))) continue;
        if (!args.resources.some((r) => names(bucket)(r) && satisfies(r))) report(`bucket ${bucket.name} ${problem}`, bucket.urn);
      }
    }),
  };
}

export const s3BucketSseKms = bucketCompanionPolicy({
  name: "s3-bucket-sse-kms",
  description: "S3 buckets encrypt every object with a KMS key by default (SSE-KMS).",
  remediationSteps: "Create buckets through EncryptedBucket (components/storage), which adds a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms.",
}, T.bucketSse, (s) => asArray(get(s.props, "rules")).some((r) => get(r, "applyServerSideEncryptionByDefault", "sseAlgorithm") === "aws:kms"), "has no default SSE-KMS encryption");

export const s3PublicAccessBlocked = bucketCompanionPolicy({
  name: "s3-public-access-blocked",
  description: "S3 buckets block every form of public access.",
  remediationSteps: "Add a BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true (EncryptedBucket does).",
}, T.bucketPab, (p) => ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => p.props[k] === true), "does not block public access");

export const s3TlsOnly = bucketCompanionPolicy({
  name: "s3-tls-only",
  description: "S3 buckets refuse requests that are not over TLS.",
  remediationSteps: "Attach a bucket policy that denies s3:* when aws:SecureTransport is false (EncryptedBucket does).",
}, T.bucketPolicy, (p) => policyStatements(p.props.policy).some((st) => st.Effect === "Deny" && get(st, "Condition", "Bool", "aws:SecureTransport") === "false"), "accepts requests without TLS");

export const kmsKeyRotation: ResourceValidationPolicy = {
  name: "kms-key-rotation",
  description: "KMS keys rotate their key material yearly.",
  remediationSteps: "Set enableKeyRotation: true on the key.",
  enforcementLevel: "mandatory",
  validateResource: ofType(T.kmsKey, (props, _args, report) => {
    if (props.enableKeyRotation !== true) report("KMS key rotation is not enabled");
  }),
};

export const rdsEncryptedPrivate: ResourceValidationPolicy = {
  name: "rds-encrypted-private",
  description: "RDS databases encrypt storage and are not reachable from the internet.",
  remediationSteps: "Set storageEncrypted: true (with the platform KMS key) and publiclyAccessible: false.",
  enforcementLevel: "mandatory",
  validateResource: ofType(T.rds, (props, _args, report) => {
    if (props.storageEncrypted !== true) report("RDS storage is not encrypted");
    if (props.publiclyAccessible === true) report("RDS instance is publicly accessible");
  }),
};

export const kafkaListenersTls: ResourceValidationPolicy = {
  name: "kafka-listeners-tls-authenticated",
  description: "Every Kafka listener uses TLS and requires authentication.",
  remediationSteps: "Set tls: true and authentication (scram-sha-512 for clients, tls for platform components) on every listener.",
  enforcementLevel: "mandatory",
  validateResource: ofType(T.kafka, (props, _args, report) => {
    for (const l of asArray(get(props, "spec", "kafka", "listeners"))) {
      const name = str(get(l, "name"));
      if (get(l, "tls") !== true) report(`listener '${name}' is not TLS`);
      if (!["scram-sha-512", "tls", "custom"].includes(str(get(l, "authentication", "type")))) report(`listener '${name}' has no authentication`);
    }
  }),
};

const KAFKA_CONNECTOR = /'connector'\s*=\s*'(upsert-)?kafka'/g;
const SASL_SSL = /'properties\.security\.protocol'\s*=\s*'(SASL_SSL|SSL)'/g;

export const kafkaClientsEncrypted: ResourceValidationPolicy = {
  name: "kafka-clients-sasl-ssl",
  description: "Platform components reach Kafka only over SASL_SSL or mutual TLS (Flink jobs, Druid supervisors).",
  remediationSteps: "Use ${KAFKA_SOURCE}, ${KAFKA_EXACTLY_ONCE_SINK} or ${KAFKA_CONNECTION} in Flink SQL, and ${KAFKA_CONSUMER_PROPERTIES} in Druid specs.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type === T.configMap) {
      for (const [key, sql] of Object.entries((get(args.props, "data") ?? {}) as Props)) {
        const tables = str(sql).match(KAFKA_CONNECTOR)?.length ?? 0;
        const secured = str(sql).match(SASL_SSL)?.length ?? 0;
        if (tables > secured) report(`${key}: ${tables - secured} Kafka table(s) without SASL_SSL`);
      }
    } else if (args.type === T.druidIngestion) {
      const protocol = get(args.props, "spec", "ingestion", "nativeSpec", "spec", "ioConfig", "consumerProperties", "security.protocol");
      if (protocol !== "SASL_SSL" && protocol !== "SSL") report(`supervisor reads Kafka with security.protocol '${str(protocol) || "PLAINTEXT"}'`);
    } else {
      args.notApplicable("applies to ConfigMaps (Flink SQL) and DruidIngestions");
    }
  },
};

export const objectStoragePathsEncrypted: StackValidationPolicy = {
  name: "object-storage-encrypted",
  description: "Druid and Flink keep data only in this stack's SSE-KMS buckets (on AWS) or the in-cluster store.",
  remediationSteps: "Point deep storage and checkpoint paths at the platform's buckets; on AWS set druid.storage.sse.type=kms.",
  enforcementLevel: "mandatory",
  validateStack: judgedWhenKnown(ofTypes(T.flinkDeployment, T.druid), (args, report) => {
    const awsBuckets = resourcesOf(args, T.bucket);
    if (awsBuckets.length === 0) return; // cloud: local — MinIO in the cluster, no KMS there.
    // Outputs (the engine's stack analysis) carry the bucket's name; inputs (offline) its generated prefix.
    // A bucket's name is not known before it is created (during a preview); its prefix is.
    const isKnown = (name: string) => awsBuckets.some((b) => knownProperty(b, "bucket") === name || (str(b.props.bucketPrefix) !== "" && name.startsWith(str(b.props.bucketPrefix))));
    for (const d of resourcesOf(args, T.flinkDeployment)) {
      for (const [key, value] of Object.entries((get(d.props, "spec", "flinkConfiguration") ?? {}) as Props)) {
        const bucket = /^s3:\/\/([^/]+)\//.exec(str(value))?.[1];
        if (bucket && !isKnown(bucket)) report(`${nameOf(d.props)}: ${key} points at bucket '${bucket}', not an encrypted bucket of this stack`, d.urn);
      }
    }
    for (const d of resourcesOf(args, T.druid)) {
      const props = str(get(d.props, "spec", "common.runtime.properties"));
      const bucket = /^druid\.storage\.bucket=(.*)$/m.exec(props)?.[1];
      if (bucket && !isKnown(bucket)) report(`Druid deep storage bucket '${bucket}' is not an encrypted bucket of this stack`, d.urn);
      if (!/^druid\.storage\.sse\.type=kms$/m.test(props)) report("Druid deep storage does not request SSE-KMS (druid.storage.sse.type=kms)", d.urn);
    }
  }),
};

const SECRET_PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\bAKIA[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/password\s*=\s*"(?!\$\{)[^"]+"/i, "a literal password in a JAAS line"],
  [/(password|secret)[\w.-]*\s*[=:]\s*(?!\$\{|\{"type")[^\s,;'"]{6,}/i, "a password assignment"],
];
const SECRET_ENV = /(PASSWORD|SECRET|TOKEN|ACCESS_KEY)/i;

function containsMarker(v: unknown): boolean {
  if (v === "[secret]") return true;
  if (Array.isArray(v)) return v.some(containsMarker);
  if (v && typeof v === "object") return Object.values(v).some(containsMarker);
  return false;
}

function literalSecretEnv(v: unknown, found: string[]): void {
  if (Array.isArray(v)) v.forEach((x) => literalSecretEnv(x, found));
  else if (v && typeof v === "object") {
    const o = v as Props;
    if (typeof o.name === "string" && SECRET_ENV.test(o.name) && typeof o.value === "string" && o.value !== "") found.push(o.name);
    Object.values(o).forEach((x) => literalSecretEnv(x, found));
  }
}

/** Map keys whose value is itself a secret. `existing…` keys (charts' `existingSecretKey`) name a Secret's key instead. */
const SECRET_KEY = /(^secret|password|passwd|passphrase|token|secret[-_]?key|secret[-_]?access[-_]?key|private[-_]?key|api[-_]?key|client[-_]?secret)$/i;
/** Objects whose fields name keys of a Secret they reference (`accessKeySecret: {awsSecretAccessKey: KEY}`). */
const SECRET_REFERENCE = /(secret|secretref|secretkeyref)$/i;
const NAMES_A_SECRET = /^existing/i;
/** Values that stand for a secret rather than hold one: run-time placeholders, env expansions, file paths. */
const STAND_IN = /^(\[secret\]|\$\{[^}]+\}|\$\([^)]+\)|\/.*)?$/;

/** Every string of `v`, by JSON path, that holds a secret: by its key's name, or by its shape. */
export function plaintextSecrets(v: unknown, path = "$", parentKey = ""): string[] {
  if (typeof v === "string") return SECRET_PATTERNS.filter(([re]) => re.test(v)).map(([, what]) => `${path} contains ${what}`);
  if (Array.isArray(v)) return v.flatMap((x, i) => plaintextSecrets(x, `${path}[${i}]`, parentKey));
  if (!v || typeof v !== "object") return [];
  return Object.entries(v as Props).flatMap(([key, x]) => {
    const at = `${path}.${key}`;
    const named = typeof x === "string" && SECRET_KEY.test(key) && !NAMES_A_SECRET.test(key) && !SECRET_REFERENCE.test(parentKey) && !STAND_IN.test(x);
    return [...(named ? [`${at} is a literal ${key}`] : []), ...plaintextSecrets(x, at, key)];
  });
}

export const noPlaintextSecrets: ResourceValidationPolicy = {
  name: "no-plaintext-secrets",
  description: "Secret values live only in Kubernetes Secrets: never in ConfigMaps, Helm values, environment values or other fields.",
  remediationSteps: "Keep the value in a Secret (from @pulumi/random) and reference it (secretKeyRef, a mounted volume, a chart's existingSecret, or a placeholder filled at run time).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type === T.secret) {
      args.notApplicable("applies to everything but Kubernetes Secrets");
      return;
    }
    // Offline renders mark every Pulumi secret as "[secret]": one in a Kubernetes object other than a Secret
    // (Helm values included) is a leak. Providers' own inputs (an RDS password) are encrypted in state.
    // During a preview, what is known is judged; the rest waits for the update (an advisory).
    const { value: props, unknown } = knownParts(args.props);
    if (args.type.startsWith("kubernetes:") && containsMarker(props)) report("a Pulumi secret value is written into this object");
    for (const finding of plaintextSecrets(props)) report(finding);
    const env: string[] = [];
    literalSecretEnv(get(props, "spec"), env);
    for (const name of env) report(`environment variable ${name} has a literal value; use valueFrom.secretKeyRef`);
    if (unknown.length > 0) throw notKnownDuringPreview(unknown[0]);
  },
};

export const encryptionPolicies = [
  s3BucketSseKms,
  s3PublicAccessBlocked,
  s3TlsOnly,
  kmsKeyRotation,
  rdsEncryptedPrivate,
  kafkaListenersTls,
  kafkaClientsEncrypted,
  objectStoragePathsEncrypted,
  noPlaintextSecrets,
];
