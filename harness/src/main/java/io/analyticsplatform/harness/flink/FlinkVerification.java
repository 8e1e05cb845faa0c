package io.analyticsplatform.harness.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analyticsplatform.harness.Plan;
import io.analyticsplatform.harness.Report;
import io.analyticsplatform.harness.VerifyContext;
import io.analyticsplatform.harness.druid.DruidParsing;
import io.analyticsplatform.harness.kafka.TenantClient;
import io.analyticsplatform.harness.monitoring.AlertVerification;
import io.analyticsplatform.harness.monitoring.LocalPrometheus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Every rendered FlinkDeployment run end to end on the verify brokers, exactly-once over SCRAM/TLS, against
 * the test's own reference of what each job must write. The phases: well-formed and bad events (an idle
 * partition throughout); late events once their windows fired; events in flight when every job's first
 * TaskManager is killed; the rest after the jobs restored from their checkpoints. Then each output topic,
 * read read_committed, must equal the reference exactly: nothing missing, nothing extra, nothing twice.
 * Last, Druid's own input-format code parses what each rendered DruidIngestion reads: the jobs' outputs and the
 * events topic, each record landing at the time the test knows it has.
 */
public final class FlinkVerification {
  private static final String LAYER = "flink";
  private static final String DRUID_LAYER = "druid";
  private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(2);
  private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(180);
  /** Well within the jobs' `table.exec.source.idle-timeout` (30 s): no active partition goes idle mid-test. */
  private static final Duration HEARTBEAT = Duration.ofSeconds(5);

  /** A running job with its tenant's scenario, its reference and its output. */
  private record Run(FlinkDeploymentRun flink, VerifyContext.Job job, Scenario scenario, JobOracle oracle, OutputReader output) {
    String name() {
      return Plan.namespace(flink.deployment()) + "/" + flink.job();
    }
  }

  private final Report report;
  private final Plan plan;
  private final VerifyContext context;
  private final Admin admin;
  private final Path work;
  private final Map<String, TenantClient> clients;
  private final String imageClasspath;
  private final Path hostsFile;
  private final DruidParsing druid;
  /** Null when no Prometheus could start (a failed check already says why). */
  private final LocalPrometheus prometheus;

  /**
   * `imageClasspath`: the runner image's (flink-image module); `hostsFile`: the Kafka service names;
   * `druidClasspath`: Druid's own classes (druid-check module).
   */
  public FlinkVerification(Report report, Plan plan, VerifyContext context, Admin admin, Map<String, TenantClient> clients, Path work,
      String imageClasspath, Path hostsFile, String druidClasspath, LocalPrometheus prometheus) {
    this.report = report;
    this.plan = plan;
    this.context = context;
    this.admin = admin;
    this.clients = clients;
    this.work = work;
    this.imageClasspath = imageClasspath;
    this.hostsFile = hostsFile;
    this.druid = new DruidParsing(druidClasspath, work.resolve("druid"));
    this.prometheus = prometheus;
  }

  public void run(Path kafkaCa) throws Exception {
    List<Run> prepared = new ArrayList<>();
    List<Run> runs = new ArrayList<>();
    Map<String, Scenario> scenarios = new LinkedHashMap<>();
    ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
    try {
      for (VerifyContext.Tenant t : context.tenants()) {
        for (VerifyContext.Job j : t.jobs()) {
          JsonNode d = plan.get("FlinkDeployment", t.namespace(), j.name());
          if (j.lake()) {
            report.notRun(LAYER, t.namespace() + "/" + j.name(), "its Iceberg catalog (Glue on aws, Nessie on local) cannot run here");
            continue;
          }
          boolean masking = !j.pii().isEmpty();
          JobOracle oracle = masking ? null : JobOracle.of(j.name());
          if (!masking && oracle == null) {
            report.fail(LAYER, t.namespace() + "/" + j.name() + " has a reference to check its output against", "verify knows no reference for this job", null);
            continue;
          }
          Scenario s = scenarios.computeIfAbsent(t.name(), n -> scenario(t, j));
          FlinkDeploymentRun f = FlinkDeploymentRun.prepare(plan, d, work.resolve(t.namespace()).resolve(j.name()), kafkaCa, CHECKPOINT_INTERVAL, report);
          if (masking) {
            // The salt its pods get from the rendered Secret; the reference hashes with the same.
            String salt = f.env(JobOracle.Masked.SALT_ENV);
            if (salt == null) {
              report.fail(LAYER, t.namespace() + "/" + j.name() + " gets its tenant's salt", "no " + JobOracle.Masked.SALT_ENV + " in its pods' environment", null);
              continue;
            }
            oracle = new JobOracle.Masked(salt, j.pii(), s);
          }
          f.launch(imageClasspath, hostsFile);
          prepared.add(new Run(f, j, s, oracle, null));
        }
      }
      // All JVMs start at once; each runner then submits its job.
      for (Run r : prepared) {
        if (submitted(r)) runs.add(new Run(r.flink(), r.job(), r.scenario(), r.oracle(), new OutputReader(clients.get(r.flink().tenant()), r.job().outputs().get(0))));
      }
      if (runs.isEmpty()) return;
      // Many JVMs start at once on few cores: a job may fail and restart before it runs; that is not judged.
      List<Run> live = await("every job's tasks run", runs, r -> safe(() -> r.flink().allRunning()), Duration.ofSeconds(300));
      AlertVerification alerts = prometheus == null ? null : new AlertVerification(report, prometheus);
      if (prometheus != null) {
        List<LocalPrometheus.Target> targets = new ArrayList<>();
        // The tenant's monitor stamps every series of its Flink pods with `tenant` (monitoring/monitors.ts tenantFlinkMonitor).
        // Scraped every 2 s, not the rendered 30 s, so that the restart alert is seen within a minute.
        for (Run r : live) {
          if (r.flink().prometheusAddress() != null) targets.add(new LocalPrometheus.Target(r.flink().prometheusAddress(),
              Map.of("tenant", r.flink().tenant(), "namespace", Plan.namespace(r.flink().deployment())), LocalPrometheus.INTERVAL));
        }
        prometheus.add(targets);
      }
      Map<Run, Integer> failedBefore = new LinkedHashMap<>();
      for (Run r : live) failedBefore.put(r, Optional.ofNullable(safeGet(() -> r.flink().failures())).map(List::size).orElse(0));

      for (Run r : live) {
        if (!r.job().compactedInputs().isEmpty() && r.scenario().references().isEmpty()) r.scenario().writeReferences(r.job().compactedInputs().get(0));
      }
      // The first heartbeat before the ends are taken: every split must have read one record before phase 1.
      // A split idle since the jobs started (longer than the idle timeout) that resumes does not hold the
      // watermark back until it reads, so another split's 4:10 event would make its minute-0 events late.
      for (Scenario s : scenarios.values()) s.keepAlive();
      heartbeat.scheduleWithFixedDelay(() -> scenarios.values().forEach(FlinkVerification::keepAlive), HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
      live = resume(live);
      // One minute at a time, each read and checkpointed before the next moves the watermark past it. Within
      // one batch a source subtask starved of CPU on this machine fell behind the others with its splits
      // counted idle, and the windows fired without its records (numLateRecordsDropped 3 at the global window
      // aggregate): idleness' trade-off under overload, not what these phases test.
      for (int minute = 0; minute < 4; minute++) {
        for (Scenario s : scenarios.values()) s.phase1(minute);
        live = resume(live);
      }
      for (Scenario s : scenarios.values()) s.closeMinutesBefore(4);
      live = await("phase 1 outputs (well-formed, malformed and bad-timestamp events, one idle partition)", live, FlinkVerification::due, PHASE_TIMEOUT);
      for (Run r : live) {
        List<String> failures = safeGet(() -> r.flink().failures());
        // Newest first: the failures since the events were written.
        List<String> since = failures == null ? null : failures.subList(0, Math.max(0, failures.size() - failedBefore.get(r)));
        report.check(LAYER, r.name() + " did not fail on malformed events, bad timestamps or an idle partition", since != null && since.isEmpty(),
            since == null ? "its REST API did not answer" : String.join("; ", since.subList(0, Math.min(2, since.size()))), used(r));
      }
      // The jobs as Prometheus names them (`job_name`), taken before the failure: the restart alert must fire for each.
      java.util.Set<String> jobNames = new java.util.TreeSet<>();
      if (alerts != null && alerts.rulesEvaluate(Duration.ofSeconds(60))) {
        alerts.quiet("four minutes of events, malformed, bad-timestamp and idle-partition ones included");
        prometheus.query("max by (job_name) (flink_jobmanager_job_uptime)").forEach(v -> jobNames.add(v.path("metric").path("job_name").asText()));
      }

      live = resume(live);
      for (Scenario s : scenarios.values()) s.late();
      live = awaitCheckpointed("late events read and checkpointed", live);
      live = resume(live);
      for (int minute = 5; minute < 8; minute++) {
        if (minute > 5) live = resume(live);
        for (Scenario s : scenarios.values()) s.phase3(minute);
      }
      Thread.sleep(1000);
      for (Run r : live) r.flink().killTaskManager();
      if (!live.isEmpty()) report.pass(LAYER, "forced failure: the first TaskManager of every job killed with results in flight", live.size() + " jobs", null);
      live = await("every job restored from its checkpoint and running", live, r -> safe(() -> r.flink().allRunning()), Duration.ofSeconds(300));
      live = resume(live);
      for (Scenario s : scenarios.values()) s.closeMinutesBefore(8);
      live = await("final outputs", live, FlinkVerification::due, PHASE_TIMEOUT);
      // Two more checkpoints: anything written twice would be committed by now.
      live = awaitCheckpoints(live, 2);
      for (Run r : live) verdict(r);
      for (Run r : live) metrics(r);
      if (alerts != null && !jobNames.isEmpty()) {
        alerts.fires("FlinkJobRestarting", jobNames, "for every job once the forced failure restarted it (numRestarts from the jobs' own reporters)", Duration.ofSeconds(60));
      }
      for (Run r : live) druidReadsOutput(r);
      for (Scenario s : scenarios.values()) druidReadsEvents(s);
    } finally {
      heartbeat.shutdownNow();
      heartbeat.awaitTermination(30, TimeUnit.SECONDS);
      scenarios.values().forEach(Scenario::close);
      for (Run r : runs) r.output().close();
      for (Run r : prepared) r.flink().close();
    }
  }

  /** Each phase starts once every job has read and checkpointed all written so far, heartbeats included. */
  private List<Run> resume(List<Run> live) throws Exception {
    return awaitCheckpointed("events so far read and checkpointed, every active partition kept alive", live);
  }

  private static void keepAlive(Scenario s) {
    try {
      s.keepAlive();
    } catch (Exception e) {
      // A missed heartbeat shows as a failed phase; the next one follows in seconds.
      System.err.println("heartbeat of " + s.tenant().tenant() + " failed: " + e);
    }
  }

  private Scenario scenario(VerifyContext.Tenant t, VerifyContext.Job j) {
    String events = j.inputs().get(0);
    JsonNode topic = plan.all("KafkaTopic").stream().filter(k -> events.equals(k.path("spec").path("topicName").asText(Plan.name(k)))).findFirst()
        .orElseThrow(() -> new Plan.PlanException("no KafkaTopic " + events));
    int threshold = t.jobs().stream().filter(x -> x.parameters().containsKey("ANOMALY_THRESHOLD")).findFirst()
        .map(x -> Integer.parseInt(x.parameters().get("ANOMALY_THRESHOLD"))).orElse(10);
    return new Scenario(clients.get(t.name()), events, topic.path("spec").path("partitions").asInt(), threshold);
  }

  private boolean submitted(Run r) {
    String problems;
    try {
      problems = r.flink().submitted();
    } catch (Exception e) {
      problems = e.toString();
    }
    report.check(LAYER, r.name() + " submitted by the project's runner as one job", problems == null,
        problems == null ? "parallelism " + r.flink().parallelism() : problems, used(r));
    return problems == null;
  }

  /** Every row due so far has been committed to the job's output (possibly with more: judged at the end). */
  private static boolean due(Run r) {
    List<String> problems = new ArrayList<>();
    var actual = r.output().poll().stream().map(v -> canonical(r, v, problems)).filter(Objects::nonNull).map(Map.Entry::getKey).toList();
    return actual.containsAll(r.oracle().expected(r.scenario()).keySet());
  }

  /** Rows due but not yet written (keys), for a phase that timed out. */
  private static List<String> missing(Run r) {
    List<String> problems = new ArrayList<>();
    var actual = r.output().poll().stream().map(v -> canonical(r, v, problems)).filter(Objects::nonNull).map(Map.Entry::getKey).toList();
    return r.oracle().expected(r.scenario()).keySet().stream().filter(k -> !actual.contains(k)).toList();
  }

  private static Map.Entry<String, String> canonical(Run r, String value, List<String> problems) {
    JsonNode row = Json.read(value);
    if (row == null) {
      problems.add("not JSON: " + value);
      return Map.entry("not JSON " + value, "");
    }
    return r.oracle().canonical(row, problems);
  }

  private void verdict(Run r) {
    List<String> format = new ArrayList<>();
    var actual = r.output().poll().stream().map(v -> canonical(r, v, format)).filter(Objects::nonNull).toList();
    if (r.oracle() instanceof JobOracle.Masked masked) {
      List<String> output = r.output().poll();
      List<String> leaks = masked.leaks(output, r.scenario());
      report.check(LAYER, r.name() + " output holds no original value of a field the contract declares PII", leaks.isEmpty(),
          leaks.isEmpty() ? r.job().pii() + ": none in " + output.size() + " records, heartbeats included" : leaks.size() + " records with one: " + leaks.get(0), used(r));
    }
    Map<String, String> expected = r.oracle().expected(r.scenario());
    List<String> diff = r.oracle().differences(r.scenario(), actual);
    ObjectNode used = used(r).put("output", r.job().outputs().get(0)).put("rowsDue", expected.size()).put("rowsRead", actual.size());
    report.check(LAYER, r.name() + " output equals the reference exactly, read_committed, after the forced failure", diff.isEmpty(),
        diff.isEmpty() ? expected.size() + " rows" : diff.size() + " differences: " + String.join("; ", diff.subList(0, Math.min(6, diff.size()))), used);
    List<String> distinct = format.stream().distinct().toList();
    report.check(LAYER, r.name() + " writes timestamps as ISO-8601 UTC (what the Druid specs' `iso` parses)", distinct.isEmpty(),
        String.join("; ", distinct.subList(0, Math.min(3, distinct.size()))), used);
  }

  /** What a record must become in Druid: land at `at`, be refused, either (`at` or refused), or not judged (both null/false). */
  private record Due(Instant at, boolean refused) {
    static Due land(Instant at) {
      return new Due(at, false);
    }

    static final Due REFUSED = new Due(null, true);
    static final Due UNJUDGED = new Due(null, false);
  }

  /**
   * Each DruidIngestion reading the job's output parses every committed record, through Druid's own code, at
   * the instant the record's timestampSpec column holds (the verdict has matched those to the reference).
   */
  private void druidReadsOutput(Run r) {
    String topic = r.job().outputs().get(0);
    List<String> records = r.output().poll();
    for (JsonNode ingestion : DruidParsing.readersOf(plan, r.flink().tenant(), topic)) {
      String column = DruidParsing.parts(DruidParsing.nativeSpec(ingestion)).path("dataSchema").path("timestampSpec").path("column").asText();
      List<Due> due = records.stream().map(v -> Optional.ofNullable(Json.read(v)).map(row -> Json.parseIso(row.path(column).asText(""))).map(Due::land).orElse(Due.UNJUDGED)).toList();
      druidCheck(ingestion, topic + " (" + r.name() + "'s output)", records, due);
    }
  }

  /**
   * Each DruidIngestion reading the events topic lands every well-formed event at its event time; refuses what
   * is not JSON; and a bad `event_time` is refused or, where the text denotes an instant (epoch milliseconds),
   * landed at that instant, never at some other time. Events without a field are not judged: whether Druid
   * keeps them depends on which field the spec needs.
   */
  private void druidReadsEvents(Scenario s) {
    List<SampleEvent> events = s.written();
    List<String> records = events.stream().map(SampleEvent::payload).toList();
    List<Due> due = events.stream().map(e -> switch (e.kind()) {
      case VALID -> Due.land(e.time());
      case MALFORMED -> Due.REFUSED;
      case BAD_TIMESTAMP -> new Due(e.time(), true);
      case MISSING_FIELD -> Due.UNJUDGED;
    }).toList();
    for (JsonNode ingestion : DruidParsing.readersOf(plan, s.tenant().tenant(), s.eventsTopic())) druidCheck(ingestion, s.eventsTopic(), records, due);
  }

  private void druidCheck(JsonNode ingestion, String what, List<String> records, List<Due> due) {
    JsonNode dataSchema = DruidParsing.parts(DruidParsing.nativeSpec(ingestion)).path("dataSchema");
    String name = "druid/" + Plan.name(ingestion) + " parses " + what + " with Druid's own input format: " + records.size() + " records";
    ObjectNode used = Plan.object().put("druidIngestion", Plan.namespace(ingestion) + "/" + Plan.name(ingestion)).put("records", records.size());
    used.set("timestampSpec", dataSchema.path("timestampSpec"));
    List<DruidParsing.Parsed> parsed;
    try {
      parsed = druid.parse(ingestion, records);
    } catch (Exception e) {
      report.fail(DRUID_LAYER, name, e.getMessage(), used);
      return;
    }
    List<String> problems = new ArrayList<>();
    int landed = 0;
    int refused = 0;
    for (int i = 0; i < records.size(); i++) {
      DruidParsing.Parsed p = parsed.get(i);
      Due d = due.get(i);
      if (d.equals(Due.UNJUDGED)) continue;
      if (p.error() != null) {
        if (d.refused()) refused++;
        else problems.add("record " + i + " unparseable: " + p.error());
      } else if (d.at() == null) {
        problems.add("record " + i + " should be unparseable but lands at " + p.timestamp() + ": " + records.get(i));
      } else if (!p.timestamp().equals(d.at())) {
        problems.add("record " + i + " lands at " + p.timestamp() + ", due " + d.at() + ": " + records.get(i));
      } else {
        landed++;
      }
    }
    if (landed == 0 && problems.isEmpty()) problems.add("no record to judge");
    report.check(DRUID_LAYER, name, problems.isEmpty(), problems.isEmpty() ? landed + " landed at their time, " + refused + " refused" :
        problems.size() + " problems: " + String.join("; ", problems.subList(0, Math.min(4, problems.size()))), used);
  }

  /** The Flink metrics the alerts and dashboards query must be what the running job's reporter exposes. */
  private void metrics(Run r) {
    java.util.Set<String> exposed = safeGet(() -> r.flink().prometheusMetricNames());
    List<String> missing = exposed == null ? context.metrics("flink") : context.metrics("flink").stream().filter(m -> !exposed.contains(m)).toList();
    report.check(LAYER, r.name() + " exposes every Flink metric the alerts and dashboards use (monitoring/metrics.ts)", missing.isEmpty(),
        exposed == null ? "its Prometheus reporter did not answer" : missing.isEmpty() ? context.metrics("flink").size() + " metrics" : "not exposed: " + String.join(", ", missing),
        used(r));
  }

  /** Waits until each job's consumer group has committed (at a checkpoint) every record of its inputs, then one checkpoint more. */
  private List<Run> awaitCheckpointed(String what, List<Run> runs) throws Exception {
    // The ends as of now: the heartbeat keeps writing, so "everything" would be a moving target.
    Map<Run, Map<TopicPartition, Long>> ends = new LinkedHashMap<>();
    for (Run r : runs) ends.put(r, endOffsets(r));
    return awaitCheckpoints(await(what, runs, r -> safe(() -> committedUpTo(r, ends.get(r))), PHASE_TIMEOUT), 1);
  }

  private boolean committedUpTo(Run r, Map<TopicPartition, Long> ends) throws Exception {
    var committed = admin.listConsumerGroupOffsets(r.job().consumerGroup()).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    for (var e : ends.entrySet()) {
      long end = e.getValue();
      if (end > 0 && (committed.get(e.getKey()) == null || committed.get(e.getKey()).offset() < end)) return false;
    }
    return true;
  }

  private Map<TopicPartition, Long> endOffsets(Run r) throws Exception {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : r.job().inputs()) {
      admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
    partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((p, info) -> out.put(p, info.offset()));
    return out;
  }

  private List<Run> awaitCheckpoints(List<Run> runs, int more) throws Exception {
    Map<Run, Long> from = new LinkedHashMap<>();
    for (Run r : runs) from.put(r, safeGet(() -> r.flink().completedCheckpoints()));
    return await(more + " more completed checkpoint(s)", runs, r -> safe(() -> r.flink().completedCheckpoints() >= from.get(r) + more), PHASE_TIMEOUT);
  }

  private interface Condition {
    boolean holds(Run r);
  }

  /**
   * Waits for a condition on every job; a job that never meets it is a failed check naming why (its failure,
   * if any) and takes no further part. Returns the jobs that met it.
   */
  private List<Run> await(String what, List<Run> runs, Condition condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Run> pending = new ArrayList<>(runs);
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      pending.removeIf(condition::holds);
      if (!pending.isEmpty()) Thread.sleep(500);
    }
    for (Run r : runs) {
      boolean ok = !pending.contains(r);
      String detail = "";
      if (!ok) {
        List<String> failures = safeGet(() -> r.flink().failures());
        detail = "not within " + timeout.toSeconds() + " s" + (failures == null || failures.isEmpty() ? "" : "; the job failed: " + failures.get(0));
        List<String> missing = missing(r);
        if (!missing.isEmpty()) detail += "; still missing " + missing.size() + " rows, e.g. " + String.join(", ", missing.subList(0, Math.min(3, missing.size())));
      }
      report.check(LAYER, r.name() + ": " + what, ok, detail, used(r));
    }
    List<Run> met = new ArrayList<>(runs);
    met.removeAll(pending);
    return met;
  }

  private ObjectNode used(Run r) {
    JsonNode d = r.flink().deployment();
    return Plan.object().put("flinkDeployment", Plan.namespace(d) + "/" + Plan.name(d)).put("script", r.flink().scriptName());
  }

  private interface Check {
    boolean get() throws Exception;
  }

  private interface Getter<T> {
    T get() throws Exception;
  }

  private static boolean safe(Check c) {
    try {
      return c.get();
    } catch (Exception e) {
      return false;
    }
  }

  private static <T> T safeGet(Getter<T> g) {
    try {
      return g.get();
    } catch (Exception e) {
      return null;
    }
  }
}
