import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { MONITORING_API_VERSION, PodMonitorSpec, PrometheusRuleSpec } from "../../crds/monitoring";
import { ChartDefault, OBSERVABILITY_DEFAULTS } from "../../model/defaults";
import { platformLabels } from "../../model/labels";
import { ObservabilityModel } from "../../model/observability";
import { platformNaming } from "../../model/naming";
import { alertGroups } from "../../monitoring/alerts";
import { alertmanagerConfig, RECEIVER_KEYS } from "../../monitoring/routes";
import { MonitorDefinition } from "../../monitoring/monitors";
import { customResource, helmRelease, namespace } from "../k8s";

export interface ObservabilityArgs {
  readonly model: ObservabilityModel;
  readonly chart: ChartDefault;
  /** The Pushgateway Druid's peons push to (when the model has one). */
  readonly pushgatewayChart: ChartDefault;
  /** Monitors of the shared layers (tenants add their own). */
  readonly monitors: readonly MonitorDefinition[];
  readonly protect: boolean;
}

const GRAFANA_ADMIN_SECRET = "grafana-admin";

/** kube-prometheus-stack (Prometheus, Alertmanager, Grafana), the platform's monitors, alert rules and dashboards. */
export class Observability extends pulumi.ComponentResource {
  /** The stack's release: monitors and rules need its CRDs. */
  public readonly release: pulumi.Resource;

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("analytics-platform:observability:Observability", name, {}, opts);
    const m = args.model;
    const child = { parent: this };
    const labels = platformLabels("observability");
    const ns = namespace(m.namespace, labels, child);
    const nsName = ns.metadata.name;

    const adminPassword = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, child);
    const admin = new k8s.core.v1.Secret(`${name}-grafana-admin`, {
      metadata: { name: GRAFANA_ADMIN_SECRET, namespace: nsName, labels },
      stringData: { "admin-user": "admin", "admin-password": adminPassword.result },
    }, child);

    // The receivers' URLs reach Alertmanager only as files of this Secret; its config names the paths.
    const urls = m.receiverUrls;
    const receivers = urls.chat || urls.statusPage
      ? new k8s.core.v1.Secret(`${name}-alert-receivers`, {
        metadata: { name: m.routing.secret, namespace: nsName, labels },
        stringData: pulumi.secret({
          ...(urls.chat ? { [RECEIVER_KEYS.chat]: urls.chat } : {}),
          ...(urls.statusPage ? { [RECEIVER_KEYS.statusPage]: urls.statusPage } : {}),
        }),
      }, child)
      : undefined;

    this.release = helmRelease("kube-prometheus-stack", {
      chart: args.chart,
      namespace: nsName,
      values: {
        prometheus: {
          prometheusSpec: {
            replicas: m.replicas,
            retention: m.prometheusRetention,
            // Select every monitor and rule, not only those labelled with this release.
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            ruleSelectorNilUsesHelmValues: false,
            storageSpec: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: m.prometheusStorage } } } } },
            resources: { requests: { cpu: m.replicas > 1 ? "1" : "250m", memory: m.replicas > 1 ? "8Gi" : "1Gi" } },
          },
        },
        alertmanager: {
          config: alertmanagerConfig(m.routing),
          alertmanagerSpec: { replicas: m.replicas, ...(receivers ? { secrets: [m.routing.secret] } : {}) },
        },
        grafana: {
          admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
          "grafana.ini": { "auth.anonymous": { enabled: false }, users: { allow_sign_up: false } },
          sidecar: { dashboards: { enabled: true, label: OBSERVABILITY_DEFAULTS.dashboardLabel, searchNamespace: m.namespace } },
          persistence: { enabled: args.protect, size: "10Gi" },
        },
      },
    }, { ...child, dependsOn: receivers ? [admin, receivers] : [admin] });
    const afterCrds = { parent: this, dependsOn: [this.release] };

    customResource<PrometheusRuleSpec>(`${name}-alerts`, {
      apiVersion: MONITORING_API_VERSION,
      kind: "PrometheusRule",
      metadata: { name: "analytics-platform-alerts", namespace: nsName, labels },
      spec: { groups: alertGroups(m.thresholds, m.runbookBaseUrl) },
    }, afterCrds);

    for (const monitor of args.monitors) {
      customResource<PodMonitorSpec>(`${name}-${monitor.name}`, {
        apiVersion: MONITORING_API_VERSION,
        kind: "PodMonitor",
        metadata: { name: monitor.name, namespace: monitor.namespace, labels },
        spec: monitor.spec,
      }, afterCrds);
    }

    if (m.pushgateway) {
      helmRelease("pushgateway", {
        chart: args.pushgatewayChart,
        namespace: nsName,
        values: {
          fullnameOverride: platformNaming.pushgatewayService,
          service: { port: OBSERVABILITY_DEFAULTS.pushgatewayPort },
          // Scraped by the platform's druid-peons PodMonitor (monitoring/monitors.ts), like every other layer.
          serviceMonitor: { enabled: false },
          containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
          resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        },
      }, afterCrds);
    }

    for (const d of m.dashboards) {
      const base = d.file.replace(/^.*\//, "").replace(/\.json$/, "");
      new k8s.core.v1.ConfigMap(`${name}-dashboard-${base}`, {
        metadata: { name: `dashboard-${base}`, namespace: nsName, labels: { ...labels, [OBSERVABILITY_DEFAULTS.dashboardLabel]: "1" } },
        data: { [`${base}.json`]: d.json },
      }, child);
    }
    this.registerOutputs({});
  }
}
