package io.analyticsplatform.harness.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.analyticsplatform.harness.Plan;
import io.analyticsplatform.harness.VerifyContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which rendered PodMonitor scrapes a pod, and its timeout, as prometheus-operator and Prometheus decide them. */
class MonitorsTest {
  private static final Map<String, String> BROKER = Map.of("strimzi.io/cluster", "events", "strimzi.io/name", "events-kafka", "strimzi.io/pool-name", "brokers");

  private static Plan plan(Path dir, String endpointExtra, String prometheusSpec) throws Exception {
    Files.createDirectories(dir.resolve("manifests"));
    Files.writeString(dir.resolve("manifests/monitors.yaml"), String.join("\n",
        "apiVersion: monitoring.coreos.com/v1", "kind: PodMonitor", "metadata: {name: kafka-nodes, namespace: kafka}", "spec:",
        "  selector: {matchLabels: {strimzi.io/cluster: events, strimzi.io/name: events-kafka}}",
        "  namespaceSelector: {matchNames: [kafka]}",
        "  podMetricsEndpoints: [{path: /metrics, port: tcp-prometheus, interval: 30s" + endpointExtra + "}]", ""));
    Files.writeString(dir.resolve("resources.json"),
        "[{\"type\": \"kubernetes:helm.sh/v3:Release\", \"name\": \"kube-prometheus-stack\", \"inputs\": {\"values\": {\"prometheus\": {\"prometheusSpec\": " + prometheusSpec + "}}}}]");
    return Plan.load(dir, new VerifyContext("test", List.of(), Map.of(), Map.of(), null));
  }

  @Test
  void selectsByEveryMatchLabelAndTheNamespace(@TempDir Path dir) throws Exception {
    Plan plan = plan(dir, "", "{}");
    assertEquals("tcp-prometheus", Monitors.endpointFor(plan, "kafka", BROKER).orElseThrow().path("port").asText());
    assertTrue(Monitors.endpointFor(plan, "other", BROKER).isEmpty());
    assertTrue(Monitors.endpointFor(plan, "kafka", Map.of("strimzi.io/cluster", "events", "strimzi.io/name", "events-kafka-exporter")).isEmpty());
  }

  @Test
  void timeoutIsTheEndpointsThenThePrometheusCrsThenPrometheusOwn(@TempDir Path dir) throws Exception {
    Plan none = plan(dir.resolve("a"), "", "{}");
    assertEquals(Duration.ofSeconds(10), Monitors.scrapeTimeout(none, Monitors.endpointFor(none, "kafka", BROKER).orElseThrow()));
    Plan global = plan(dir.resolve("b"), "", "{\"scrapeTimeout\": \"20s\"}");
    assertEquals(Duration.ofSeconds(20), Monitors.scrapeTimeout(global, Monitors.endpointFor(global, "kafka", BROKER).orElseThrow()));
    Plan own = plan(dir.resolve("c"), ", scrapeTimeout: 1m30s", "{\"scrapeTimeout\": \"20s\"}");
    assertEquals(Duration.ofSeconds(90), Monitors.scrapeTimeout(own, Monitors.endpointFor(own, "kafka", BROKER).orElseThrow()));
  }

  @Test
  void readsPrometheusDurationsAndRefusesOthers() {
    assertEquals(Duration.ofMillis(500), Monitors.duration("500ms"));
    assertEquals(Duration.ofMinutes(61), Monitors.duration("1h1m"));
    assertThrows(Plan.PlanException.class, () -> Monitors.duration("10"));
    assertThrows(Plan.PlanException.class, () -> Monitors.duration("10s junk"));
  }
}
