package io.analyticsplatform.harness.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analyticsplatform.harness.Plan;
import io.analyticsplatform.harness.Report;
import io.analyticsplatform.harness.Scrape;
import io.analyticsplatform.harness.VerifyContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/** The Kafka layer of verify: the rendered broker config, topics and users applied to the real brokers. */
public final class KafkaVerification {
  static final String LAYER = "kafka";

  private KafkaVerification() {}

  /** Every `spec.kafka.config` key Strimzi would drop is a failure: the plan asks for something that never happens. */
  public static void brokerConfig(Report report, LocalKafkaCluster cluster) {
    List<String> dropped = new ArrayList<>();
    cluster.kafkaSpec().path("config").fieldNames().forEachRemaining(k -> {
      if (StrimziBrokerConfig.forbidden(k)) dropped.add(k);
    });
    report.check(LAYER, "spec.kafka.config holds no key Strimzi refuses to pass (KafkaConfiguration.FORBIDDEN_PREFIXES)", dropped.isEmpty(),
        dropped.isEmpty() ? "" : "dropped by Strimzi: " + dropped, Plan.object().put("kafka", cluster.namespace() + "/" + cluster.cluster()));
  }

  /**
   * Every broker and controller metric the alerts and dashboards use (monitoring/metrics.ts) must be in a real
   * scrape of the JMX exporter agent Strimzi would start, run on every node with the rendered metrics config.
   */
  public static void metrics(Report report, LocalKafkaCluster cluster, List<String> required) {
    ObjectNode used = Plan.object().put("kafka", cluster.namespace() + "/" + cluster.cluster()).put("exporter", "jmx_prometheus_javaagent, the rendered metricsConfig");
    if (!cluster.hasMetrics()) {
      report.check(LAYER, "the Kafka CR has a JMX exporter metricsConfig", required.isEmpty(), "no metricsConfig, so none of " + required + " is scraped", used);
      return;
    }
    Set<String> seen = new TreeSet<>();
    List<String> unanswered = new ArrayList<>();
    for (KafkaNode n : cluster.nodes()) {
      try {
        seen.addAll(Scrape.metricNames(URI.create("http://" + n.address() + ":" + LocalKafkaCluster.METRICS_PORT + "/metrics")));
      } catch (Exception e) {
        unanswered.add(n.podName(cluster.cluster()) + ": " + e.getMessage());
      }
    }
    List<String> missing = required.stream().filter(m -> !seen.contains(m)).toList();
    used.put("seriesNames", seen.size());
    report.check(LAYER, "every Kafka metric the alerts and dashboards use is in a scrape of the nodes' JMX exporter (" + required.size() + " names)",
        missing.isEmpty() && unanswered.isEmpty(), String.join("; ", unanswered) + (missing.isEmpty() ? "" : (unanswered.isEmpty() ? "" : "; ") + "in no scrape: " + String.join(", ", missing)), used);
  }

  /** Creates every KafkaTopic of the cluster; a config key or value the brokers refuse fails that topic. */
  public static Map<String, List<String>> topics(Report report, Plan plan, Admin admin, LocalKafkaCluster cluster) throws InterruptedException {
    Map<String, List<String>> byTenant = new LinkedHashMap<>();
    List<NewTopic> topics = new ArrayList<>();
    Map<String, JsonNode> source = new LinkedHashMap<>();
    for (JsonNode t : plan.all("KafkaTopic")) {
      if (!cluster.cluster().equals(t.path("metadata").path("labels").path("strimzi.io/cluster").asText())) continue;
      NewTopic topic = StrimziOperators.topic(t);
      topics.add(topic);
      source.put(topic.name(), t);
      String tenant = Plan.tenant(t);
      if (tenant != null) byTenant.computeIfAbsent(tenant, k -> new ArrayList<>()).add(topic.name());
    }
    for (var e : StrimziOperators.createTopics(admin, topics).entrySet()) {
      JsonNode t = source.get(e.getKey());
      JsonNode used = Plan.object().put("topic", Plan.namespace(t) + "/KafkaTopic/" + Plan.name(t)).set("spec", t.path("spec"));
      report.check(LAYER, "topic " + e.getKey() + " created as rendered", e.getValue() == null, e.getValue() == null ? "" : e.getValue(), used);
    }
    return byTenant;
  }

  /** Applies every KafkaUser of the cluster: credentials, ACLs, quotas. */
  public static Map<String, Map<String, Double>> users(Report report, Plan plan, Admin admin, LocalKafkaCluster cluster, List<VerifyContext.Tenant> tenants) {
    Map<String, Map<String, Double>> quotasByTenant = new LinkedHashMap<>();
    for (JsonNode u : plan.all("KafkaUser")) {
      if (!cluster.cluster().equals(u.path("metadata").path("labels").path("strimzi.io/cluster").asText())) continue;
      JsonNode used = Plan.object().put("user", Plan.namespace(u) + "/KafkaUser/" + Plan.name(u)).set("spec", u.path("spec"));
      try {
        StrimziOperators.applyUser(admin, plan, u);
        report.pass(LAYER, "user " + Plan.name(u) + " applied (credentials, ACLs, quotas)", "", used);
        String tenant = Plan.tenant(u);
        if (tenant != null) quotasByTenant.put(tenant, StrimziOperators.quotas(u));
      } catch (Exception e) {
        report.fail(LAYER, "user " + Plan.name(u) + " applied (credentials, ACLs, quotas)", e.getMessage(), used);
      }
    }
    for (VerifyContext.Tenant t : tenants) {
      if (!quotasByTenant.containsKey(t.name())) report.fail(LAYER, "tenant " + t.name() + " has a KafkaUser", "none in the plan", null);
    }
    return quotasByTenant;
  }
}
