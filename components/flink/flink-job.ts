import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AwsConfig } from "../../config/types";
import { FLINK_API_VERSION, FlinkDeploymentSpec } from "../../crds/flink";
import { DATA_CONTRACTS } from "../../model/contracts";
import { FLINK_DEFAULTS } from "../../model/defaults";
import { FlinkJobModel, FlinkModel } from "../../model/flink";
import { tenantLabels } from "../../model/labels";
import { tenantNaming } from "../../model/naming";
import { customResource } from "../k8s";
import { FLINK_POD_SELECTOR } from "../../monitoring/monitors";
import { credentialEnv } from "../storage/access";
import { BucketGrant, IrsaRole } from "../storage/irsa-role";

/** Where a tenant's Flink state lives, and how its jobs are allowed in. */
export interface FlinkStateStorage {
  readonly bucket: pulumi.Input<string>;
  /** In-cluster store: endpoint, and the Secret in the tenant namespace with its credentials. */
  readonly endpoint?: string;
  readonly credentialsSecret?: string;
  /** AWS: one IRSA role per job service account, allowed only the job's prefix. */
  readonly irsa?: { readonly aws: AwsConfig; readonly bucketArn: pulumi.Input<string>; readonly kmsKeyArn: pulumi.Input<string> };
  /** Lake jobs: the tenant's table location and, on AWS, what their role may also use (warehouse prefix, Glue database). */
  readonly lake?: { readonly location: pulumi.Input<string>; readonly grants?: readonly BucketGrant[]; readonly statements?: readonly pulumi.Input<Record<string, unknown>>[] };
}

export interface FlinkJobArgs {
  readonly tenant: string;
  /** The tenant's instance of the job: script, parallelism, names. */
  readonly job: FlinkJobModel;
  readonly flink: FlinkModel;
  readonly namespace: pulumi.Input<string>;
  /** Secret in the tenant namespace with the Kafka username, password and CA. */
  readonly kafkaCredentialsSecret: string;
  readonly storage: FlinkStateStorage;
  /** The operator release (CRDs), the job's topics and the tenant's Flink service account. */
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * The tenant's Flink identity, shared by all its jobs: one service account bound to the `flink` Role and,
 * on AWS, one IRSA role allowed only the tenant's Flink state prefix (and its lake prefix and database).
 * One role per tenant, not per job: AWS accounts hold 1,000 IAM roles by default.
 */
export class FlinkIdentity extends pulumi.ComponentResource {
  public readonly serviceAccount: k8s.core.v1.ServiceAccount;

  constructor(name: string, args: FlinkIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:flink:FlinkIdentity", name, {}, opts);
    const child = { parent: this };
    const labels = tenantLabels(args.tenant, "flink");
    const sa = tenantNaming.flinkServiceAccount();
    const role = args.storage.irsa
      ? new IrsaRole(name, {
          aws: args.storage.irsa.aws,
          namespace: args.namespaceName,
          serviceAccount: sa,
          grants: [{ bucketArn: args.storage.irsa.bucketArn, prefix: tenantNaming.flinkStatePrefix(args.tenant) }, ...(args.storage.lake?.grants ?? [])],
          statements: args.storage.lake?.statements,
          kmsKeyArn: args.storage.irsa.kmsKeyArn,
          tags: { "analytics-platform/tenant": args.tenant },
        }, child)
      : undefined;
    this.serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
      metadata: { name: sa, namespace: args.namespace, labels, annotations: role?.serviceAccountAnnotations },
    }, child);
    new k8s.rbac.v1.RoleBinding(`${name}-rb`, {
      metadata: { name: sa, namespace: args.namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: FLINK_ROLE },
      subjects: [{ kind: "ServiceAccount", name: sa, namespace: args.namespaceName }],
    }, child);
    this.registerOutputs({});
  }
}

export interface FlinkIdentityArgs {
  readonly tenant: string;
  readonly namespace: pulumi.Input<string>;
  readonly namespaceName: string;
  readonly storage: FlinkStateStorage;
}

/** One tenant's running instance of one Flink SQL job (FlinkDeployment, application mode). */
export class FlinkJob extends pulumi.ComponentResource {
  public readonly deploymentName: pulumi.Output<string>;

  constructor(name: string, args: FlinkJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:flink:FlinkJob", name, {}, opts);
    const j = args.job;
    const labels = tenantLabels(args.tenant, "flink");
    const child = { parent: this };

    const script = new k8s.core.v1.ConfigMap(`${name}-sql`, {
      metadata: { name: j.configMap, namespace: args.namespace, labels },
      data: { [`${j.job}.sql`]: j.script },
    }, child);

    customResource<FlinkDeploymentSpec>(name, {
      apiVersion: FLINK_API_VERSION,
      kind: "FlinkDeployment",
      metadata: { name: j.job, namespace: args.namespace, labels },
      spec: pulumi
        .all([args.storage.bucket, j.lake ? args.storage.lake?.location : undefined])
        .apply(([bucket, lakeLocation]) => flinkDeploymentSpec(args.tenant, j, args.flink, bucket, args.kafkaCredentialsSecret, args.storage, lakeLocation)),
    }, { parent: this, dependsOn: [...args.dependsOn, script] });

    this.deploymentName = pulumi.output(j.job);
    this.registerOutputs({ deploymentName: this.deploymentName });
  }
}

/** Role the jobs' JobManagers use to run TaskManager pods and keep HA metadata in ConfigMaps. */
export const FLINK_ROLE = "flink";

export function flinkRoleRules(): k8s.types.input.rbac.v1.PolicyRule[] {
  return [
    { apiGroups: [""], resources: ["pods", "configmaps"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
    { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
    // The JobManager makes its Deployment the blocking owner of each TaskManager pod, which the API server's
    // OwnerReferencesPermissionEnforcement allows only with update on the owner's finalizers (the operator
    // chart's job Role, helm/flink-kubernetes-operator/templates/rbac/_helpers.tpl, grants the same).
    { apiGroups: ["apps"], resources: ["deployments/finalizers"], verbs: ["update"] },
  ];
}

/** The FlinkDeployment spec for one tenant job: exactly-once checkpoints to object storage, HA, savepoint upgrades. */
export function flinkDeploymentSpec(
  tenant: string,
  j: FlinkJobModel,
  f: FlinkModel,
  bucket: string,
  kafkaSecret: string,
  storage: FlinkStateStorage,
  lakeLocation?: string,
): FlinkDeploymentSpec {
  const base = `s3://${bucket}/${j.statePrefix}`;
  const env: k8s.types.input.core.v1.EnvVar[] = [
    { name: "KAFKA_USERNAME", valueFrom: { secretKeyRef: { name: kafkaSecret, key: "username" } } },
    { name: "KAFKA_PASSWORD", valueFrom: { secretKeyRef: { name: kafkaSecret, key: "password" } } },
    ...(storage.credentialsSecret ? credentialEnv(storage.credentialsSecret) : []),
    // PII_HASH and PII_MASK_JSON read the salt where they run, on every TaskManager (sql-runner PiiHash), never from the script.
    ...(j.salted ? [{ name: DATA_CONTRACTS.saltKey, valueFrom: { secretKeyRef: { name: DATA_CONTRACTS.saltSecret, key: DATA_CONTRACTS.saltKey } } }] : []),
    // Not a secret: where the tenant's lake tables live (the runner fills ${LAKE_LOCATION} with it).
    ...(lakeLocation ? [{ name: "LAKE_LOCATION", value: lakeLocation }] : []),
  ];
  return {
    image: f.image,
    flinkVersion: f.flinkVersion,
    mode: "native",
    serviceAccount: j.serviceAccount,
    flinkConfiguration: {
      "execution.checkpointing.interval": `${f.checkpointIntervalSeconds}s`,
      "execution.checkpointing.mode": "EXACTLY_ONCE",
      "execution.checkpointing.dir": `${base}checkpoints`,
      "execution.checkpointing.savepoint-dir": `${base}savepoints`,
      "execution.checkpointing.incremental": "true",
      "execution.checkpointing.externalized-checkpoint-retention": "RETAIN_ON_CANCELLATION",
      "state.backend.type": "rocksdb",
      "high-availability.type": "kubernetes",
      "high-availability.storageDir": `${base}ha`,
      "restart-strategy.type": "exponential-delay",
      "restart-strategy.exponential-delay.initial-backoff": "10 s",
      "restart-strategy.exponential-delay.max-backoff": `${FLINK_DEFAULTS.maxRestartBackoffSeconds} s`,
      // Idle partitions and the rarely written reference topic must not hold the watermark back forever.
      "table.exec.source.idle-timeout": `${FLINK_DEFAULTS.sourceIdleTimeoutSeconds} s`,
      // TIMESTAMP_LTZ columns are UTC end to end: casts and day boundaries do not depend on the pod's zone.
      "table.local-time-zone": "UTC",
      "kubernetes.operator.periodic.savepoint.interval": `${f.savepointIntervalHours}h`,
      "kubernetes.operator.savepoint.history.max.count": String(FLINK_DEFAULTS.savepointHistory),
      // The count applies only within max.age (default 24 h, SnapshotObserver.getFlinkStateSnapshotsToCleanUp).
      "kubernetes.operator.savepoint.history.max.age": `${FLINK_DEFAULTS.savepointHistory * f.savepointIntervalHours}h`,
      // Savepoints cleaned from the history are disposed, files included; the default (false) only deletes
      // their FlinkStateSnapshot and leaves the files in the bucket for ever (StateSnapshotReconciler.cleanup).
      "kubernetes.operator.savepoint.dispose-on-delete": "true",
      "metrics.reporter.prom.factory.class": "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
      "metrics.reporter.prom.port": String(FLINK_DEFAULTS.metricsPort),
      "taskmanager.numberOfTaskSlots": String(FLINK_DEFAULTS.taskSlots),
      ...(f.autoscaler
        ? {
            "job.autoscaler.enabled": "true",
            "job.autoscaler.utilization.target": "0.7",
            "job.autoscaler.vertex.max-parallelism": String(f.maxParallelism),
          }
        : {}),
      ...(j.autoscalerQuota
        ? { "job.autoscaler.quota.cpu": String(j.autoscalerQuota.cpu), "job.autoscaler.quota.memory": `${j.autoscalerQuota.memoryMi}m` }
        : {}),
      ...(storage.endpoint ? { "s3.endpoint": storage.endpoint, "s3.path.style.access": "true" } : {}),
      ...j.config,
    },
    podTemplate: {
      // The tenant's PodMonitor selects these labels; the tenant label also names the pods' owner.
      metadata: { labels: { ...tenantLabels(tenant, "flink"), ...FLINK_POD_SELECTOR } },
      spec: {
        containers: [{
          name: "flink-main-container",
          ports: [{ name: "metrics", containerPort: FLINK_DEFAULTS.metricsPort }],
          env,
          volumeMounts: [
            { name: "sql", mountPath: FLINK_DEFAULTS.scriptDir, readOnly: true },
            { name: "kafka-ca", mountPath: FLINK_DEFAULTS.caDir, readOnly: true },
          ],
        }],
        volumes: [
          { name: "sql", configMap: { name: j.configMap } },
          { name: "kafka-ca", secret: { secretName: kafkaSecret, items: [{ key: "ca.crt", path: "ca.crt" }] } },
        ],
      },
    },
    jobManager: { replicas: f.jobManagerReplicas, resource: f.jobManager },
    taskManager: { resource: f.taskManager },
    job: {
      jarURI: FLINK_DEFAULTS.runnerJar,
      args: [`${FLINK_DEFAULTS.scriptDir}/${j.job}.sql`],
      parallelism: j.parallelism,
      upgradeMode: "savepoint",
      state: "running",
    },
  };
}
