package io.analyticsplatform.harness.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsplatform.harness.Plan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** The Strimzi rules verify applies, against what Strimzi 1.2.0's source does (named in each class). */
class StrimziRulesTest {
  private static JsonNode yaml(String text) throws Exception {
    return Plan.YAML.readTree(text);
  }

  @Test
  void dropsTheKeysStrimziForbidsAndKeepsItsExceptions() {
    for (String k : List.of("listeners", "advertised.listeners", "SSL.keystore.location", "sasl.jaas.config", "authorizer.class.name", "node.id", "controller.listener.names")) {
      assertTrue(StrimziBrokerConfig.forbidden(k), k);
    }
    for (String k : List.of("ssl.cipher.suites", "controller.quorum.election.timeout.ms", "broker.session.timeout.ms", "transaction.max.timeout.ms",
        "rlmm.config.remote.log.metadata.topic.replication.factor", "min.insync.replicas")) {
      assertFalse(StrimziBrokerConfig.forbidden(k), k);
    }
  }

  @Test
  void namesListenersAndSuperUsersAsStrimziDoes() throws Exception {
    JsonNode kafka = yaml("""
        listeners: [{name: tls, port: 9093, tls: true, authentication: {type: scram-sha-512}}]
        authorization: {type: simple, superUsers: [CN=platform-admin]}
        config: {ssl.keystore.location: /nope, transaction.max.timeout.ms: 900000}
        """);
    assertEquals("TLS-9093", StrimziBrokerConfig.listenerName(kafka.path("listeners").get(0)));
    List<String> users = StrimziBrokerConfig.superUsers("platform", kafka);
    assertEquals("User:CN=platform-kafka,O=io.strimzi", users.get(0));
    assertEquals("User:CN=platform-admin", users.get(users.size() - 1));

    KafkaNode node = new KafkaNode("dual-role", 0, List.of("controller", "broker"), "platform-dual-role-0.platform-kafka-brokers.kafka.svc", "127.0.1.1");
    Map<String, String> c = StrimziBrokerConfig.forNode("platform", kafka, node, List.of(node),
        new StrimziBrokerConfig.Tls(Path.of("ca"), Path.of("clients"), Path.of("node")), Path.of("data"), Map.of());
    assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required;", c.get("listener.name.tls-9093.scram-sha-512.sasl.jaas.config"));
    assertEquals("CONTROLPLANE-9090:SSL,REPLICATION-9091:SSL,TLS-9093:SASL_SSL", c.get("listener.security.protocol.map"));
    assertEquals("900000", c.get("transaction.max.timeout.ms"));
    assertEquals("node", c.get("listener.name.tls-9093.ssl.keystore.location"), "a user's ssl.* key never reaches the broker");
  }

  @Test
  void writesTieredStorageOnControllersToo() throws Exception {
    // Found by verify on prod's separate controller pool: the controller refused remote.storage.enable topics.
    JsonNode kafka = yaml("tieredStorage: {type: custom}\n");
    KafkaNode controller = new KafkaNode("controllers", 0, List.of("controller"), "c0", "127.0.1.1");
    Map<String, String> c = StrimziBrokerConfig.forNode("platform", kafka, controller, List.of(controller),
        new StrimziBrokerConfig.Tls(Path.of("ca"), Path.of("clients"), Path.of("node")), Path.of("data"), Map.of());
    assertEquals("true", c.get("remote.log.storage.system.enable"));
  }

  @Test
  void appliesUsersAsTheUserOperatorDoes() throws Exception {
    JsonNode user = yaml("""
        metadata: {name: tenant-acme}
        spec:
          authorization:
            type: simple
            acls:
              - resource: {type: topic, name: acme., patternType: prefix}
                operations: [Read, DescribeConfigs]
              - resource: {type: cluster}
                operations: [IdempotentWrite]
          quotas: {producerByteRate: 1024, requestPercentage: 50}
        """);
    List<AclBinding> acls = StrimziOperators.acls(user);
    assertEquals(3, acls.size());
    assertEquals(AclOperation.DESCRIBE_CONFIGS, acls.get(1).entry().operation());
    assertEquals(PatternType.PREFIXED, acls.get(0).pattern().patternType());
    assertEquals("User:tenant-acme", acls.get(0).entry().principal());
    assertEquals("*", acls.get(0).entry().host());
    assertEquals(ResourceType.CLUSTER, acls.get(2).pattern().resourceType());
    assertEquals("kafka-cluster", acls.get(2).pattern().name());
    assertEquals(AclOperation.IDEMPOTENT_WRITE, acls.get(2).entry().operation());
    assertEquals(Map.of("producer_byte_rate", 1024.0, "request_percentage", 50.0), StrimziOperators.quotas(user));
  }

  @Test
  void createsTopicsAsTheTopicOperatorDoes() throws Exception {
    var t = StrimziOperators.topic(yaml("""
        metadata: {name: acme.events}
        spec: {partitions: 3, replicas: 1, config: {remote.storage.enable: true, retention.ms: 2592000000}}
        """));
    assertEquals("acme.events", t.name());
    assertEquals(Map.of("remote.storage.enable", "true", "retention.ms", "2592000000"), t.configs());
  }
}
