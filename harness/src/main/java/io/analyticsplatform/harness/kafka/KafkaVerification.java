package io.analyticsplatform.harness.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsplatform.harness.Plan;
import io.analyticsplatform.harness.Report;
import io.analyticsplatform.harness.VerifyContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
