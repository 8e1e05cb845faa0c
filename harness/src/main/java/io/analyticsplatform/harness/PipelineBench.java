package io.analyticsplatform.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analyticsplatform.harness.flink.FlinkDeploymentRun;
import io.analyticsplatform.harness.kafka.KafkaVerification;
import io.analyticsplatform.harness.kafka.LocalKafkaCluster;
import io.analyticsplatform.harness.kafka.TenantClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * `npm run bench`'s pipeline figures, from the same real pipeline verify runs: one rendered FlinkDeployment
 * (events-per-minute) on the verify brokers.
 * <ul>
 *   <li>Throughput: N events already in the topic, the job started from the beginning; events/s from the job's
 *       start to its sources having emitted all N (Flink's own counter), and per core of this machine.</li>
 *   <li>Latency: events written at a steady rate with event time = wall clock; for each event, the time from
 *       its write to the moment the per-minute aggregate counting it is visible to a read_committed consumer.
 *       Also the window-close latency: from the moment a window can close (its end plus the watermark delay)
 *       to that aggregate being visible — what the pipeline adds to the window itself.</li>
 * </ul>
 * {@code PipelineBench --plan DIR --context FILE --work DIR --out FILE --deployment NS/NAME --events N --rate R
 * --seconds S --checkpoint-ms MS[,MS…]}
 */
public final class PipelineBench {
  private static final Duration WATERMARK_DELAY = Duration.ofSeconds(5);
  private static final String[] TYPES = {"click", "view", "purchase"};

  private PipelineBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i], args[i + 1]);
    Path work = Path.of(o.get("--work"));
    VerifyContext context = VerifyContext.load(Path.of(o.get("--context")));
    Plan plan = Plan.load(Path.of(o.get("--plan")), context);
    Report report = new Report();
    String[] id = o.get("--deployment").split("/");
    JsonNode deployment = plan.get("FlinkDeployment", id[0], id[1]);
    VerifyContext.Tenant tenant = context.tenants().stream().filter(t -> t.namespace().equals(id[0])).findFirst().orElseThrow();
    VerifyContext.Job job = tenant.jobs().stream().filter(j -> j.name().equals(id[1])).findFirst().orElseThrow();
    long events = Long.parseLong(o.get("--events"));
    int rate = Integer.parseInt(o.get("--rate"));
    int seconds = Integer.parseInt(o.get("--seconds"));
    ObjectNode out = Plan.object().put("deployment", o.get("--deployment")).put("cores", Runtime.getRuntime().availableProcessors())
        .put("renderedParallelism", FlinkDeploymentRun.renderedParallelism(deployment))
        .put("parallelism", FlinkDeploymentRun.localParallelism(deployment));
    Path hosts = Path.of(System.getProperty("jdk.net.hosts.file"));
    try (LocalKafkaCluster cluster = LocalKafkaCluster.fromPlan(plan, work.resolve("kafka"), hosts, report)) {
      cluster.start(System.getProperty("analytics.brokerClasspath"), Duration.ofSeconds(120));
      try (Admin admin = Admin.create(cluster.adminProperties())) {
        KafkaVerification.topics(report, plan, admin, cluster);
        KafkaVerification.users(report, plan, admin, cluster, context.tenants());
        TenantClient client = TenantClient.of(plan, tenant, cluster.clusterCaFile());
        Thread.sleep(3000);
        String topic = job.inputs().get(0);
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        out.set("throughput", throughput(plan, deployment, work.resolve("throughput"), cluster, client, topic, partitions, events, report));
        for (String ms : o.get("--checkpoint-ms").split(",")) {
          Duration interval = Duration.ofMillis(Long.parseLong(ms));
          out.set("latency-" + ms + "ms", latency(plan, deployment, work.resolve("latency-" + ms), cluster, client, topic, job.outputs().get(0), partitions, rate, seconds, interval, report));
        }
      }
    }
    Plan.JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(o.get("--out")).toFile(), out);
    System.exit(0);
  }

  private static ObjectNode throughput(Plan plan, JsonNode deployment, Path work, LocalKafkaCluster cluster, TenantClient client, String topic,
      int partitions, long n, Report report) throws Exception {
    Instant base = Instant.parse("2026-06-01T00:00:00Z");
    Random random = new Random(1);
    try (KafkaProducer<String, String> p = producer(client)) {
      for (long i = 0; i < n; i++) {
        // Two hours of event time, in order on every partition.
        Instant t = base.plusMillis(i * 7_200_000L / n);
        p.send(new ProducerRecord<>(topic, (int) (i % partitions), null, event("b" + i, TYPES[random.nextInt(3)], t)));
      }
    }
    try (FlinkDeploymentRun run = FlinkDeploymentRun.prepare(plan, deployment, work, cluster.clusterCaFile(), Duration.ofSeconds(60), report)) {
      run.launch(System.getProperty("analytics.imageClasspath"), Path.of(System.getProperty("jdk.net.hosts.file")));
      String problem = run.submitted();
      if (problem != null) throw new IllegalStateException(problem);
      while (!run.allRunning()) Thread.sleep(200);
      long start = System.nanoTime();
      long read;
      while ((read = run.sourceRecordsRead()) < n) Thread.sleep(200);
      double secondsTaken = (System.nanoTime() - start) / 1e9;
      double eps = read / secondsTaken;
      return Plan.object().put("events", n).put("seconds", round(secondsTaken)).put("eventsPerSecond", Math.round(eps))
          .put("eventsPerSecondPerCore", Math.round(eps / Runtime.getRuntime().availableProcessors()));
    }
  }

  private static ObjectNode latency(Plan plan, JsonNode deployment, Path work, LocalKafkaCluster cluster, TenantClient client, String topic, String output,
      int partitions, int rate, int seconds, Duration interval, Report report) throws Exception {
    Map<String, Long> seen = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread reader = new Thread(() -> readAggregates(client, output, seen, stop), "aggregates");
    Map<String, List<Long>> writtenAt = new HashMap<>();
    try (FlinkDeploymentRun run = FlinkDeploymentRun.prepare(plan, deployment, work, cluster.clusterCaFile(), interval, report)) {
      run.launch(System.getProperty("analytics.imageClasspath"), Path.of(System.getProperty("jdk.net.hosts.file")));
      String problem = run.submitted();
      if (problem != null) throw new IllegalStateException(problem);
      while (!run.allRunning()) Thread.sleep(200);
      // The throughput run's output is in the topic: start from its end.
      reader.start();
      Thread.sleep(5000);
      Random random = new Random(2);
      long total = (long) rate * (seconds + 75);
      long begin = System.nanoTime();
      Instant measuredUntil = Instant.now().plusSeconds(seconds);
      try (KafkaProducer<String, String> p = producer(client)) {
        for (long i = 0; i < total; i++) {
          long due = begin + i * 1_000_000_000L / rate;
          long wait = due - System.nanoTime();
          if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          Instant now = Instant.now();
          String type = TYPES[random.nextInt(3)];
          p.send(new ProducerRecord<>(topic, (int) (i % partitions), null, event("l" + i, type, now)));
          if (now.isBefore(measuredUntil)) writtenAt.computeIfAbsent(key(now.truncatedTo(ChronoUnit.MINUTES), type), k -> new ArrayList<>()).add(now.toEpochMilli());
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(interval.toSeconds() + 60).toNanos();
      while (System.nanoTime() < deadline && !seen.keySet().containsAll(writtenAt.keySet())) Thread.sleep(500);
      stop.set(true);
      reader.join();
    }
    List<Long> perEvent = new ArrayList<>();
    List<Long> windowClose = new ArrayList<>();
    int missing = 0;
    for (var e : writtenAt.entrySet()) {
      Long at = seen.get(e.getKey());
      if (at == null) {
        missing++;
        continue;
      }
      for (long w : e.getValue()) perEvent.add(at - w);
      Instant start = Instant.parse(e.getKey().split(" ")[0]);
      windowClose.add(at - start.plus(Duration.ofMinutes(1)).plus(WATERMARK_DELAY).toEpochMilli());
    }
    return Plan.object().put("checkpointIntervalMs", interval.toMillis()).put("rate", rate).put("seconds", seconds).put("events", perEvent.size())
        .put("aggregates", windowClose.size()).put("aggregatesNotSeen", missing)
        .put("p50Ms", percentile(perEvent, 50)).put("p99Ms", percentile(perEvent, 99))
        .put("windowCloseP50Ms", percentile(windowClose, 50)).put("windowCloseP99Ms", percentile(windowClose, 99));
  }

  /** First time each aggregate (window start, event type) is visible to a read_committed consumer. */
  private static void readAggregates(TenantClient client, String topic, Map<String, Long> seen, AtomicBoolean stop) {
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(client.with("isolation.level", "read_committed", "enable.auto.commit", "false"),
        new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      c.assign(parts);
      c.seekToEnd(parts);
      parts.forEach(c::position);
      while (!stop.get()) {
        for (var r : c.poll(Duration.ofMillis(100))) {
          long now = System.currentTimeMillis();
          try {
            JsonNode row = Plan.JSON.readTree(r.value());
            seen.putIfAbsent(key(Instant.parse(row.path("window_start").asText()), row.path("event_type").asText()), now);
          } catch (Exception unreadable) {
            // Not an aggregate of this run.
          }
        }
      }
    }
  }

  private static String key(Instant windowStart, String type) {
    return DateTimeFormatter.ISO_INSTANT.format(windowStart) + " " + type;
  }

  private static String event(String id, String type, Instant t) {
    return "{\"event_id\":\"" + id + "\",\"event_type\":\"" + type + "\",\"entity_id\":\"e" + (id.hashCode() & 15) + "\",\"event_time\":\""
        + DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MILLIS)) + "\"}";
  }

  private static KafkaProducer<String, String> producer(TenantClient client) {
    return new KafkaProducer<>(client.with("acks", "all", "linger.ms", "20", "batch.size", "262144", "buffer.memory", String.valueOf(128 << 20)),
        new StringSerializer(), new StringSerializer());
  }

  private static long percentile(List<Long> values, int p) {
    if (values.isEmpty()) return -1;
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  private static double round(double x) {
    return Math.round(x * 10) / 10.0;
  }
}
