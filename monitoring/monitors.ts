import { PodMonitorSpec, RelabelConfig } from "../crds/monitoring";
import { DRUID_DEFAULTS, FLINK_DEFAULTS, OBSERVABILITY_DEFAULTS } from "../model/defaults";
import { PlatformModel } from "../model/platform-model";
import { platformNaming } from "../model/naming";
import { MetricSource } from "./metrics";

/** One PodMonitor: what it scrapes, where it lives, and which metric source it provides. */
export interface MonitorDefinition {
  readonly name: string;
  readonly namespace: string;
  readonly source: MetricSource;
  readonly spec: PodMonitorSpec;
}

/** Adds a `tenant` label taken from the tenant prefix of another label (topic "acme.events", dataSource "acme_events"). */
function tenantFrom(label: string, separator: "." | "_"): RelabelConfig {
  return { sourceLabels: [label], regex: `([a-z][a-z0-9-]*)\\${separator}.+`, targetLabel: "tenant", replacement: "$1", action: "replace" };
}

const STRIMZI_METRICS_PORT = "tcp-prometheus";

function podMonitor(
  name: string,
  namespace: string,
  source: MetricSource,
  selector: Record<string, string>,
  endpoint: { port?: string; portNumber?: number; honorLabels?: boolean; metricRelabelings?: RelabelConfig[]; relabelings?: RelabelConfig[] },
): MonitorDefinition {
  return {
    name,
    namespace,
    source,
    spec: {
      selector: { matchLabels: selector },
      namespaceSelector: { matchNames: [namespace] },
      podMetricsEndpoints: [{ path: "/metrics", interval: `${OBSERVABILITY_DEFAULTS.scrapeIntervalSeconds}s`, ...endpoint }],
    },
  };
}

/** Monitors of the shared layers that exist in this model. Adding a layer means adding its entries here. */
export function platformMonitors(m: PlatformModel): MonitorDefinition[] {
  const k = m.kafka;
  const monitors = [
    // Every node of every pool, controllers too (ActiveControllerCount, OfflinePartitionsCount come from the
    // KRaft controllers): Strimzi labels all of them strimzi.io/name=<cluster>-kafka, not the exporter or Cruise Control.
    podMonitor("kafka-nodes", k.namespace, "kafkaBrokers", { "strimzi.io/cluster": k.clusterName, "strimzi.io/name": `${k.clusterName}-kafka` },
      { port: STRIMZI_METRICS_PORT, metricRelabelings: [tenantFrom("topic", ".")] }),
    podMonitor("kafka-exporter", k.namespace, "kafkaExporter", { "strimzi.io/cluster": k.clusterName, "strimzi.io/name": `${k.clusterName}-kafka-exporter` },
      { port: STRIMZI_METRICS_PORT, metricRelabelings: [tenantFrom("topic", ".")] }),
    podMonitor("strimzi-operator", platformNaming.strimziNamespace, "strimziOperator", { "strimzi.io/kind": "cluster-operator" }, { port: "http" }),
  ];
  if (m.flink.enabled) {
    monitors.push(podMonitor("flink-operator", platformNaming.flinkOperatorNamespace, "prometheus", { "app.kubernetes.io/name": "flink-kubernetes-operator" },
      // The chart names the container port of metrics.port "metrics" (templates/flink-operator.yaml).
      { port: "metrics" }));
  }
  if (m.druid.enabled) {
    monitors.push(podMonitor("druid", m.druid.namespace, "druid", { "app.kubernetes.io/component": "druid" },
      { port: DRUID_DEFAULTS.metricsPortName, metricRelabelings: [tenantFrom("dataSource", "_")] }));
  }
  if (m.observability.pushgateway) {
    // The chart's pod labels and container port name (templates/_helpers.tpl); honorLabels keeps each peon's own
    // job and instance instead of the Pushgateway's.
    monitors.push(podMonitor("druid-peons", m.observability.namespace, "druidPeons",
      { "app.kubernetes.io/name": "prometheus-pushgateway", "app.kubernetes.io/instance": platformNaming.pushgatewayService },
      { port: "metrics", honorLabels: true, metricRelabelings: [tenantFrom("dataSource", "_")] }));
  }
  return monitors;
}

/** Labels of a tenant's Flink pods (set in the pod template), which its monitor selects. */
export const FLINK_POD_SELECTOR = { "app.kubernetes.io/component": "flink" } as const;

/** The monitor of one tenant's Flink jobs, in the tenant's namespace, stamping every series with the tenant. */
export function tenantFlinkMonitor(tenant: string, namespace: string): MonitorDefinition {
  return podMonitor("flink-jobs", namespace, "flink", { ...FLINK_POD_SELECTOR }, {
    portNumber: FLINK_DEFAULTS.metricsPort,
    relabelings: [{ targetLabel: "tenant", replacement: tenant, action: "replace" }],
  });
}
