/** The parts of the Flink Kubernetes Operator 1.15 API (`flink.apache.org/v1beta1`) this program uses. */
import * as k8s from "@pulumi/kubernetes";

export const FLINK_API_VERSION = "flink.apache.org/v1beta1";

export interface FlinkResource {
  readonly cpu: number;
  readonly memory: string;
}

export interface FlinkDeploymentSpec {
  readonly image: string;
  readonly flinkVersion: string;
  readonly mode: "native";
  readonly serviceAccount: string;
  /** All values are strings in Flink's configuration. */
  readonly flinkConfiguration: Readonly<Record<string, string>>;
  readonly podTemplate: { readonly metadata?: { readonly labels?: Readonly<Record<string, string>> }; readonly spec: k8s.types.input.core.v1.PodSpec };
  readonly jobManager: { readonly replicas: number; readonly resource: FlinkResource };
  readonly taskManager: { readonly resource: FlinkResource };
  readonly job: {
    readonly jarURI: string;
    readonly args: readonly string[];
    readonly parallelism: number;
    readonly upgradeMode: "savepoint" | "last-state" | "stateless";
    readonly state: "running" | "suspended";
  };
}
