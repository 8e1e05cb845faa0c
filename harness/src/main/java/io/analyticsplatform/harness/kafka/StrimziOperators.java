package io.analyticsplatform.harness.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsplatform.harness.Plan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What Strimzi's topic and user operators do with the rendered `KafkaTopic`s and `KafkaUser`s, done with
 * the Admin API against the real brokers, so the brokers' own validation and authorizer judge the result.
 */
public final class StrimziOperators {
  /** SCRAM-SHA-512 iterations the user operator uses (user-operator operator/ScramCredentialsOperator.ITERATIONS). */
  static final int SCRAM_ITERATIONS = 4096;

  private StrimziOperators() {}

  /**
   * A topic as the topic operator creates it (topic-operator TopicOperatorUtil.topicName, configValueAsString;
   * KafkaHandler.buildNewTopic): spec.topicName or metadata.name, config values as strings.
   */
  public static NewTopic topic(JsonNode t) {
    JsonNode spec = t.path("spec");
    String name = spec.path("topicName").asText(Plan.name(t));
    Map<String, String> config = new LinkedHashMap<>();
    spec.path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
    return new NewTopic(name, spec.path("partitions").asInt(), (short) spec.path("replicas").asInt()).configs(config);
  }

  /** The broker's answer for one topic: null when created, else its error. */
  public static Map<String, String> createTopics(Admin admin, List<NewTopic> topics) throws InterruptedException {
    Map<String, String> results = new LinkedHashMap<>();
    var result = admin.createTopics(topics);
    for (NewTopic t : topics) {
      try {
        result.values().get(t.name()).get();
        results.put(t.name(), null);
      } catch (ExecutionException e) {
        results.put(t.name(), e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage());
      }
    }
    return results;
  }

  /**
   * A user's ACLs as the user operator writes them (user-operator model/acl/SimpleAclRule.toKafkaAclBinding):
   * one binding per operation, principal `User:<name>`, host `*` unless given, `cluster` as `kafka-cluster`.
   */
  public static List<AclBinding> acls(JsonNode user) {
    String principal = "User:" + Plan.name(user);
    List<AclBinding> out = new ArrayList<>();
    for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
      JsonNode r = acl.path("resource");
      ResourceType type = switch (r.path("type").asText()) {
        case "topic" -> ResourceType.TOPIC;
        case "group" -> ResourceType.GROUP;
        case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
        case "cluster" -> ResourceType.CLUSTER;
        default -> throw new Plan.PlanException(Plan.name(user) + ": ACL resource type '" + r.path("type").asText() + "' is not a Strimzi type");
      };
      String name = type == ResourceType.CLUSTER ? "kafka-cluster" : r.path("name").asText();
      PatternType pattern = "prefix".equals(r.path("patternType").asText("literal")) ? PatternType.PREFIXED : PatternType.LITERAL;
      AclPermissionType permission = "deny".equals(acl.path("type").asText("allow")) ? AclPermissionType.DENY : AclPermissionType.ALLOW;
      String host = acl.path("host").asText("*");
      for (JsonNode op : acl.path("operations")) {
        AclOperation operation = AclOperation.fromString(camelToUpper(op.asText()));
        if (operation == AclOperation.UNKNOWN) throw new Plan.PlanException(Plan.name(user) + ": ACL operation '" + op.asText() + "' is unknown");
        out.add(new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry(principal, host, operation, permission)));
      }
    }
    return out;
  }

  /** `spec.quotas` as the user operator sets them (model/QuotaUtils): client-quota keys of the `user` entity. */
  public static Map<String, Double> quotas(JsonNode user) {
    Map<String, Double> out = new LinkedHashMap<>();
    JsonNode q = user.path("spec").path("quotas");
    Map<String, String> keys = Map.of("producerByteRate", "producer_byte_rate", "consumerByteRate", "consumer_byte_rate",
        "requestPercentage", "request_percentage", "controllerMutationRate", "controller_mutation_rate");
    keys.forEach((field, key) -> {
      if (q.has(field)) out.put(key, q.path(field).asDouble());
    });
    return out;
  }

  /** Applies one user: SCRAM credential (password from the Secret the CR references), ACLs, quotas. */
  public static void applyUser(Admin admin, Plan plan, JsonNode user) throws ExecutionException, InterruptedException {
    String name = Plan.name(user);
    JsonNode auth = user.path("spec").path("authentication");
    if ("scram-sha-512".equals(auth.path("type").asText())) {
      JsonNode ref = auth.path("password").path("valueFrom").path("secretKeyRef");
      if (ref.isMissingNode()) throw new Plan.PlanException(name + ": no password Secret: Strimzi would generate one no tenant is given");
      // The user operator reads the Secret in the KafkaUser's own namespace.
      String password = plan.secretValue(Plan.namespace(user), ref.path("name").asText(), ref.path("key").asText());
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(name, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password))).all().get();
    }
    List<AclBinding> acls = acls(user);
    if (!acls.isEmpty()) admin.createAcls(acls).all().get();
    Map<String, Double> quotas = quotas(user);
    if (!quotas.isEmpty()) {
      List<ClientQuotaAlteration.Op> ops = quotas.entrySet().stream().map(e -> new ClientQuotaAlteration.Op(e.getKey(), e.getValue())).toList();
      admin.alterClientQuotas(List.of(new ClientQuotaAlteration(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, name)), ops))).all().get();
    }
  }

  /** Strimzi writes operations in camel case (`DescribeConfigs`), Kafka names them DESCRIBE_CONFIGS. */
  static String camelToUpper(String s) {
    return s.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }
}
