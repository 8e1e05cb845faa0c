/**
 * Prometheus JMX exporter rules for the brokers and controllers: the broker, request, log, replica,
 * controller, remote-storage and JVM MBeans, with topic and partition kept as labels. Dashboards and
 * alerts refer to the metric names these rules produce.
 */
export const JMX_EXPORTER_RULES = `lowercaseOutputName: true
lowercaseOutputLabelNames: true
# Only the MBeans the rules below read: without this list the exporter walks every MBean on each scrape
# (jmx_exporter JmxScraper queries each includeObjectNames pattern, all MBeans when none is given), and
# a broker holds MBeans per partition, client and request type.
includeObjectNames:
  - "kafka.server:type=BrokerTopicMetrics,*"
  - "kafka.server:type=ReplicaManager,*"
  - "kafka.server:type=RemoteLogManager,*"
  - "kafka.server:type=raft-metrics,*"
  - "kafka.controller:type=KafkaController,*"
  - "kafka.network:type=RequestMetrics,name=TotalTimeMs,*"
  - "kafka.log:type=Log,name=Size,*"
  - "java.lang:type=Memory"
rules:
  # kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=... -> kafka_server_brokertopicmetrics_messagesin_total
  - pattern: "kafka.server<type=BrokerTopicMetrics, name=(.+)PerSec, topic=(.+)><>Count"
    name: kafka_server_brokertopicmetrics_$1_total
    type: COUNTER
    labels:
      topic: "$2"
  - pattern: "kafka.server<type=BrokerTopicMetrics, name=(.+)PerSec><>Count"
    name: kafka_server_brokertopicmetrics_$1_total
    type: COUNTER
  - pattern: "kafka.server<type=ReplicaManager, name=(.+)><>Value"
    name: kafka_server_replicamanager_$1
    type: GAUGE
  - pattern: "kafka.controller<type=KafkaController, name=(.+)><>Value"
    name: kafka_controller_kafkacontroller_$1
    type: GAUGE
  - pattern: "kafka.network<type=RequestMetrics, name=TotalTimeMs, request=(Produce|FetchConsumer|FetchFollower)><>(50thPercentile|99thPercentile)"
    name: kafka_network_requestmetrics_totaltimems
    type: GAUGE
    labels:
      request: "$1"
      quantile: "$2"
  - pattern: "kafka.server<type=RemoteLogManager, name=(.+)><>Value"
    name: kafka_server_remotelogmanager_$1
    type: GAUGE
  - pattern: "kafka.log<type=Log, name=Size, topic=(.+), partition=(.+)><>Value"
    name: kafka_log_log_size
    type: GAUGE
    labels:
      topic: "$1"
      partition: "$2"
  - pattern: "kafka.server<type=raft-metrics><>(.+):"
    name: kafka_server_raftmetrics_$1
    type: GAUGE
  - pattern: "java.lang<type=Memory><HeapMemoryUsage>used"
    name: jvm_memory_heap_used_bytes
    type: GAUGE
`;
