import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ChartDefault, ResolvedChart } from "../model/defaults";
import { Labels } from "../model/labels";

/** A typed custom resource: `spec` is checked against the hand-written interfaces in crds/. */
export interface TypedResource<TSpec> {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Labels;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: pulumi.Input<TSpec> | pulumi.Output<TSpec>;
}

export function customResource<TSpec>(
  name: string,
  resource: TypedResource<TSpec>,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(name, resource as unknown as k8s.apiextensions.CustomResourceArgs, opts);
}

/** Ask the Kubernetes provider to wait until the custom resource reports condition Ready. */
export const WAIT_FOR_READY = { "pulumi.com/waitFor": "condition=Ready" } as const;

export interface HelmReleaseArgs {
  readonly chart: ChartDefault;
  readonly namespace: pulumi.Input<string>;
  readonly values: pulumi.Input<Record<string, unknown>>;
}

/**
 * A pinned Helm release. `oci://` repositories are addressed as `<repo>/<chart>`, http(s) ones through
 * repositoryOpts, so a mirror of either kind is one config override.
 */
export function helmRelease(name: string, args: HelmReleaseArgs, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
  const oci = args.chart.repository.startsWith("oci://");
  return new k8s.helm.v3.Release(
    name,
    {
      name,
      chart: oci ? `${args.chart.repository.replace(/\/$/, "")}/${args.chart.chart}` : args.chart.chart,
      version: args.chart.version,
      repositoryOpts: oci ? undefined : { repo: args.chart.repository },
      namespace: args.namespace,
      values: args.values,
      atomic: true,
      cleanupOnFail: true,
      timeout: 900,
    },
    opts,
  );
}

export interface OperatorReleaseArgs {
  readonly chart: ResolvedChart;
  /** The operator's own namespace, created for its release. */
  readonly namespace: string;
  readonly labels: Labels;
  readonly values: pulumi.Input<Record<string, unknown>>;
}

/**
 * An operator's namespace and pinned release, or nothing when its chart says `install: false`: another team runs
 * that operator, and its CRDs exist. Returns what the operator's custom resources must wait for.
 */
export function operatorRelease(name: string, args: OperatorReleaseArgs, opts: pulumi.CustomResourceOptions): pulumi.Resource[] {
  if (!args.chart.install) return [];
  const ns = namespace(args.namespace, args.labels, { parent: opts.parent });
  return [helmRelease(name, { chart: args.chart, namespace: ns.metadata.name, values: args.values }, opts)];
}

export function namespace(name: string, labels: Labels, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(name, { metadata: { name, labels } }, opts);
}

/**
 * The hardening of the platform's own pods (the lake retention run, the schema registry, registration Jobs): a
 * non-root high UID, the runtime's seccomp profile, no token, and containers that cannot escalate, write their
 * root filesystem or keep capabilities (checkov CKV_K8S_22, _28, _31, _37, _38, _40).
 */
export const HARDENED_POD: Pick<k8s.types.input.core.v1.PodSpec, "automountServiceAccountToken" | "securityContext"> = {
  automountServiceAccountToken: false,
  securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
};
export const HARDENED_CONTAINER: k8s.types.input.core.v1.SecurityContext = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
