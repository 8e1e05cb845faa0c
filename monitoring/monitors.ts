import { PodMetricsEndpoint, PodMonitorSpec, RelabelConfig } from "../crds/monitoring";
import { DRUID_DEFAULTS, FLINK_DEFAULTS, LAKE_DEFAULTS, OBSERVABILITY_DEFAULTS } from "../model/defaults";
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

/** Adds a `tenant` label taken from the tenant prefix of a topic ("acme-eu.events": no tenant name has a dot). */
function tenantFromTopic(): RelabelConfig {
  return { sourceLabels: ["topic"], regex: "([a-z][a-z0-9-]*)\\..+", targetLabel: "tenant", replacement: "$1", action: "replace" };
}

/**
 * The `tenant` of Druid series, from their dataSource `<tenant>_<name>`. The emitter writes label values with
 * every character outside [a-zA-Z0-9_] as `_` (prometheus-emitter PrometheusEmitter), so `acme-eu_events` arrives
 * as `acme_eu_events` and a generic prefix rule would say `acme`. One rule per tenant instead, shorter names
 * first: a later, longer match (acme-eu) overrides an earlier one (acme).
 */
export function tenantFromDatasource(tenants: readonly string[]): RelabelConfig[] {
  return [...tenants].sort((a, b) => a.length - b.length || a.localeCompare(b)).map((t) => ({
    sourceLabels: ["dataSource"],
    regex: `${t.replace(/-/g, "[-_]")}_.+`,
    targetLabel: "tenant",
    replacement: t,
    action: "replace" as const,
  }));
}

const STRIMZI_METRICS_PORT = "tcp-prometheus";

function podMonitor(
  name: string,
  namespace: string,
  source: MetricSource,
  selector: Record<string, string>,
  endpoint: Omit<PodMetricsEndpoint, "path" | "interval">,
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
      { port: STRIMZI_METRICS_PORT, metricRelabelings: [tenantFromTopic()] }),
    podMonitor("kafka-exporter", k.namespace, "kafkaExporter", { "strimzi.io/cluster": k.clusterName, "strimzi.io/name": `${k.clusterName}-kafka-exporter` },
      { port: STRIMZI_METRICS_PORT, metricRelabelings: [tenantFromTopic()] }),
    podMonitor("strimzi-operator", platformNaming.strimziNamespace, "strimziOperator", { "strimzi.io/kind": "cluster-operator" }, { port: "http" }),
  ];
  if (m.flink.enabled) {
    monitors.push(podMonitor("flink-operator", platformNaming.flinkOperatorNamespace, "prometheus", { "app.kubernetes.io/name": "flink-kubernetes-operator" },
      // The chart names the container port of metrics.port "metrics" (templates/flink-operator.yaml).
      { port: "metrics" }));
  }
  const druidTenants = tenantFromDatasource(m.tenants.filter((t) => t.druidIngestions.length > 0).map((t) => t.name));
  if (m.druid.enabled) {
    monitors.push(podMonitor("druid", m.druid.namespace, "druid", { "app.kubernetes.io/component": "druid" },
      { port: DRUID_DEFAULTS.metricsPortName, metricRelabelings: druidTenants }));
  }
  if (m.lake.enabled) {
    // The coordinator has the cluster's query and memory metrics (Trino's OpenMetrics /metrics). With HTTPS and
    // passwords on, Trino refuses authentication over plain HTTP (ServerSecurityModule), so: its https port,
    // the lake CA, Basic auth as the metrics user. Chart labels and port name: charts/trino templates.
    const secret = (key: string) => ({ name: LAKE_DEFAULTS.metricsSecret, key });
    monitors.push(podMonitor("trino", m.lake.namespace, "trino", { "app.kubernetes.io/instance": "trino", "app.kubernetes.io/component": "coordinator" }, {
      port: "https",
      scheme: "https",
      tlsConfig: { ca: { secret: { name: LAKE_DEFAULTS.tlsSecret, key: "ca.crt" } }, serverName: `trino.${m.lake.namespace}.svc` },
      basicAuth: { username: secret("username"), password: secret("password") },
    }));
  }
  if (m.observability.pushgateway) {
    // The chart's pod labels and container port name (templates/_helpers.tpl); honorLabels keeps each peon's own
    // job and instance instead of the Pushgateway's.
    monitors.push(podMonitor("druid-peons", m.observability.namespace, "druidPeons",
      { "app.kubernetes.io/name": "prometheus-pushgateway", "app.kubernetes.io/instance": platformNaming.pushgatewayService },
      { port: "metrics", honorLabels: true, metricRelabelings: druidTenants }));
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
