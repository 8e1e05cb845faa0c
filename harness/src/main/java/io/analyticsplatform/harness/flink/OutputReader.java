package io.analyticsplatform.harness.flink;

import io.analyticsplatform.harness.kafka.TenantClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Everything committed to an output topic so far, read as the tenant reads it: its credentials, read_committed. */
final class OutputReader implements AutoCloseable {
  private final KafkaConsumer<String, String> consumer;
  private final List<String> values = new ArrayList<>();

  OutputReader(TenantClient tenant, String topic) {
    consumer = new KafkaConsumer<>(tenant.with("isolation.level", "read_committed", "auto.offset.reset", "earliest", "enable.auto.commit", "false"),
        new StringDeserializer(), new StringDeserializer());
    List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Reads what has been committed since the last call; returns all values read so far. */
  synchronized List<String> poll() {
    for (int i = 0; i < 5; i++) {
      var records = consumer.poll(Duration.ofMillis(200));
      for (var r : records) values.add(r.value());
      if (records.isEmpty()) break;
    }
    return List.copyOf(values);
  }

  @Override
  public synchronized void close() {
    consumer.close();
  }
}
