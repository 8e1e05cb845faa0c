package io.analyticsplatform.harness.kafka;

import java.util.List;

/**
 * One KRaft node as Strimzi would run it: its pool, node id, roles, the pod's DNS name (Strimzi's
 * `<cluster>-<pool>-<id>.<cluster>-kafka-brokers.<namespace>.svc`) and the loopback address verify gives it,
 * so that every node listens on the rendered ports.
 */
public record KafkaNode(String pool, int id, List<String> roles, String host, String address) {
  public boolean broker() {
    return roles.contains("broker");
  }

  public boolean controller() {
    return roles.contains("controller");
  }

  public String podName(String cluster) {
    return cluster + "-" + pool + "-" + id;
  }
}
