package io.analyticsplatform.harness.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analyticsplatform.harness.Logs;
import io.analyticsplatform.harness.Plan;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (the machine's binary, Debian's package) scraping the verify engines and evaluating the
 * plan's PrometheusRules: each rendered `spec.groups` loaded as a rule file, as the operator writes them.
 * Targets come and go through a file_sd file; scrape and evaluation every 2 s.
 */
public final class LocalPrometheus implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  public static final Duration INTERVAL = Duration.ofSeconds(2);

  /**
   * A scrape target: `host:port` with the labels the rendered monitors' relabelings would give it, scraped with
   * `timeout` (every INTERVAL, or every `timeout` when that is longer: Prometheus refuses a timeout over the interval).
   */
  public record Target(String address, Map<String, String> labels, Duration timeout) {}

  private final Path work;
  private final Process process;
  private final String base;
  private final Map<String, Target> targets = new LinkedHashMap<>();

  private LocalPrometheus(Path work, Process process, String base) {
    this.work = work;
    this.process = process;
    this.base = base;
  }

  /** Starts `binary` on `port` with every rendered PrometheusRule's groups; waits until it is ready. */
  public static LocalPrometheus start(String binary, Plan plan, Path work, int port) throws IOException, InterruptedException {
    Files.createDirectories(work);
    ArrayNode groups = Plan.JSON.createArrayNode();
    for (JsonNode rule : plan.all("PrometheusRule")) rule.path("spec").path("groups").forEach(groups::add);
    Plan.YAML.writeValue(work.resolve("rules.yml").toFile(), Plan.object().set("groups", groups));
    Files.writeString(work.resolve("targets.json"), "[]");
    String config = String.join("\n",
        "global: {scrape_interval: " + INTERVAL.toSeconds() + "s, evaluation_interval: " + INTERVAL.toSeconds() + "s}",
        "rule_files: [" + work.resolve("rules.yml") + "]",
        "scrape_configs:",
        "  - job_name: verify",
        "    file_sd_configs: [{files: [" + work.resolve("targets.json") + "], refresh_interval: 2s}]",
        "");
    Files.writeString(work.resolve("prometheus.yml"), config);
    Path log = work.resolve("prometheus.log");
    Process p = new ProcessBuilder(binary, "--config.file=" + work.resolve("prometheus.yml"), "--storage.tsdb.path=" + work.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    LocalPrometheus prometheus = new LocalPrometheus(work, p, "http://127.0.0.1:" + port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) throw new IOException("Prometheus exited: " + Logs.tail(log));
      try {
        if (HTTP.send(HttpRequest.newBuilder(URI.create(prometheus.base + "/-/ready")).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) return prometheus;
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(250);
    }
    prometheus.close();
    throw new IOException("Prometheus not ready within 60 s: " + Logs.tail(log));
  }

  /** Adds scrape targets (written atomically: Prometheus watches the file). */
  public synchronized void add(List<Target> more) throws IOException {
    for (Target t : more) targets.put(t.address(), t);
    ArrayNode sd = Plan.JSON.createArrayNode();
    for (Target t : targets.values()) {
      ObjectNode e = sd.addObject();
      e.putArray("targets").add(t.address());
      ObjectNode labels = e.putObject("labels");
      t.labels().forEach(labels::put);
      // Per-target interval and timeout: discovered labels Prometheus reads before its job's (scrape/target.go populateLabels).
      labels.put("__scrape_timeout__", t.timeout().toMillis() + "ms");
      labels.put("__scrape_interval__", Math.max(t.timeout().toMillis(), INTERVAL.toMillis()) + "ms");
    }
    Path tmp = work.resolve("targets.json.tmp");
    Plan.JSON.writeValue(tmp.toFile(), sd);
    Files.move(tmp, work.resolve("targets.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public synchronized int targetCount() {
    return targets.size();
  }

  /** GET `path` of the HTTP API; its `data`. */
  JsonNode api(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = Plan.JSON.readTree(r.body());
    if (!"success".equals(body.path("status").asText())) throw new IOException(path + ": " + body.path("error").asText(r.body()));
    return body.path("data");
  }

  /** An instant query's result vector. */
  public JsonNode query(String expr) throws IOException, InterruptedException {
    return api("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)).path("result");
  }

  /** Every alerting rule: group, name, health, last error, state (inactive, pending, firing) and its alerts. */
  public List<JsonNode> alertingRules() throws IOException, InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode g : api("/api/v1/rules?type=alert").path("groups")) {
      for (JsonNode r : g.path("rules")) out.add(((ObjectNode) r.deepCopy()).put("group", g.path("name").asText()));
    }
    return out;
  }

  /** Every metric name Prometheus holds. */
  public List<String> metricNames() throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    api("/api/v1/label/__name__/values").forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Targets' health as Prometheus last scraped them: address → `up` or the scrape error. */
  public Map<String, String> targetHealth() throws IOException, InterruptedException {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode t : api("/api/v1/targets?state=active").path("activeTargets")) {
      String health = t.path("health").asText();
      out.put(t.path("labels").path("instance").asText(), "up".equals(health) ? "up" : health + ": " + t.path("lastError").asText());
    }
    return out;
  }

  /** The slowest last scrape: its target, how long it took and the timeout it had. */
  public String slowestScrape() throws IOException, InterruptedException {
    JsonNode slowest = null;
    for (JsonNode t : api("/api/v1/targets?state=active").path("activeTargets")) {
      if (slowest == null || t.path("lastScrapeDuration").asDouble() > slowest.path("lastScrapeDuration").asDouble()) slowest = t;
    }
    return slowest == null ? "no target" : String.format("slowest scrape %s %.2f s of %s", slowest.path("labels").path("instance").asText(),
        slowest.path("lastScrapeDuration").asDouble(), slowest.path("scrapeTimeout").asText());
  }

  public String version() throws IOException, InterruptedException {
    return api("/api/v1/status/buildinfo").path("version").asText();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
