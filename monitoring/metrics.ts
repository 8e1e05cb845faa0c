/**
 * The metrics each scraped source provides that alerts and dashboards use. A dashboard or alert may only
 * use names listed here (checked in tests), so a renamed metric is caught before it reaches Grafana.
 * Names follow the exporters' conventions: the JMX rules in components/kafka/metrics.ts, Kafka Exporter,
 * Flink's Prometheus reporter, and Druid's prometheus-emitter.
 * Druid's emitter lowercases names (prometheus-emitter Metrics.java) and its counters are Prometheus
 * Counters, exposed with `_total`; Flink's Kafka source has `currentEmitEventTimeLag`, no fetch lag
 * (flink-connector-kafka KafkaSourceReaderMetrics; FLIP-33 leaves `currentFetchEventTimeLag` optional).
 */
export const METRICS = {
  prometheus: ["up"],
  kafkaBrokers: [
    "kafka_server_brokertopicmetrics_messagesin_total",
    "kafka_server_brokertopicmetrics_bytesin_total",
    "kafka_server_brokertopicmetrics_bytesout_total",
    "kafka_server_replicamanager_underreplicatedpartitions",
    "kafka_controller_kafkacontroller_activecontrollercount",
    "kafka_controller_kafkacontroller_offlinepartitionscount",
    "kafka_network_requestmetrics_totaltimems",
  ],
  kafkaExporter: ["kafka_consumergroup_lag", "kafka_topic_partition_current_offset"],
  strimziOperator: ["strimzi_reconciliations_total", "strimzi_reconciliations_failed_total"],
  flink: [
    "flink_jobmanager_job_uptime",
    "flink_jobmanager_job_numRestarts",
    "flink_jobmanager_job_lastCheckpointDuration",
    "flink_jobmanager_job_numberOfFailedCheckpoints",
    "flink_jobmanager_job_numberOfCompletedCheckpoints",
    "flink_taskmanager_job_task_backPressuredTimeMsPerSecond",
    "flink_taskmanager_job_task_numRecordsInPerSecond",
    "flink_taskmanager_job_task_operator_currentEmitEventTimeLag",
    "flink_taskmanager_job_task_operator_pendingRecords",
    "flink_taskmanager_job_task_operator_numRecordsInPerSecond",
  ],
  /** Druid's long-running processes: brokers, historicals, the overlord's supervisors (ingest/kafka/*). */
  druid: [
    "druid_query_time_bucket",
    "druid_query_time_count",
    "druid_ingest_kafka_lag",
    "druid_segment_count",
  ],
  /**
   * Trino's coordinator (OpenMetrics /metrics): airlift names each JMX attribute after its object name, and
   * writes counters without `_total`.
   */
  trino: [
    "trino_execution_name_QueryManager_RunningQueries",
    "trino_execution_name_QueryManager_QueuedQueries",
    "trino_execution_name_QueryManager_InternalFailures",
    "trino_execution_name_QueryManager_ExternalFailures",
    "trino_memory_type_ClusterMemoryPool_name_general_BlockedNodes",
  ],
  /** Druid's ingestion tasks (peons), through the Pushgateway. */
  druidPeons: [
    "druid_ingest_events_processed_total",
    "druid_ingest_events_messagegap",
  ],
} as const;

export type MetricSource = keyof typeof METRICS;

export const ALL_METRICS: ReadonlySet<string> = new Set(Object.values(METRICS).flat());
