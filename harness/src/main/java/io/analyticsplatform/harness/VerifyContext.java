package io.analyticsplatform.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What `npm run verify` hands the harness beside the rendered plan: the program's own naming of each tenant
 * (model/naming.ts decides it; the harness never re-derives it), the values of the plan's Secrets, and the
 * metrics the alerts and dashboards use, by source (monitoring/metrics.ts METRICS), and the lake's access matrix (offline/trino.ts:
 * who asks Trino about which tenant's schema, tables and user), handed to harness/trino-check as it is.
 */
public record VerifyContext(String stack, List<Tenant> tenants, Map<String, Map<String, String>> secrets, Map<String, List<String>> metrics,
    JsonNode trinoMatrix) {
  /** One tenant as the program names it, with its Flink jobs. */
  public record Tenant(String name, String namespace, String kafkaPrefix, String credentialsSecret, List<Job> jobs) {}

  /**
   * A tenant's job: the FlinkDeployment's name, its topics (full names), consumer group and parameters; for a
   * masking job, the PII its input's contract declares (field → hash or drop).
   */
  public record Job(String name, List<String> inputs, List<String> compactedInputs, List<String> outputs, String consumerGroup,
      Map<String, String> parameters, boolean lake, Map<String, String> pii) {}

  /** The metrics of one source (a METRICS key: `flink`, `kafkaBrokers`, `kafkaExporter`, …); empty when it has none. */
  public List<String> metrics(String source) {
    return metrics.getOrDefault(source, List.of());
  }

  public static VerifyContext load(Path file) throws IOException {
    JsonNode root = Plan.JSON.readTree(file.toFile());
    List<Tenant> tenants = new ArrayList<>();
    for (JsonNode t : root.path("tenants")) {
      List<Job> jobs = new ArrayList<>();
      for (JsonNode j : t.path("jobs")) {
        Map<String, String> parameters = new TreeMap<>();
        j.path("parameters").fields().forEachRemaining(e -> parameters.put(e.getKey(), e.getValue().asText()));
        Map<String, String> pii = new java.util.LinkedHashMap<>();
        j.path("pii").fields().forEachRemaining(e -> pii.put(e.getKey(), e.getValue().asText()));
        jobs.add(new Job(j.path("name").asText(), strings(j.path("inputs")), strings(j.path("compactedInputs")), strings(j.path("outputs")),
            j.path("consumerGroup").asText(), parameters, j.path("lake").asBoolean(false), pii));
      }
      tenants.add(new Tenant(t.path("name").asText(), t.path("namespace").asText(), t.path("kafkaPrefix").asText(), t.path("credentialsSecret").asText(), List.copyOf(jobs)));
    }
    Map<String, Map<String, String>> secrets = new TreeMap<>();
    root.path("secrets").fields().forEachRemaining(e -> {
      Map<String, String> values = new TreeMap<>();
      e.getValue().fields().forEachRemaining(v -> values.put(v.getKey(), v.getValue().asText()));
      secrets.put(e.getKey(), values);
    });
    Map<String, List<String>> metrics = new java.util.LinkedHashMap<>();
    root.path("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), strings(e.getValue())));
    return new VerifyContext(root.path("stack").asText(), List.copyOf(tenants), secrets, metrics, root.path("trinoMatrix"));
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return List.copyOf(out);
  }
}
