import * as pulumi from "@pulumi/pulumi";
import { FLINK_DEFAULTS, ResolvedChart } from "../../model/defaults";
import { platformLabels } from "../../model/labels";
import { platformNaming } from "../../model/naming";
import { operatorRelease } from "../k8s";

export interface FlinkOperatorArgs {
  readonly operatorChart: ResolvedChart;
  readonly certManagerChart: ResolvedChart;
  /** 'cert-manager' installs cert-manager for the admission webhook; 'disabled' runs without the webhook. */
  readonly webhook: "cert-manager" | "disabled";
}

/** The Flink Kubernetes Operator (watching all namespaces), and cert-manager when its webhook is on. */
export class FlinkOperator extends pulumi.ComponentResource {
  /** The operator release: FlinkDeployments need its CRDs. Absent when another team installs the operator. */
  public readonly release: pulumi.Resource | undefined;

  constructor(name: string, args: FlinkOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:flink:FlinkOperator", name, {}, opts);
    const certManager = args.webhook === "cert-manager"
      ? operatorRelease("cert-manager", {
        chart: args.certManagerChart,
        namespace: platformNaming.certManagerNamespace,
        labels: platformLabels("cert-manager"),
        values: { crds: { enabled: true }, resources: { requests: { cpu: "50m", memory: "128Mi" } } },
      }, { parent: this })
      : [];
    [this.release] = operatorRelease("flink-operator", {
      chart: args.operatorChart,
      namespace: platformNaming.flinkOperatorNamespace,
      labels: platformLabels("flink-operator"),
      values: {
        webhook: { create: args.webhook === "cert-manager" },
        operatorPod: { resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "1Gi" } } },
        // The chart declares the container port; the operator only listens on it once its reporter is configured.
        metrics: { port: FLINK_DEFAULTS.operatorMetricsPort },
        defaultConfiguration: { create: true, append: true, "flink-conf.yaml": flinkOperatorConfiguration() },
      },
    }, { parent: this, dependsOn: certManager });
    this.registerOutputs({});
  }
}

/**
 * The operator's flink-conf.yaml overrides (the chart appends them to its built-in defaults). Setting them
 * replaces the chart's own overrides value, which configures only an slf4j reporter and a 15 s reconcile
 * interval (helm/flink-kubernetes-operator/values.yaml): the Prometheus reporter is ours, the interval kept.
 */
export function flinkOperatorConfiguration(): string {
  return [
    "kubernetes.operator.metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
    `kubernetes.operator.metrics.reporter.prom.port: ${FLINK_DEFAULTS.operatorMetricsPort}`,
    "kubernetes.operator.reconcile.interval: 15 s",
  ].join("\n") + "\n";
}
