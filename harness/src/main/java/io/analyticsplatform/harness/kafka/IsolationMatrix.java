package io.analyticsplatform.harness.kafka;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analyticsplatform.harness.Plan;
import io.analyticsplatform.harness.Report;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Tenant isolation judged by the brokers' own authorizer, with each tenant's rendered credentials: for every
 * ordered pair (A, B) A may read and write its topics, use its groups and transactional ids, and is denied
 * B's. A probe topic, group and transactional id named `<A>_probe…` — which shares A's name as a string
 * prefix but is no tenant's, since tenant names have no `_` — catches an ACL prefix widened past `<A>.`.
 */
public final class IsolationMatrix {
  private static final String LAYER = "kafka-isolation";
  private final Report report;
  private final Admin admin;
  private final List<TenantClient> tenants;
  private final Map<String, List<String>> topicsOf;
  private final Map<String, Map<String, Double>> renderedQuotas;

  /** `topicsOf` and `renderedQuotas` by tenant: its KafkaTopics' names and its KafkaUser's quotas. */
  public IsolationMatrix(Report report, Admin admin, List<TenantClient> tenants, Map<String, List<String>> topicsOf,
      Map<String, Map<String, Double>> renderedQuotas) {
    this.report = report;
    this.admin = admin;
    this.tenants = tenants;
    this.topicsOf = topicsOf;
    this.renderedQuotas = renderedQuotas;
  }

  /** The probe names for tenant A: under no tenant's prefix, under A's name as a plain string prefix. */
  static String probe(TenantClient a) {
    return a.tenant() + "_probe.";
  }

  /** Every tenant logs in with its rendered credentials (and the credentials have reached every broker). */
  public void awaitCredentials() throws InterruptedException {
    for (TenantClient a : tenants) awaitCredentials(a);
  }

  public void run() throws InterruptedException, ExecutionException {
    List<NewTopic> probes = new ArrayList<>();
    for (TenantClient a : tenants) probes.add(new NewTopic(probe(a) + "events", 1, (short) -1));
    admin.createTopics(probes).all().get();
    for (TenantClient a : tenants) {
      own(a);
      for (TenantClient b : tenants) if (b != a) foreign(a, b.tenant(), b.prefix(), topicsOf.getOrDefault(b.tenant(), List.of()));
      foreign(a, "(probe)", probe(a), List.of(probe(a) + "events"));
      quotas(a);
    }
  }

  /** A new SCRAM credential reaches every broker through the metadata log a moment after it is written. */
  private void awaitCredentials(TenantClient a) throws InterruptedException {
    String last = "";
    for (int attempt = 0; attempt < 30; attempt++) {
      try (Admin tenantAdmin = Admin.create(a.with("default.api.timeout.ms", "5000", "request.timeout.ms", "5000"))) {
        tenantAdmin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        report.pass(LAYER, a.tenant() + " logs in with its rendered credentials", "", used(a, null));
        return;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        last = describe(e);
        Thread.sleep(1000);
      }
    }
    report.fail(LAYER, a.tenant() + " logs in with its rendered credentials", last, used(a, null));
  }

  /**
   * A writes a marker to partition 0 of each of its topics in one transaction (its transactional id), then
   * reads them back read_committed in its group (assigned partitions: the group's offsets are committed
   * without waiting for a rebalance) and commits.
   */
  private void own(TenantClient a) {
    List<String> topics = topicsOf.getOrDefault(a.tenant(), List.of());
    String group = a.prefix() + "verify";
    String txId = a.prefix() + "verify-tx";
    byte[] marker = ("verify-" + System.nanoTime()).getBytes();
    Map<String, String> problems = new java.util.LinkedHashMap<>();
    try {
      try (KafkaProducer<byte[], byte[]> p = producer(a, txId)) {
        p.initTransactions();
        p.beginTransaction();
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (String topic : topics) sent.add(p.send(new ProducerRecord<>(topic, 0, "verify".getBytes(), marker)));
        for (var f : sent) f.get(20, TimeUnit.SECONDS);
        p.commitTransaction();
      }
      java.util.Set<String> seen = new java.util.HashSet<>();
      try (KafkaConsumer<byte[], byte[]> c = consumer(a, group)) {
        c.assign(topics.stream().map(t -> new TopicPartition(t, 0)).toList());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (seen.size() < topics.size() && System.nanoTime() < deadline) {
          for (var r : c.poll(Duration.ofMillis(500))) if (java.util.Arrays.equals(r.value(), marker)) seen.add(r.topic());
        }
        c.commitSync();
      }
      for (String t : topics) if (!seen.contains(t)) problems.put(t, "its own committed record was not read back");
    } catch (Exception e) {
      for (String t : topics) problems.put(t, describe(e));
    }
    for (String topic : topics) {
      ObjectNode used = used(a, topic).put("group", group).put("transactionalId", txId);
      report.check(LAYER, a.tenant() + " writes " + topic + " in a transaction, reads it and commits in its group", !problems.containsKey(topic),
          problems.getOrDefault(topic, ""), used);
    }
  }

  private void foreign(TenantClient a, String b, String prefix, List<String> topics) {
    for (String topic : topics) {
      ObjectNode used = used(a, topic);
      denied(a, b, "write to " + topic, used, () -> {
        try (KafkaProducer<byte[], byte[]> p = producer(a, null)) {
          p.send(new ProducerRecord<>(topic, "k".getBytes(), "v".getBytes())).get(20, TimeUnit.SECONDS);
        }
      });
      denied(a, b, "read " + topic, used, () -> {
        try (KafkaConsumer<byte[], byte[]> c = consumer(a, null)) {
          c.assign(List.of(new TopicPartition(topic, 0)));
          c.seekToBeginning(c.assignment());
          c.poll(Duration.ofSeconds(10));
          c.position(new TopicPartition(topic, 0), Duration.ofSeconds(10));
        }
      });
    }
    String group = prefix + "verify";
    String ownTopic = topicsOf.getOrDefault(a.tenant(), List.of()).stream().findFirst().orElse(null);
    ObjectNode used = used(a, ownTopic).put("group", group);
    if (ownTopic != null) {
      denied(a, b, "join group " + group, used, () -> {
        try (KafkaConsumer<byte[], byte[]> c = consumer(a, group)) {
          c.subscribe(List.of(ownTopic));
          long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
          while (System.nanoTime() < deadline) c.poll(Duration.ofMillis(500));
        }
      });
    }
    String txId = prefix + "verify-tx";
    denied(a, b, "use transactional id " + txId, used(a, null).put("transactionalId", txId), () -> {
      try (KafkaProducer<byte[], byte[]> p = producer(a, txId)) {
        p.initTransactions();
      }
    });
  }

  /**
   * The quotas the brokers enforce for A's user are the rendered ones, and a burst of three seconds' worth
   * of A's producer quota, sent to a topic under A's prefix, is throttled by the brokers.
   */
  private void quotas(TenantClient a) {
    Map<String, Double> rendered = renderedQuotas.getOrDefault(a.tenant(), Map.of());
    ObjectNode used = used(a, null).put("rendered", rendered.toString());
    try {
      Map<String, Double> enforced = admin.describeClientQuotas(ClientQuotaFilter.containsOnly(
          List.of(ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.USER, a.username())))).entities().get()
          .values().stream().findFirst().orElse(Map.of());
      used.put("enforced", enforced.toString());
      report.check(LAYER, a.tenant() + " quotas enforced by the brokers are the rendered ones", enforced.equals(rendered) && !rendered.isEmpty(),
          enforced.toString(), used);
      Double rate = rendered.get("producer_byte_rate");
      if (rate == null || !a.tenant().equals(smallestProducerQuota())) return;
      // The brokers measure a rate over quota.window.num (11) windows of 1 s, and over at least 10 s at the
      // start (Rate.windowSize): a burst must exceed ~11 s of quota to be throttled.
      long bytes = (long) (QUOTA_SECONDS * rate);
      String topic = a.prefix() + "verify-quota";
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1))).all().get();
      double throttle = throttleAfter(a, topic, bytes);
      report.check(LAYER, a.tenant() + " (smallest producer quota) producing over producer_byte_rate is throttled", throttle > 0,
          "produce-throttle-time-max " + throttle + " ms after " + bytes + " bytes", used(a, topic));
    } catch (Exception e) {
      report.fail(LAYER, a.tenant() + " quotas enforced by the brokers are the rendered ones", describe(e), used);
    }
  }

  private static final int QUOTA_SECONDS = 14;

  /** The tenant whose producer quota this machine can most easily exceed. */
  private String smallestProducerQuota() {
    return renderedQuotas.entrySet().stream().filter(e -> e.getValue().containsKey("producer_byte_rate"))
        .min((x, y) -> Double.compare(x.getValue().get("producer_byte_rate"), y.getValue().get("producer_byte_rate")))
        .map(Map.Entry::getKey).orElse(null);
  }

  /** Sends `bytes` as fast as the client can and returns the producer's `produce-throttle-time-max`. */
  static double throttleAfter(TenantClient a, String topic, long bytes) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(a.with("acks", "1", "linger.ms", "5", "batch.size", "262144",
        "buffer.memory", String.valueOf(64 << 20), "enable.idempotence", "false"), new ByteArraySerializer(), new ByteArraySerializer())) {
      byte[] chunk = new byte[100_000];
      for (long sent = 0; sent < bytes; sent += chunk.length) p.send(new ProducerRecord<>(topic, chunk));
      p.flush();
      for (Map.Entry<MetricName, ? extends Metric> m : p.metrics().entrySet()) {
        if (m.getKey().name().equals("produce-throttle-time-max") && m.getKey().group().equals("producer-metrics")) {
          return ((Number) m.getValue().metricValue()).doubleValue();
        }
      }
      return Double.NaN;
    }
  }

  private interface Attempt {
    void run() throws Exception;
  }

  private void denied(TenantClient a, String b, String what, ObjectNode used, Attempt attempt) {
    String name = a.tenant() + " is denied " + b + ": " + what;
    try {
      attempt.run();
      report.fail(LAYER, name, "allowed", used);
    } catch (Exception e) {
      Throwable cause = rootAuthorization(e);
      report.check(LAYER, name, cause != null, cause != null ? cause.getClass().getSimpleName() : "failed otherwise: " + describe(e), used);
    }
  }

  private static Throwable rootAuthorization(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof AuthorizationException) return t;
    return null;
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private static ObjectNode used(TenantClient a, String topic) {
    ObjectNode n = Plan.object().put("credentials", a.namespace() + "/Secret/kafka-credentials").put("user", a.username());
    if (topic != null) n.put("topic", topic);
    return n;
  }

  private static KafkaProducer<byte[], byte[]> producer(TenantClient a, String transactionalId) {
    Properties p = a.with("acks", "all", "max.block.ms", "15000", "delivery.timeout.ms", "20000", "request.timeout.ms", "10000", "enable.idempotence", "false");
    if (transactionalId != null) {
      p.put("transactional.id", transactionalId);
      p.put("enable.idempotence", "true");
    }
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(TenantClient a, String group) {
    Properties p = a.with("auto.offset.reset", "earliest", "enable.auto.commit", "false", "isolation.level", "read_committed",
        "default.api.timeout.ms", "15000", "request.timeout.ms", "10000");
    if (group != null) p.put("group.id", group);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
