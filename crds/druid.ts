/** The parts of druid-operator 1.3's `druid.apache.org/v1alpha1` API this program uses. */
import * as k8s from "@pulumi/kubernetes";
import { DruidRule } from "../model/druid";

export const DRUID_API_VERSION = "druid.apache.org/v1alpha1";

type EnvVar = k8s.types.input.core.v1.EnvVar;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

export interface DruidNodeSpec {
  readonly nodeType: "coordinator" | "broker" | "router" | "middleManager" | "historical";
  readonly "druid.port": number;
  readonly nodeConfigMountPath: string;
  readonly replicas: number;
  /** Java properties text. */
  readonly "runtime.properties": string;
  /** Replaces the cluster's `jvm.options` for this node (the CRD: "overrides JvmOptions at top level"). */
  readonly "jvm.options"?: string;
  readonly kind?: "StatefulSet" | "Deployment";
  readonly resources?: k8s.types.input.core.v1.ResourceRequirements;
  readonly podDisruptionBudgetSpec?: { readonly maxUnavailable: number };
  readonly env?: readonly EnvVar[];
  /** The only container ports the operator declares besides druid.port (a monitor needs them declared). */
  readonly ports?: readonly k8s.types.input.core.v1.ContainerPort[];
  readonly volumes?: readonly Volume[];
  readonly volumeMounts?: readonly VolumeMount[];
  readonly volumeClaimTemplates?: readonly k8s.types.input.core.v1.PersistentVolumeClaim[];
}

export interface DruidSpec {
  readonly image: string;
  readonly serviceAccount: string;
  readonly "common.runtime.properties": string;
  readonly "jvm.options": string;
  /** log4j2.xml, written into the common config folder the operator mounts over the image's own. */
  readonly "log4j.config": string;
  readonly env: readonly EnvVar[];
  readonly securityContext: k8s.types.input.core.v1.PodSecurityContext;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly podAnnotations: Readonly<Record<string, string>>;
  readonly services: readonly { readonly spec: k8s.types.input.core.v1.ServiceSpec }[];
  readonly nodes: Readonly<Record<string, DruidNodeSpec>>;
}

export interface DruidIngestionSpec {
  readonly suspend: boolean;
  readonly druidCluster: string;
  readonly ingestion: {
    readonly type: "kafka";
    /** The supervisor spec as an object (wins over the JSON-string `spec`). */
    readonly nativeSpec: unknown;
    readonly rules: readonly DruidRule[];
    readonly compaction?: Readonly<Record<string, unknown>>;
  };
  /** Credentials the operator uses against Druid's API: keys OperatorUserName and OperatorPassword. */
  readonly auth: { readonly type: "basic-auth"; readonly secretRef: { readonly name: string; readonly namespace: string } };
}

/**
 * The env a node's pods get: the node's own `env` when it has one, else the cluster's — the operator picks one,
 * it does not merge (druid-operator controllers/druid/handler.go, `firstNonNilValue(nodeSpec.Env, m.Spec.Env)`).
 */
export function effectiveEnv(cluster: DruidSpec, node: DruidNodeSpec): readonly EnvVar[] {
  return node.env ?? cluster.env;
}
