import * as fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { RuleGroup } from "../crds/monitoring";
import { ENVIRONMENT_DEFAULTS } from "../model/defaults";
import { alertGroups } from "../monitoring/alerts";
import { concreteExpr, loadDashboards, metricsIn } from "../monitoring/dashboards";
import { ALL_METRICS, METRICS, MetricSource } from "../monitoring/metrics";
import { tenantFromDatasource } from "../monitoring/monitors";
import { RenderResult } from "../offline/render";
import { at, ofType, one, render, stackConfig } from "./harness";
import { checkRules, promtool } from "./promtool";

const BASE = "https://example.com/runbooks";
const prodGroups = alertGroups(ENVIRONMENT_DEFAULTS.prod.observability.thresholds, BASE);
const devGroups = alertGroups(ENVIRONMENT_DEFAULTS.dev.observability.thresholds, BASE);
const allRules = prodGroups.flatMap((g) => g.rules);

describe("alert rules", () => {
  it("pass promtool check rules, for both environments", () => {
    for (const groups of [prodGroups, devGroups]) {
      const r = checkRules(groups);
      expect(r.status, r.output).toBe(0);
    }
  });

  it("every runbook signal and latency-budget stage has an alert", () => {
    expect(allRules.map((r) => r.alert).sort()).toEqual([
      "DruidIngestionLagHigh", "DruidQueryLatencyHigh", "FlinkBackPressureHigh", "FlinkCheckpointFailing", "FlinkCheckpointSlow", "FlinkJobRestarting",
      "FlinkSourceTimeLagHigh", "KafkaConsumerLagHigh", "KafkaUnderReplicatedPartitions",
      "LatencyBudgetProcessingExceeded", "LatencyBudgetProduceExceeded", "LatencyBudgetQueryExceeded", "LatencyBudgetServingExceeded",
      "TrinoNodesBlockedOnMemory", "TrinoQueriesFailingInternally",
    ]);
  });

  it("each has severity, summary, description and a runbook URL to an existing section in docs/runbooks", () => {
    for (const r of allRules) {
      expect(["warning", "critical"]).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(10);
      expect(r.annotations.description.length).toBeGreaterThan(10);
      const m = new RegExp(`^${BASE}/([a-z]+)\\.md#([a-z]+)$`).exec(r.annotations.runbook_url);
      expect(m, r.annotations.runbook_url).not.toBeNull();
      const doc = fs.readFileSync(`docs/runbooks/${m![1]}.md`, "utf8");
      expect(doc.split("\n").map((l) => l.replace(/^## /, "").toLowerCase()), `${r.alert} section`).toContain(m![2]);
    }
  });

  it("use only metrics the monitors scrape", () => {
    for (const r of allRules) for (const metric of metricsIn(r.expr)) expect(ALL_METRICS.has(metric), `${r.alert}: ${metric}`).toBe(true);
  });

  it("thresholds come from the environment: dev tolerates slower checkpoints than prod", () => {
    const expr = (groups: RuleGroup[]) => groups.flatMap((g) => g.rules).find((r) => r.alert === "FlinkCheckpointSlow")!.expr;
    expect(expr(prodGroups)).toMatch(/> 45$/);
    expect(expr(devGroups)).toMatch(/> 90$/);
  });
});

/** Series in, alerts out — one firing and one quiet case per alert, run by `promtool test rules`. */
interface AlertCase {
  readonly alert: string;
  readonly series: Record<string, string>;
  readonly quiet: Record<string, string>;
  readonly evalTime: string;
  readonly labels: Record<string, string>;
}

const T = 'tenant="acme"';
const JOB = `${T},job_name="anomalies"`;
/** A histogram's bucket series, as a broker (or, with `service`, another Druid process) emits them. */
const histogram = (name: string, buckets: Record<string, string>, service = "druid/broker") =>
  Object.fromEntries(Object.entries(buckets).map(([le, v]) => [`${name}_bucket{${T},dataSource="acme_events",druid_service="${service}",le="${le}"}`, v]));

const cases: AlertCase[] = [
  {
    alert: "KafkaConsumerLagHigh",
    // kafka_exporter reports -1 for a partition without a committed offset (kafka_exporter.go); summed in, such
    // partitions would hide real lag.
    series: {
      [`kafka_consumergroup_lag{${T},consumergroup="acme.g",topic="acme.events",partition="0"}`]: "1000001x20",
      [`kafka_consumergroup_lag{${T},consumergroup="acme.g",topic="acme.events",partition="1"}`]: "-1x20",
      [`kafka_consumergroup_lag{${T},consumergroup="acme.g",topic="acme.events",partition="2"}`]: "-1x20",
    },
    quiet: { [`kafka_consumergroup_lag{${T},consumergroup="acme.g",topic="acme.events",partition="0"}`]: "1000x20" },
    evalTime: "10m",
    labels: { tenant: "acme", consumergroup: "acme.g", severity: "critical", layer: "kafka" },
  },
  {
    alert: "KafkaUnderReplicatedPartitions",
    series: { 'kafka_server_replicamanager_underreplicatedpartitions{pod="b-0"}': "1x30" },
    quiet: { 'kafka_server_replicamanager_underreplicatedpartitions{pod="b-0"}': "0x30" },
    evalTime: "15m",
    labels: { severity: "critical", layer: "kafka" },
  },
  {
    alert: "FlinkSourceTimeLagHigh",
    // 6000 records pending at 1 record/s = 100 minutes behind. The quiet case reads 100/s with 10 pending while its
    // group's committed lag saws up to a checkpoint's worth (6000) and back: that signal would have alerted.
    series: {
      [`flink_taskmanager_job_task_operator_pendingRecords{${JOB},operator_name="Source:_events"}`]: "6000x30",
      [`flink_taskmanager_job_task_operator_numRecordsInPerSecond{${JOB},operator_name="Source:_events"}`]: "1x30",
    },
    quiet: {
      [`flink_taskmanager_job_task_operator_pendingRecords{${JOB},operator_name="Source:_events"}`]: "10x30",
      [`flink_taskmanager_job_task_operator_numRecordsInPerSecond{${JOB},operator_name="Source:_events"}`]: "100x30",
      [`flink_taskmanager_job_task_operator_numRecordsInPerSecond{${JOB},operator_name="GlobalWindowAggregate"}`]: "0x30",
      [`kafka_consumergroup_lag{${T},consumergroup="acme.flink.anomalies"}`]: "0 6000 0 6000 0 6000 0 6000 0 6000 0 6000 0 6000 0 6000 0 6000 0 6000 0 6000 0 6000 0 6000 0 6000 0 6000",
    },
    evalTime: "15m",
    labels: { tenant: "acme", job_name: "anomalies", severity: "warning", layer: "flink" },
  },
  {
    alert: "FlinkCheckpointSlow",
    series: { [`flink_jobmanager_job_lastCheckpointDuration{${JOB}}`]: "60000x20" },
    quiet: { [`flink_jobmanager_job_lastCheckpointDuration{${JOB}}`]: "1000x20" },
    evalTime: "10m",
    labels: { tenant: "acme", job_name: "anomalies", severity: "warning", layer: "flink" },
  },
  {
    alert: "FlinkCheckpointFailing",
    series: { [`flink_jobmanager_job_numberOfFailedCheckpoints{${JOB}}`]: "0 0 0 1 2 3 3 3" },
    quiet: { [`flink_jobmanager_job_numberOfFailedCheckpoints{${JOB}}`]: "0x8" },
    evalTime: "6m",
    labels: { tenant: "acme", job_name: "anomalies", severity: "critical", layer: "flink" },
  },
  {
    alert: "FlinkJobRestarting",
    series: { [`flink_jobmanager_job_numRestarts{${JOB}}`]: "0 0 1 1 1 1" },
    quiet: { [`flink_jobmanager_job_numRestarts{${JOB}}`]: "4x6" },
    evalTime: "5m",
    labels: { tenant: "acme", job_name: "anomalies", severity: "warning", layer: "flink" },
  },
  {
    alert: "FlinkBackPressureHigh",
    series: { [`flink_taskmanager_job_task_backPressuredTimeMsPerSecond{${JOB},task_name="sink"}`]: "900x20" },
    quiet: { [`flink_taskmanager_job_task_backPressuredTimeMsPerSecond{${JOB},task_name="sink"}`]: "100x20" },
    evalTime: "10m",
    labels: { tenant: "acme", job_name: "anomalies", severity: "warning", layer: "flink" },
  },
  {
    alert: "DruidQueryLatencyHigh",
    // Every query takes between 5 and 10 s; the quiet case under 1 s.
    series: histogram("druid_query_time", { "1": "0x20", "5": "0x20", "10": "0+100x20", "+Inf": "0+100x20" }),
    // Quiet: brokers answer under 1 s, while historicals take 5–10 s for their segments (not what clients wait for).
    quiet: {
      ...histogram("druid_query_time", { "1": "0+100x20", "5": "0+100x20", "10": "0+100x20", "+Inf": "0+100x20" }),
      ...histogram("druid_query_time", { "1": "0x20", "5": "0x20", "10": "0+1000x20", "+Inf": "0+1000x20" }, "druid/historical"),
    },
    evalTime: "15m",
    labels: { tenant: "acme", severity: "critical", layer: "druid" },
  },
  {
    alert: "DruidIngestionLagHigh",
    // 60000 messages behind while ingesting 10/s = 100 minutes; the quiet case ingests 1000/s with 1000 behind.
    series: { [`druid_ingest_kafka_lag{${T},dataSource="acme_events"}`]: "60000x30", [`druid_ingest_events_processed_total{${T},dataSource="acme_events"}`]: "0+600x30" },
    quiet: { [`druid_ingest_kafka_lag{${T},dataSource="acme_events"}`]: "1000x30", [`druid_ingest_events_processed_total{${T},dataSource="acme_events"}`]: "0+60000x30" },
    evalTime: "15m",
    labels: { tenant: "acme", dataSource: "acme_events", severity: "warning", layer: "druid" },
  },
  {
    alert: "TrinoQueriesFailingInternally",
    series: { 'trino_execution_name_QueryManager_InternalFailures{pod="trino-coordinator-0"}': "0 0 0 1 2 2 2 2" },
    quiet: { 'trino_execution_name_QueryManager_InternalFailures{pod="trino-coordinator-0"}': "3x8" },
    evalTime: "6m",
    labels: { severity: "warning", layer: "lake" },
  },
  {
    alert: "TrinoNodesBlockedOnMemory",
    series: { 'trino_memory_type_ClusterMemoryPool_name_general_BlockedNodes{pod="trino-coordinator-0"}': "2x20" },
    quiet: { 'trino_memory_type_ClusterMemoryPool_name_general_BlockedNodes{pod="trino-coordinator-0"}': "0x20" },
    evalTime: "10m",
    labels: { severity: "warning", layer: "lake" },
  },
  {
    alert: "LatencyBudgetProduceExceeded",
    series: { 'kafka_network_requestmetrics_totaltimems{request="Produce",quantile="99thPercentile",pod="b-0"}': "150x30" },
    quiet: { 'kafka_network_requestmetrics_totaltimems{request="Produce",quantile="99thPercentile",pod="b-0"}': "20x30" },
    evalTime: "15m",
    labels: { severity: "warning", layer: "latency", sla: "true" },
  },
  {
    alert: "LatencyBudgetProcessingExceeded",
    series: { [`flink_taskmanager_job_task_operator_currentEmitEventTimeLag{${JOB}}`]: "500x30" },
    quiet: { [`flink_taskmanager_job_task_operator_currentEmitEventTimeLag{${JOB}}`]: "50x30" },
    evalTime: "15m",
    labels: { tenant: "acme", job_name: "anomalies", severity: "warning", layer: "latency", sla: "true" },
  },
  {
    alert: "LatencyBudgetServingExceeded",
    series: { [`druid_ingest_events_messagegap{${T},dataSource="acme_events"}`]: "1000x30" },
    quiet: { [`druid_ingest_events_messagegap{${T},dataSource="acme_events"}`]: "100x30" },
    evalTime: "15m",
    labels: { tenant: "acme", severity: "warning", layer: "latency", sla: "true" },
  },
  {
    alert: "LatencyBudgetQueryExceeded",
    // Queries take 100-250 ms (p99 about 248 ms); the quiet case under 100 ms.
    series: histogram("druid_query_time", { "0.1": "0x30", "0.25": "0+100x30", "+Inf": "0+100x30" }),
    quiet: histogram("druid_query_time", { "0.1": "0+100x30", "0.25": "0+100x30", "+Inf": "0+100x30" }),
    evalTime: "15m",
    labels: { tenant: "acme", severity: "warning", layer: "latency", sla: "true" },
  },
];

describe("alert rule unit tests (promtool test rules)", () => {
  // Annotations are checked above; promtool compares them verbatim, so the unit tests run on the same
  // rules without them and test what fires, with which labels.
  const bare = prodGroups.map((g) => ({ name: g.name, rules: g.rules.map(({ annotations: _a, ...r }) => r) }));

  it("covers every alert", () => {
    expect(cases.map((c) => c.alert).sort()).toEqual(allRules.map((r) => r.alert).sort());
  });

  it.each(cases)("$alert fires on its signal and stays quiet below it", (c) => {
    const toSeries = (s: Record<string, string>) => Object.entries(s).map(([series, values]) => ({ series, values }));
    const r = promtool(["test", "rules", "tests.yaml"], {
      "rules.yaml": { groups: bare },
      "tests.yaml": {
        rule_files: ["rules.yaml"],
        evaluation_interval: "1m",
        tests: [
          { interval: "1m", input_series: toSeries(c.series), alert_rule_test: [{ eval_time: c.evalTime, alertname: c.alert, exp_alerts: [{ exp_labels: c.labels }] }] },
          { interval: "1m", input_series: toSeries(c.quiet), alert_rule_test: [{ eval_time: c.evalTime, alertname: c.alert, exp_alerts: [] }] },
        ],
      },
    });
    expect(r.status, r.output).toBe(0);
  });
});

describe("dashboards", () => {
  const dashboards = loadDashboards();

  it("ship the platform overview, Kafka, Flink, Druid and tenant dashboards, each with a unique uid and a title", () => {
    expect(dashboards.map((d) => d.file)).toEqual(["dashboards/druid.json", "dashboards/flink.json", "dashboards/kafka.json", "dashboards/platform-overview.json", "dashboards/tenant-overview.json"]);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
    for (const d of dashboards) expect([d.uid.length > 0, d.title.length > 0, d.expressions.length > 0]).toEqual([true, true, true]);
  });

  it("the tenant dashboard has a tenant variable and filters every panel by it", () => {
    const d = dashboards.find((x) => x.file.endsWith("tenant-overview.json"))!;
    expect(JSON.parse(d.json).templating.list.map((v: { name: string }) => v.name)).toContain("tenant");
    for (const e of d.expressions) expect(e.expr, e.panel).toContain('tenant="$tenant"');
  });

  it("every panel's PromQL parses (promtool check rules)", () => {
    const rules = dashboards.flatMap((d) => d.expressions.map((e, i) => ({ record: `dashboard:${d.uid.replace(/-/g, "_")}:${i}`, expr: concreteExpr(e.expr) })));
    const r = checkRules([{ name: "dashboards", rules }]);
    expect(r.status, r.output).toBe(0);
  });

  it("every metric a panel uses is one the monitors scrape", () => {
    for (const d of dashboards) for (const e of d.expressions) for (const metric of metricsIn(e.expr)) expect(ALL_METRICS.has(metric), `${d.file} "${e.panel}": ${metric}`).toBe(true);
  });

  it("the metric extraction itself finds names and skips functions, labels and numbers", () => {
    expect(metricsIn('histogram_quantile(0.99, sum by (le, tenant) (rate(druid_query_time_bucket{tenant="x"}[5m]))) * 1000 > 1e6').sort()).toEqual(["druid_query_time_bucket"]);
  });
});

describe("rendered observability", () => {
  let dev: RenderResult;
  let prod: RenderResult;
  beforeAll(async () => {
    dev = await render("dev", stackConfig("dev"));
    prod = await render("prod", stackConfig("prod"));
  });
  const values = (r: RenderResult) => at(one(r, "kubernetes:helm.sh/v3:Release", "kube-prometheus-stack").inputs, "values") as Record<string, unknown>;

  it("selects monitors without release labels, keeps Grafana closed, and generates its admin password", () => {
    for (const r of [dev, prod]) {
      const v = values(r);
      expect(at(v, "prometheus", "prometheusSpec")).toMatchObject({ serviceMonitorSelectorNilUsesHelmValues: false, podMonitorSelectorNilUsesHelmValues: false, ruleSelectorNilUsesHelmValues: false });
      expect(at(v, "grafana", "grafana.ini", "auth.anonymous", "enabled")).toBe(false);
      expect(at(v, "grafana", "admin", "existingSecret")).toBe("grafana-admin");
      expect(at(one(r, "kubernetes:core/v1:Secret", "platform-observability-grafana-admin").inputs, "stringData", "admin-password")).toBe("[secret]");
    }
  });

  it("dev vs prod: retention, storage and replicas", () => {
    const spec = (r: RenderResult) => at(values(r), "prometheus", "prometheusSpec") as Record<string, unknown>;
    expect([spec(dev).retention, spec(dev).replicas]).toEqual(["2d", 1]);
    expect([spec(prod).retention, spec(prod).replicas]).toEqual(["15d", 2]);
  });

  it("every layer is scraped: each metric source has a monitor", () => {
    const sources = new Set<MetricSource>(["prometheus"]);
    const names = ofType(prod, "kubernetes:monitoring.coreos.com/v1:PodMonitor").map((m) => `${at(m.inputs, "metadata", "namespace")}/${at(m.inputs, "metadata", "name")}`);
    expect(names).toEqual(expect.arrayContaining(["kafka/kafka-nodes", "kafka/kafka-exporter", "strimzi-system/strimzi-operator", "flink-operator/flink-operator", "druid/druid", "monitoring/druid-peons", "lake/trino", "tenant-acme/flink-jobs", "tenant-globex/flink-jobs"]));
    for (const s of ["kafkaBrokers", "kafkaExporter", "strimziOperator", "flink", "druid", "druidPeons", "trino"] as const) sources.add(s);
    expect([...sources].sort()).toEqual(Object.keys(METRICS).sort());
  });

  it("scrapes the KRaft controllers too, and the Flink operator on the port its reporter listens on", () => {
    const monitor = (ns: string, name: string) => ofType(prod, "kubernetes:monitoring.coreos.com/v1:PodMonitor").find((m) => at(m.inputs, "metadata", "namespace") === ns && at(m.inputs, "metadata", "name") === name)!;
    // Controller-only pods carry strimzi.io/controller-role and no broker-role label; every node carries strimzi.io/name.
    expect(at(monitor("kafka", "kafka-nodes").inputs, "spec", "selector", "matchLabels")).toEqual({ "strimzi.io/cluster": "platform", "strimzi.io/name": "platform-kafka" });
    const release = one(prod, "kubernetes:helm.sh/v3:Release", "flink-operator");
    const conf = String(at(release.inputs, "values", "defaultConfiguration", "flink-conf.yaml"));
    expect(conf).toContain("kubernetes.operator.metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    expect(conf).toContain(`kubernetes.operator.metrics.reporter.prom.port: ${at(release.inputs, "values", "metrics", "port")}`);
    expect(at(monitor("flink-operator", "flink-operator").inputs, "spec", "podMetricsEndpoints", 0, "port")).toBe("metrics");
  });

  it("tenant data carries a tenant label: from topics, datasources, or the tenant's own monitor", () => {
    const monitor = (ns: string, name: string) => ofType(prod, "kubernetes:monitoring.coreos.com/v1:PodMonitor").find((m) => at(m.inputs, "metadata", "namespace") === ns && at(m.inputs, "metadata", "name") === name)!;
    expect(at(monitor("kafka", "kafka-exporter").inputs, "spec", "podMetricsEndpoints", 0, "metricRelabelings", 0)).toMatchObject({ sourceLabels: ["topic"], targetLabel: "tenant" });
    expect(at(monitor("druid", "druid").inputs, "spec", "podMetricsEndpoints", 0, "metricRelabelings", 0)).toMatchObject({ sourceLabels: ["dataSource"], targetLabel: "tenant" });
    expect(at(monitor("tenant-globex", "flink-jobs").inputs, "spec", "podMetricsEndpoints", 0, "relabelings", 0)).toEqual({ targetLabel: "tenant", replacement: "globex", action: "replace" });
    expect(at(monitor("tenant-globex", "flink-jobs").inputs, "metadata", "labels", "analytics-platform.io/tenant")).toBe("globex");
  });

  it("Druid series get the right tenant although the emitter writes acme-eu's datasources as acme_eu_…", () => {
    // Prometheus' `replace`: the regex anchored at both ends; each matching rule overwrites the label.
    const relabel = (rules: readonly { regex?: string; replacement?: string }[], value: string) =>
      rules.reduce<string | undefined>((tenant, r) => (new RegExp(`^(?:${r.regex})$`).test(value) ? r.replacement : tenant), undefined);
    const rules = tenantFromDatasource(["acme", "acme-eu", "globex"]);
    expect(relabel(rules, "acme_events")).toBe("acme");
    expect(relabel(rules, "acme_eu_events")).toBe("acme-eu");
    expect(relabel(rules, "acme-eu_events-hourly")).toBe("acme-eu");
    expect(relabel(rules, "globex_events")).toBe("globex");
    expect(relabel(rules, "other_events")).toBeUndefined();
  });

  it("Prometheus may reach tenants' Flink metrics through their default-deny policies", () => {
    const policy = one(prod, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "acme-allow-prometheus");
    expect(at(policy.inputs, "spec", "ingress", 0, "ports")).toEqual([{ protocol: "TCP", port: 9249 }]);
  });

  it("ships the alert rules and one dashboard ConfigMap per file, labelled for Grafana's sidecar", () => {
    const rule = ofType(prod, "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    expect(rule).toHaveLength(1);
    expect((at(rule[0].inputs, "spec", "groups") as unknown[]).length).toBe(prodGroups.length);
    const cms = ofType(prod, "kubernetes:core/v1:ConfigMap").filter((c) => at(c.inputs, "metadata", "labels", "grafana_dashboard") === "1");
    expect(cms).toHaveLength(5);
  });
});
