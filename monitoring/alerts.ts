import { AlertRule, RuleGroup } from "../crds/monitoring";
import { SLA_LABEL } from "./routes";

/** Alert thresholds; defaults per environment in model/defaults.ts, overridable in config. */
export interface AlertThresholds {
  /** Estimated time a Flink job or Druid supervisor is behind its topics (records pending / read per second), seconds. */
  readonly consumerLagSeconds: number;
  readonly consumerLagMessages: number;
  readonly checkpointDurationSeconds: number;
  /** Share of time a Flink task is back-pressured (0..1), sustained for 5 minutes. */
  readonly backPressureRatio: number;
  readonly queryP99Seconds: number;
  /** Latency budget per stage, milliseconds. */
  readonly produceLatencyMs: number;
  readonly brokerToProcessorMs: number;
  readonly processorToServingMs: number;
  readonly servingToDashboardMs: number;
}

export type RunbookPage = "kafka" | "flink" | "druid" | "lake" | "latency";

interface AlertDefinition {
  readonly alert: string;
  readonly page: RunbookPage;
  readonly severity: "warning" | "critical";
  readonly expr: string;
  readonly for: string;
  readonly summary: string;
  readonly description: string;
}

/**
 * What clients wait for: the brokers' query/time. Historicals and peons emit query/time too, for their part of
 * each query, and summing them in would blend per-segment times into the p99. The emitter labels the
 * service with `addServiceAsLabel` (druid/broker; matched loosely, as label values may be sanitised).
 */
export const DRUID_BROKER_QUERY_TIME = 'druid_query_time_bucket{druid_service=~"druid.broker"}';

/** Runbook anchor of an alert: its name in lower case (GitHub's heading anchors). */
export function runbookUrl(base: string, page: RunbookPage, alert: string): string {
  return `${base}/${page}.md#${alert.toLowerCase()}`;
}

function definitions(t: AlertThresholds): Record<string, AlertDefinition[]> {
  return {
    kafka: [
      {
        alert: "KafkaConsumerLagHigh",
        page: "kafka",
        severity: "critical",
        // kafka_exporter writes -1 for partitions without a committed offset (kafka_exporter.go): left out.
        expr: `sum by (tenant, consumergroup) (kafka_consumergroup_lag >= 0) > ${t.consumerLagMessages}`,
        for: "5m",
        summary: "Consumer group {{ $labels.consumergroup }} of tenant {{ $labels.tenant }} is more than " + t.consumerLagMessages + " messages behind",
        description: "Lag is {{ $value }} messages. Consumers are slower than producers or stopped.",
      },
      {
        alert: "KafkaUnderReplicatedPartitions",
        page: "kafka",
        severity: "critical",
        expr: "sum(kafka_server_replicamanager_underreplicatedpartitions) > 0",
        for: "10m",
        summary: "{{ $value }} partitions are under-replicated",
        description: "A broker is down or cannot keep up; durability is reduced until replicas catch up.",
      },
    ],
    flink: [
      {
        alert: "FlinkSourceTimeLagHigh",
        page: "flink",
        severity: "warning",
        // Time behind = records the sources have yet to read / records they read per second (at least 1/s, so
        // a stopped job still alerts). Both move continuously; the group's committed offsets (kafka_consumergroup_lag)
        // move only at checkpoints, so a lag in time from them is a sawtooth of up to one checkpoint interval.
        expr: `sum by (tenant, job_name) (flink_taskmanager_job_task_operator_pendingRecords) / clamp_min(sum by (tenant, job_name) (flink_taskmanager_job_task_operator_numRecordsInPerSecond{operator_name=~"Source.*"}), 1) > ${t.consumerLagSeconds}`,
        for: "5m",
        summary: "{{ $labels.job_name }} (tenant {{ $labels.tenant }}) reads over " + t.consumerLagSeconds + " s behind its topics",
        description: "Estimated time lag is {{ $value }} s (records pending in Kafka divided by records read per second).",
      },
      {
        alert: "FlinkCheckpointSlow",
        page: "flink",
        severity: "warning",
        expr: `max by (tenant, job_name) (flink_jobmanager_job_lastCheckpointDuration) / 1000 > ${t.checkpointDurationSeconds}`,
        for: "5m",
        summary: "Checkpoints of {{ $labels.job_name }} (tenant {{ $labels.tenant }}) take over " + t.checkpointDurationSeconds + " s",
        description: "The last checkpoint took {{ $value }} s. Long checkpoints delay exactly-once output and recovery.",
      },
      {
        alert: "FlinkCheckpointFailing",
        page: "flink",
        severity: "critical",
        expr: "sum by (tenant, job_name) (increase(flink_jobmanager_job_numberOfFailedCheckpoints[10m])) > 0",
        for: "0m",
        summary: "Checkpoints of {{ $labels.job_name }} (tenant {{ $labels.tenant }}) are failing",
        description: "{{ $value }} checkpoints failed in 10 minutes; output is held back until one succeeds.",
      },
      {
        alert: "FlinkJobRestarting",
        page: "flink",
        severity: "warning",
        expr: "sum by (tenant, job_name) (increase(flink_jobmanager_job_numRestarts[15m])) > 0",
        for: "0m",
        summary: "{{ $labels.job_name }} (tenant {{ $labels.tenant }}) restarted",
        description: "{{ $value }} restarts in 15 minutes.",
      },
      {
        alert: "FlinkBackPressureHigh",
        page: "flink",
        severity: "warning",
        expr: `max by (tenant, job_name) (flink_taskmanager_job_task_backPressuredTimeMsPerSecond) / 1000 > ${t.backPressureRatio}`,
        for: "5m",
        summary: "{{ $labels.job_name }} (tenant {{ $labels.tenant }}) is back-pressured over " + Math.round(t.backPressureRatio * 100) + "% of the time",
        description: "A task spends {{ $value | humanizePercentage }} of its time back-pressured: a downstream operator or sink is the bottleneck.",
      },
    ],
    druid: [
      {
        alert: "DruidQueryLatencyHigh",
        page: "druid",
        severity: "critical",
        expr: `histogram_quantile(0.99, sum by (le, tenant) (rate(${DRUID_BROKER_QUERY_TIME}[5m]))) > ${t.queryP99Seconds}`,
        for: "5m",
        summary: "p99 query latency of tenant {{ $labels.tenant }} is over " + t.queryP99Seconds + " s",
        description: "p99 is {{ $value }} s.",
      },
      {
        alert: "DruidIngestionLagHigh",
        page: "druid",
        severity: "warning",
        // The supervisor reports its tasks' offsets every 30 s (ingest/kafka/lag); the peons count what they read.
        expr: `sum by (tenant, dataSource) (druid_ingest_kafka_lag) / clamp_min(sum by (tenant, dataSource) (rate(druid_ingest_events_processed_total[5m])), 1) > ${t.consumerLagSeconds}`,
        for: "5m",
        summary: "Druid ingestion of {{ $labels.dataSource }} (tenant {{ $labels.tenant }}) is over " + t.consumerLagSeconds + " s behind",
        description: "Estimated time lag is {{ $value }} s (messages behind divided by messages ingested per second).",
      },
    ],
    lake: [
      {
        alert: "TrinoQueriesFailingInternally",
        page: "lake",
        severity: "warning",
        // Failures of Trino itself, not users' SQL errors (those are UserErrorFailures).
        expr: "sum(increase(trino_execution_name_QueryManager_InternalFailures[10m])) > 0",
        for: "0m",
        summary: "Trino queries fail with internal errors",
        description: "{{ $value }} queries failed inside Trino in 10 minutes.",
      },
      {
        alert: "TrinoNodesBlockedOnMemory",
        page: "lake",
        severity: "warning",
        expr: "max(trino_memory_type_ClusterMemoryPool_name_general_BlockedNodes) > 0",
        for: "5m",
        summary: "Trino workers are out of query memory",
        description: "{{ $value }} nodes have blocked queries waiting for memory for 5 minutes.",
      },
    ],
    latency: [
      {
        alert: "LatencyBudgetProduceExceeded",
        page: "latency",
        severity: "warning",
        expr: `max(kafka_network_requestmetrics_totaltimems{request="Produce",quantile="99thPercentile"}) > ${t.produceLatencyMs}`,
        for: "10m",
        summary: "Producer to broker p99 is over " + t.produceLatencyMs + " ms",
        description: "Broker-side p99 of produce requests is {{ $value }} ms.",
      },
      {
        alert: "LatencyBudgetProcessingExceeded",
        page: "latency",
        severity: "warning",
        expr: `max by (tenant, job_name) (flink_taskmanager_job_task_operator_currentEmitEventTimeLag) > ${t.brokerToProcessorMs}`,
        for: "10m",
        summary: "Broker to processor lag of {{ $labels.job_name }} (tenant {{ $labels.tenant }}) is over " + t.brokerToProcessorMs + " ms",
        description: "The Kafka source emits records {{ $value }} ms after their event time.",
      },
      {
        alert: "LatencyBudgetServingExceeded",
        page: "latency",
        severity: "warning",
        expr: `max by (tenant) (druid_ingest_events_messagegap) > ${t.processorToServingMs}`,
        for: "10m",
        summary: "Processor to serving store gap of tenant {{ $labels.tenant }} is over " + t.processorToServingMs + " ms",
        description: "Druid ingests events {{ $value }} ms after their timestamp.",
      },
      {
        alert: "LatencyBudgetQueryExceeded",
        page: "latency",
        severity: "warning",
        expr: `histogram_quantile(0.99, sum by (le, tenant) (rate(${DRUID_BROKER_QUERY_TIME}[5m]))) * 1000 > ${t.servingToDashboardMs}`,
        for: "10m",
        summary: "Serving store to dashboard p99 of tenant {{ $labels.tenant }} is over " + t.servingToDashboardMs + " ms",
        description: "Druid's p99 query time is {{ $value }} ms.",
      },
    ],
  };
}

/** Every alert rule group, one per layer; pure, tested with promtool. */
export function alertGroups(t: AlertThresholds, runbookBase: string): RuleGroup[] {
  return Object.entries(definitions(t)).map(([layer, defs]) => ({
    name: `analytics-platform-${layer}`,
    rules: defs.map((d): AlertRule => ({
      alert: d.alert,
      expr: d.expr,
      for: d.for,
      // The latency budgets are the platform's SLA: they escalate to the status page (monitoring/routes.ts).
      labels: { severity: d.severity, layer, ...(layer === "latency" ? { [SLA_LABEL]: "true" } : {}) },
      annotations: { summary: d.summary, description: d.description, runbook_url: runbookUrl(runbookBase, d.page, d.alert) },
    })),
  }));
}
