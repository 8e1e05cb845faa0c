package io.analyticsplatform.harness.lake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analyticsplatform.harness.Logs;
import io.analyticsplatform.harness.Plan;
import io.analyticsplatform.harness.Report;
import io.analyticsplatform.harness.Scrape;
import io.analyticsplatform.harness.VerifyContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The lake's access rules judged by Trino: the rendered Trino release's rules.json and group file are loaded by
 * Trino's own file-based access control (harness/trino-check, its own JVM on Java 25), which answers the tenant
 * matrix; then a real coordinator under the same rules runs each lake tenant's SQL and serves its /metrics.
 * Every answer goes into verify.json; a cross-tenant allow, or a tenant denied its own, fails (table procedures,
 * which file-based access control cannot deny, are recorded and not judged).
 */
public final class TrinoVerification {
  static final String LAYER = "lake";
  /** The Trino release as components/lake registers it. */
  static final String RELEASE = "trino";

  private final Report report;
  private final Plan plan;
  private final VerifyContext context;
  private final Path work;

  public TrinoVerification(Report report, Plan plan, VerifyContext context, Path work) {
    this.report = report;
    this.plan = plan;
    this.context = context;
    this.work = work;
  }

  public void run() throws IOException, InterruptedException {
    String java = System.getProperty("analytics.trinoJava", "");
    String classpath = System.getProperty("analytics.trinoClasspath", "");
    if (java.isEmpty() || classpath.isEmpty()) throw new IllegalStateException("analytics.trinoJava and analytics.trinoClasspath must be set (offline/jvm.ts)");
    if (context.trinoMatrix().path("tenants").isEmpty()) {
      report.notRun(LAYER, "Trino's access matrix", "the stack has no tenants");
      return;
    }
    Files.createDirectories(work);
    JsonNode values = plan.helmValues(RELEASE);
    JsonNode access = values.path("accessControl");
    // The chart mounts accessControl.rules[configFile] as Trino's security.config-file, auth.groups as its group file
    // (trinodb/charts templates/configmap-coordinator.yaml).
    Path rules = Files.writeString(work.resolve("rules.json"), access.path("rules").path(access.path("configFile").asText("rules.json")).asText());
    Path groups = Files.writeString(work.resolve("group.db"), values.path("auth").path("groups").asText());
    ObjectNode request = Plan.object().put("rulesFile", rules.toString()).put("groupFile", groups.toString());
    if (access.hasNonNull("refreshPeriod")) request.put("refreshPeriod", access.path("refreshPeriod").asText());
    request.set("matrix", context.trinoMatrix());
    Path requestFile = work.resolve("request.json");
    Plan.JSON.writeValue(requestFile.toFile(), request);
    Path answersFile = work.resolve("answers.json");
    Path log = work.resolve("trino-check.log");
    Process p = trinoCheck(java, classpath, "AccessMatrix", requestFile, answersFile, log);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      report.fail(LAYER, "Trino's access control answers the tenant matrix", "no answer within 120 s", null);
      return;
    }
    ObjectNode used = Plan.object().put("rules", "Helm release " + RELEASE + " accessControl.rules, auth.groups");
    if (p.exitValue() == 2 || !Files.exists(answersFile)) {
      String refusal = Files.readAllLines(log).stream().filter(l -> l.startsWith("Trino refuses")).findFirst().orElse(Logs.tail(log));
      report.fail(LAYER, "Trino loads the rendered access rules", refusal, used);
      return;
    }
    JsonNode result = Plan.JSON.readTree(answersFile.toFile());
    report.engine("trino", result.path("trino").asText());
    report.pass(LAYER, "Trino loads the rendered access rules (FileBasedSystemAccessControl, group file)", "", used);
    judge(result.path("answers"));
    server(java, classpath, requestFile);
  }

  private Process trinoCheck(String java, String classpath, String main, Path request, Path out, Path log) throws IOException {
    return new ProcessBuilder(java, "-Xmx512m", "-cp", classpath, "io.analyticsplatform.trinocheck." + main, request.toString(), out.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * A real coordinator (trino-check TrinoServer) under the same rules: each lake tenant's SQL, and /metrics read
   * as the metrics user, which must hold every Trino metric the alerts and dashboards use.
   */
  private void server(String java, String classpath, Path request) throws IOException, InterruptedException {
    Path out = work.resolve("server.json");
    Path log = work.resolve("trino-server.log");
    Process p = trinoCheck(java, classpath, "TrinoServer", request, out, log);
    if (!p.waitFor(600, TimeUnit.SECONDS)) p.destroyForcibly();
    if (!Files.exists(out)) {
      report.fail(LAYER, "a Trino coordinator runs under the rendered rules", "it did not finish: " + Logs.tail(log), null);
      return;
    }
    JsonNode result = Plan.JSON.readTree(out.toFile());
    report.localEquivalent(LAYER, "Trino's Iceberg (lake) and Druid catalogs", "Trino's memory connector (476) under the same catalog names",
        "no Iceberg catalog or Druid cluster runs here; the rules judge names, not connectors");
    for (Map.Entry<String, List<JsonNode>> e : bySubject(result.path("statements")).entrySet()) {
      List<String> wrong = e.getValue().stream().filter(s -> !s.path("ok").asBoolean())
          .map(s -> s.path("sql").asText() + ": " + s.path("outcome").asText() + ", expected " + s.path("expected").asText()).toList();
      ArrayNode used = Plan.JSON.createArrayNode();
      e.getValue().forEach(used::add);
      report.check(LAYER, "a Trino " + result.path("trino").asText() + " coordinator runs " + e.getKey() + "'s SQL under the rendered rules: its own data read, "
          + "not written, others' denied, only its own in the metadata and the query list", wrong.isEmpty(),
          wrong.isEmpty() ? e.getValue().size() + " statements" : String.join("; ", wrong), used);
    }
    JsonNode metrics = result.path("metrics");
    Set<String> names = metrics.path("status").asInt() == 200 ? Scrape.names(Files.readString(Path.of(metrics.path("file").asText()))) : Set.of();
    List<String> missing = context.metrics("trino").stream().filter(n -> !names.contains(n)).toList();
    report.check(LAYER, "every Trino metric the alerts and dashboards use is on the coordinator's /metrics, read as " + metrics.path("user").asText(),
        metrics.path("status").asInt() == 200 && missing.isEmpty(),
        metrics.path("status").asInt() != 200 ? "HTTP " + metrics.path("status").asInt() : missing.isEmpty() ? context.metrics("trino").size() + " names" : "in no scrape: " + String.join(", ", missing),
        null);
  }

  /** One check per subject: its answers about every tenant, with the wrong ones named. */
  void judge(JsonNode answers) {
    int crossTenant = 0;
    int recordedOnly = 0;
    List<String> crossAllowed = new ArrayList<>();
    for (Map.Entry<String, List<JsonNode>> e : bySubject(answers).entrySet()) {
      List<String> wrong = new ArrayList<>();
      ArrayNode used = Plan.JSON.createArrayNode();
      for (JsonNode a : e.getValue()) {
        used.add(a);
        if (!a.path("ok").asBoolean()) wrong.add(describe(a));
        // Cross-tenant: a question about a tenant asked by anyone but that tenant and the admin.
        boolean cross = a.hasNonNull("target") && !a.path("kind").asText().equals("admin") && !a.path("target").asText().equals(e.getKey());
        // Answers the platform cannot decide (table procedures: file-based access control allows them all) are
        // recorded in verify.json, not judged.
        boolean judged = !a.path("expected").asText().equals("either");
        if (cross && judged) {
          crossTenant++;
          if (a.path("allowed").asBoolean()) crossAllowed.add(describe(a));
        } else if (cross && a.path("allowed").asBoolean()) {
          recordedOnly++;
        }
      }
      long allowed = e.getValue().stream().filter(a -> a.path("allowed").asBoolean()).count();
      report.check(LAYER, "Trino's access control: " + e.getKey() + "'s " + e.getValue().size() + " questions answered as the platform requires", wrong.isEmpty(),
          wrong.isEmpty() ? allowed + " allowed, " + (e.getValue().size() - allowed) + " denied" : String.join("; ", wrong), used);
    }
    report.check(LAYER, "Trino denies every cross-tenant question (" + crossTenant + " asked)", crossAllowed.isEmpty() && crossTenant > 0,
        crossAllowed.isEmpty()
            ? (crossTenant == 0 ? "no cross-tenant question: one tenant or none"
                : recordedOnly > 0 ? recordedOnly + " cross-tenant table-procedure answers allowed, recorded and not judged (file-based access control allows every table procedure)" : "")
            : String.join("; ", crossAllowed), null);
  }

  /** Answers or statements by who asked, in order. */
  private static Map<String, List<JsonNode>> bySubject(JsonNode items) {
    Map<String, List<JsonNode>> out = new LinkedHashMap<>();
    items.forEach(i -> out.computeIfAbsent(i.path("subject").asText(), k -> new ArrayList<>()).add(i));
    return out;
  }

  private static String describe(JsonNode a) {
    return a.path("subject").asText() + " " + a.path("question").asText() + " " + a.path("resource").asText() + ": Trino says "
        + (a.path("allowed").asBoolean() ? "allow" : "deny") + ", expected " + a.path("expected").asText();
  }
}
