package io.analyticsplatform.harness;

import io.analyticsplatform.harness.flink.FlinkDeploymentRun;
import io.analyticsplatform.harness.flink.FlinkVerification;
import io.analyticsplatform.harness.kafka.IsolationMatrix;
import io.analyticsplatform.harness.kafka.KafkaVerification;
import io.analyticsplatform.harness.kafka.LocalKafkaCluster;
import io.analyticsplatform.harness.kafka.TenantClient;
import io.analyticsplatform.harness.lake.TrinoVerification;
import io.analyticsplatform.harness.monitoring.LocalPrometheus;
import io.analyticsplatform.harness.monitoring.Monitors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * `Verify --plan DIR --context FILE --work DIR --out FILE [--only kafka,flink,isolation,lake]`: runs a rendered plan
 * on real engines and writes verify.json. Exit 0 when every check passed, 1 otherwise; the harness's own
 * failures are checks too. The Kafka layer runs unless only lake is asked for: flink and isolation run on it;
 * lake (Trino) stands alone.
 */
public final class Verify {
  private Verify() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) opts.put(args[i], args[i + 1]);
    for (String required : List.of("--plan", "--context", "--work", "--out")) {
      if (!opts.containsKey(required)) {
        System.err.println("usage: Verify --plan DIR --context FILE --work DIR --out FILE");
        System.exit(2);
      }
    }
    Path work = Path.of(opts.get("--work"));
    Files.createDirectories(work);
    VerifyContext context = VerifyContext.load(Path.of(opts.get("--context")));
    Plan plan = Plan.load(Path.of(opts.get("--plan")), context);
    Report report = new Report();
    report.engine("java", System.getProperty("java.version"));
    List<String> only = List.of(opts.getOrDefault("--only", "kafka,flink,isolation,lake").split(","));
    try {
      if (only.contains("lake")) new TrinoVerification(report, plan, context, work.resolve("trino")).run();
      if (!List.of("lake").containsAll(only)) run(plan, context, work, report, only);
    } catch (Plan.PlanException | LocalKafkaCluster.BrokerFailure e) {
      report.fail("plan", "the plan can be run", e.getMessage(), null);
    }
    report.write(Path.of(opts.get("--out")), Map.of("stack", context.stack(), "plan", opts.get("--plan")));
    long failed = report.checks().stream().filter(c -> !c.passed()).count();
    System.out.printf("verify %s: %d checks, %d failed%n", context.stack(), report.checks().size(), failed);
    System.exit(report.passed() ? 0 : 1);
  }

  /** The metric sources that alerts and dashboards use but no engine here exposes, each named with why. */
  static void notScraped(Report report, VerifyContext context) {
    report.notRun("monitoring", "kafka_exporter's " + context.metrics("kafkaExporter") + ", and with them KafkaConsumerLagHigh on a stopped job",
        "the Go module proxy refuses github.com/danielqsj/kafka_exporter at every version (403 Forbidden): it cannot be built here or in CI");
    report.notRun("monitoring", "Druid's " + context.metrics("druid") + " and its peons' " + context.metrics("druidPeons"),
        "no Druid process runs here (its server jars are served up to 33.0.0; the prometheus-emitter extension is not served)");
    report.notRun("monitoring", "the Strimzi operators' " + context.metrics("strimziOperator"), "no Strimzi operator runs here: verify applies what it would");
  }

  /** A real Prometheus scraping the brokers' JMX exporters (Flink's reporters join as the jobs start); null with a failed check when it cannot start. */
  static LocalPrometheus prometheus(Plan plan, LocalKafkaCluster cluster, Path work, Report report) {
    String binary = System.getProperty("analytics.prometheus", "");
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = free.getLocalPort();
      free.close();
      LocalPrometheus p = LocalPrometheus.start(binary, plan, work.resolve("prometheus"), port);
      report.engine("prometheus", p.version());
      if (cluster.hasMetrics()) {
        // Strimzi labels every node pool's pods strimzi.io/name=<cluster>-kafka (KafkaResources.kafkaComponentName).
        Map<String, String> podLabels = Map.of("strimzi.io/cluster", cluster.cluster(), "strimzi.io/name", cluster.cluster() + "-kafka");
        var endpoint = Monitors.endpointFor(plan, cluster.namespace(), podLabels);
        if (endpoint.isEmpty()) {
          report.fail("monitoring", "a rendered PodMonitor scrapes the Kafka nodes", "none selects " + podLabels + " in " + cluster.namespace(), null);
        } else {
          // Each broker with the timeout the rendered monitor gives it: a scrape slower than that is lost in a cluster too.
          Duration timeout = Monitors.scrapeTimeout(plan, endpoint.get());
          p.add(cluster.nodes().stream().map(n -> new LocalPrometheus.Target(n.address() + ":" + LocalKafkaCluster.METRICS_PORT,
              Map.of("namespace", cluster.namespace(), "pod", n.podName(cluster.cluster())), timeout)).toList());
        }
      }
      return p;
    } catch (Exception e) {
      report.fail("monitoring", "a real Prometheus starts with the rendered alert rules", "Prometheus (" + binary + "): " + e.getMessage(), null);
      return null;
    }
  }

  static void run(Plan plan, VerifyContext context, Path work, Report report, List<String> only) throws Exception {
    String brokerClasspath = System.getProperty("analytics.brokerClasspath", "");
    String kafkaVersion = AppInfoParser.getVersion();
    report.engine("kafka", kafkaVersion);
    Path hosts = Path.of(System.getProperty("jdk.net.hosts.file", work.resolve("hosts").toString()));
    try (LocalKafkaCluster cluster = LocalKafkaCluster.fromPlan(plan, work.resolve("kafka"), hosts, report)) {
      String rendered = cluster.kafkaSpec().path("version").asText();
      if (!kafkaVersion.equals(rendered)) throw new Plan.PlanException("the Kafka CR names Kafka " + rendered + "; verify runs " + kafkaVersion);
      report.localEquivalent("kafka", "the platform's cluster CA (@pulumi/tls) and Strimzi's clients CA", "CAs generated by verify, handed to every client as ca.crt",
          "the offline render's CA is a placeholder (no key is generated offline); the clients CA is Strimzi's, made in the cluster");
      report.localEquivalent("kafka", "tiered storage: the rendered remote storage manager (Aiven S3 plugin)",
          "Kafka's LocalTieredStorage, remote segments in a local folder", "no S3 and no plugin image here; the broker still runs remote storage");
      KafkaVerification.brokerConfig(report, cluster);
      cluster.start(brokerClasspath, Duration.ofSeconds(120));
      report.pass("kafka", "brokers started with the rendered listeners, authorization and config", cluster.nodes().size() + " nodes", null);
      try (Admin admin = Admin.create(cluster.adminProperties())) {
        Map<String, List<String>> topics = KafkaVerification.topics(report, plan, admin, cluster);
        Map<String, Map<String, Double>> quotas = KafkaVerification.users(report, plan, admin, cluster, context.tenants());
        Map<String, TenantClient> clients = new LinkedHashMap<>();
        for (VerifyContext.Tenant t : context.tenants()) clients.put(t.name(), TenantClient.of(plan, t, cluster.clusterCaFile()));
        IsolationMatrix isolation = new IsolationMatrix(report, admin, List.copyOf(clients.values()), topics, quotas);
        isolation.awaitCredentials();
        if (only.contains("flink")) {
          report.engine("flink", FlinkDeploymentRun.FLINK_VERSION);
          LocalPrometheus prometheus = prometheus(plan, cluster, work, report);
          // Flink first: the isolation checks write markers into every tenant topic, which the jobs would read.
          try {
            new FlinkVerification(report, plan, context, admin, clients, work.resolve("flink"), System.getProperty("analytics.imageClasspath", ""), hosts,
                System.getProperty("analytics.druidClasspath", ""), prometheus)
                .run(cluster.clusterCaFile());
          } finally {
            if (prometheus != null) prometheus.close();
          }
        }
        if (only.contains("isolation")) isolation.run();
        // After the jobs and the isolation checks have moved data: every topic metric has series by now.
        KafkaVerification.metrics(report, cluster, context.metrics("kafkaBrokers"));
        notScraped(report, context);
      }
    }
  }
}
