package io.analyticsplatform.harness.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The broker configuration Strimzi writes for a node of a `Kafka` CR, rebuilt for a local node: the rendered
 * listeners (names `<NAME>-<PORT>`), their TLS and authentication, simple authorization with the rendered
 * super users, tiered storage, and the rendered `spec.kafka.config` — after Strimzi's own filter of keys a
 * user may not set. Each rule names the Strimzi source it follows (strimzi-kafka-operator 1.2.0, cluster-operator
 * module: `KafkaBrokerConfigurationBuilder`, `KafkaCluster`, `ListenersUtils`; api module: `KafkaClusterSpec`).
 * Strimzi also checks values against its Kafka config model; here the broker's own startup validation does.
 */
public final class StrimziBrokerConfig {
  /** Strimzi's internal listeners (KafkaCluster.CONTROLPLANE_PORT / REPLICATION_PORT). */
  public static final int CONTROL_PLANE_PORT = 9090;
  public static final int REPLICATION_PORT = 9091;
  static final String CONTROL_PLANE = "CONTROLPLANE-" + CONTROL_PLANE_PORT;
  static final String REPLICATION = "REPLICATION-" + REPLICATION_PORT;

  /**
   * Keys of `spec.kafka.config` Strimzi drops with a warning instead of passing them to Kafka
   * (api/.../kafka/KafkaClusterSpec.java FORBIDDEN_PREFIXES, as of Strimzi 1.2.0), and the exceptions it lets
   * through (FORBIDDEN_PREFIX_EXCEPTIONS). Matching is AbstractConfiguration.filterForbidden's: the key
   * lower-cased starts with a prefix and is not exactly an exception.
   */
  static final List<String> FORBIDDEN_PREFIXES = List.of("listeners", "advertised.", "broker.", "listener.", "host.name", "port",
      "inter.broker.listener.name", "sasl.", "ssl.", "security.", "password.", "log.dir", "zookeeper.connect", "zookeeper.set.acl",
      "zookeeper.ssl", "zookeeper.clientCnxnSocket", "authorizer.", "super.user", "cruise.control.metrics.topic",
      "cruise.control.metrics.reporter.bootstrap.servers", "node.id", "process.roles", "controller.", "metadata.log.dir",
      "zookeeper.metadata.migration.enable", "client.quota.callback.static.kafka.admin.", "client.quota.callback.static.produce",
      "client.quota.callback.static.fetch", "client.quota.callback.static.storage.per.volume.limit.min.available.",
      "client.quota.callback.static.excluded.principal.name.list", "prometheus.metrics.reporter.", "cordoned.log.dirs");
  static final List<String> FORBIDDEN_PREFIX_EXCEPTIONS = List.of("zookeeper.connection.timeout.ms", "sasl.server.max.receive.size",
      "ssl.cipher.suites", "ssl.protocol", "ssl.enabled.protocols", "ssl.secure.random.implementation",
      "cruise.control.metrics.topic.num.partitions", "cruise.control.metrics.topic.replication.factor",
      "cruise.control.metrics.topic.retention.ms", "cruise.control.metrics.topic.auto.create.retries",
      "cruise.control.metrics.topic.auto.create.timeout.ms", "cruise.control.metrics.topic.min.insync.replicas",
      "broker.session.timeout.ms", "broker.heartbeat.interval.ms", "controller.socket.timeout.ms",
      "controller.quorum.election.backoff.max.ms", "controller.quorum.election.timeout.ms", "controller.quorum.fetch.timeout.ms");

  /** True when Strimzi drops this `spec.kafka.config` key instead of passing it to the broker. */
  public static boolean forbidden(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return FORBIDDEN_PREFIXES.stream().map(p -> p.toLowerCase(Locale.ROOT)).anyMatch(k::startsWith) && !FORBIDDEN_PREFIX_EXCEPTIONS.contains(k);
  }

  /** Listener name Strimzi gives `spec.kafka.listeners[]` entries (ListenersUtils.identifier: NAME-PORT). */
  public static String listenerName(JsonNode listener) {
    return listener.path("name").asText().toUpperCase(Locale.ROOT) + "-" + listener.path("port").asInt();
  }

  /** Super users: Strimzi's own components, then `authorization.superUsers`, each as `User:<name>`. */
  public static List<String> superUsers(String cluster, JsonNode kafka) {
    List<String> users = new ArrayList<>(List.of(
        "User:CN=" + cluster + "-kafka,O=io.strimzi",
        "User:CN=" + cluster + "-entity-topic-operator,O=io.strimzi",
        "User:CN=" + cluster + "-entity-user-operator,O=io.strimzi",
        "User:CN=" + cluster + "-kafka-exporter,O=io.strimzi",
        "User:CN=" + cluster + "-cruise-control,O=io.strimzi",
        "User:CN=cluster-operator,O=io.strimzi"));
    for (JsonNode u : kafka.path("authorization").path("superUsers")) users.add("User:" + u.asText());
    return users;
  }

  /** Where a node's certificates are (written by LocalKafkaCluster). */
  public record Tls(Path clusterCa, Path clientsCa, Path nodeKeystore) {}

  private StrimziBrokerConfig() {}

  /** The rendered `spec.kafka.config`, values as Kafka reads them, without what Strimzi drops. */
  public static Map<String, String> userConfig(JsonNode kafka) {
    Map<String, String> out = new LinkedHashMap<>();
    kafka.path("config").fields().forEachRemaining(e -> {
      if (!forbidden(e.getKey())) out.put(e.getKey(), e.getValue().asText());
    });
    return out;
  }

  /**
   * The whole configuration of one node. `dataDir` holds its log dirs; `rsm` is the remote storage manager
   * the harness runs in place of the rendered one (see LocalKafkaCluster).
   */
  public static Map<String, String> forNode(String cluster, JsonNode kafka, KafkaNode node, List<KafkaNode> nodes, Tls tls, Path dataDir,
      Map<String, String> rsm) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("node.id", String.valueOf(node.id()));
    c.put("process.roles", String.join(",", node.roles()));
    c.put("log.dirs", dataDir.resolve("kafka-log").toString());
    c.put("controller.listener.names", CONTROL_PLANE);
    c.put("controller.quorum.voters", nodes.stream().filter(KafkaNode::controller)
        .map(n -> n.id() + "@" + n.host() + ":" + CONTROL_PLANE_PORT).collect(Collectors.joining(",")));

    // Listeners: the control plane and replication listeners are Strimzi's, mTLS with the node's certificate.
    Map<String, String> protocols = new LinkedHashMap<>();
    Map<String, Integer> ports = new LinkedHashMap<>();
    if (node.controller()) {
      protocols.put(CONTROL_PLANE, "SSL");
      ports.put(CONTROL_PLANE, CONTROL_PLANE_PORT);
    } else {
      protocols.put(CONTROL_PLANE, "SSL");
    }
    mutualTls(c, CONTROL_PLANE, tls.nodeKeystore(), tls.clusterCa());
    if (node.broker()) {
      protocols.put(REPLICATION, "SSL");
      ports.put(REPLICATION, REPLICATION_PORT);
      mutualTls(c, REPLICATION, tls.nodeKeystore(), tls.clusterCa());
      c.put("inter.broker.listener.name", REPLICATION);
      for (JsonNode l : kafka.path("listeners")) {
        String name = listenerName(l);
        boolean onTls = l.path("tls").asBoolean(false);
        String auth = l.path("authentication").path("type").asText("");
        ports.put(name, l.path("port").asInt());
        String p = "listener.name." + name.toLowerCase(Locale.ROOT) + ".";
        switch (auth) {
          case "scram-sha-512" -> {
            protocols.put(name, onTls ? "SASL_SSL" : "SASL_PLAINTEXT");
            c.put(p + "scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            c.put(p + "sasl.enabled.mechanisms", "SCRAM-SHA-512");
          }
          case "tls" -> {
            protocols.put(name, "SSL");
            c.put(p + "ssl.client.auth", "required");
            c.put(p + "ssl.truststore.type", "PEM");
            c.put(p + "ssl.truststore.location", tls.clientsCa().toString());
          }
          case "" -> protocols.put(name, onTls ? "SSL" : "PLAINTEXT");
          default -> throw new IllegalArgumentException("listener " + name + ": authentication type '" + auth + "' is not run by verify");
        }
        if (onTls) {
          c.put(p + "ssl.keystore.type", "PEM");
          c.put(p + "ssl.keystore.location", tls.nodeKeystore().toString());
        }
      }
    }
    c.put("listener.security.protocol.map", protocols.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(",")));
    c.put("listeners", ports.entrySet().stream().map(e -> e.getKey() + "://" + node.address() + ":" + e.getValue()).collect(Collectors.joining(",")));
    if (node.broker()) {
      c.put("advertised.listeners", ports.keySet().stream().map(n -> n + "://" + node.host() + ":" + ports.get(n)).collect(Collectors.joining(",")));
    }
    c.put("sasl.enabled.mechanisms", "");
    c.put("ssl.endpoint.identification.algorithm", "HTTPS");

    // authorization.type: simple → KRaft's StandardAuthorizer with Strimzi's super users.
    if ("simple".equals(kafka.path("authorization").path("type").asText())) {
      c.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
      c.put("super.users", String.join(";", superUsers(cluster, kafka)));
    }

    // Every node, controllers too (KafkaCluster applies withTieredStorage to each node's config): in KRaft the
    // controllers validate topic configs, and refuse remote.storage.enable without it.
    if (!kafka.path("tieredStorage").isMissingNode()) {
      c.put("remote.log.storage.system.enable", "true");
      c.put("remote.log.storage.manager.impl.prefix", "rsm.config.");
      c.put("remote.log.metadata.manager.impl.prefix", "rlmm.config.");
      c.put("remote.log.metadata.manager.class.name", "org.apache.kafka.server.log.remote.metadata.storage.TopicBasedRemoteLogMetadataManager");
      c.put("remote.log.metadata.manager.listener.name", REPLICATION);
      c.putAll(rsm);
    }

    // The user's config last, as Strimzi appends it (it cannot override the keys above: they are forbidden).
    c.putAll(userConfig(kafka));
    return c;
  }

  private static void mutualTls(Map<String, String> c, String listener, Path keystore, Path truststore) {
    String p = "listener.name." + listener.toLowerCase(Locale.ROOT) + ".";
    c.put(p + "ssl.keystore.type", "PEM");
    c.put(p + "ssl.keystore.location", keystore.toString());
    c.put(p + "ssl.truststore.type", "PEM");
    c.put(p + "ssl.truststore.location", truststore.toString());
    c.put(p + "ssl.client.auth", "required");
  }
}
