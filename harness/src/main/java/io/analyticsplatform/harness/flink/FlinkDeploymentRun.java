package io.analyticsplatform.harness.flink;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsplatform.harness.Logs;
import io.analyticsplatform.harness.Plan;
import io.analyticsplatform.harness.Report;
import io.analyticsplatform.harness.Scrape;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One rendered `FlinkDeployment` run as the operator would run it, in a JVM of its own on the runner image's
 * classpath (flink-image's JobHost): the script from its ConfigMap, the env of its pod template (values from
 * the rendered Secrets) as the process's environment, the rendered `flinkConfiguration`, the job's
 * parallelism and TaskManagers of `taskmanager.numberOfTaskSlots` slots — submitted by the project's runner.
 * Keys that only mean something on Kubernetes get local equivalents, each listed in verify.json. The harness
 * follows the job through Flink's REST API.
 */
public final class FlinkDeploymentRun implements AutoCloseable {
  private static final AtomicInteger METRICS_PORTS = new AtomicInteger(9300);
  /** At most this parallelism per job here: a stack's jobs all run at once, on a few cores. */
  static final int MAX_LOCAL_PARALLELISM = 4;

  /** The rendered `job.parallelism` of a FlinkDeployment. */
  public static int renderedParallelism(JsonNode deployment) {
    return deployment.path("spec").path("job").path("parallelism").asInt(1);
  }

  /** The parallelism a FlinkDeployment runs with here: the rendered one, at most MAX_LOCAL_PARALLELISM. */
  public static int localParallelism(JsonNode deployment) {
    return Math.min(renderedParallelism(deployment), MAX_LOCAL_PARALLELISM);
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final String tenant;
  private final String job;
  private final JsonNode deployment;
  private final Path work;
  private final Map<String, String> config;
  private final int parallelism;
  private final int taskManagers;
  private final int slots;
  private final String scriptText;
  private final String scriptName;
  private final Map<String, String> env;
  private Process process;
  private Writer commands;
  private BufferedReader replies;
  private String jobId;
  private int restPort;

  private FlinkDeploymentRun(JsonNode deployment, Path work, Map<String, String> config, int parallelism, int taskManagers, int slots,
      String scriptName, String scriptText, Map<String, String> env) {
    this.tenant = Plan.tenant(deployment);
    this.job = Plan.name(deployment);
    this.deployment = deployment;
    this.work = work;
    this.config = config;
    this.parallelism = parallelism;
    this.taskManagers = taskManagers;
    this.slots = slots;
    this.scriptName = scriptName;
    this.scriptText = scriptText;
    this.env = env;
  }

  /** A variable of the job's environment as its pods would have it (a Secret's value resolved), or null. */
  public String env(String name) {
    return env.get(name);
  }

  /** `v2_2` → `2.2`: the Flink version a FlinkDeployment asks for (FlinkVersion in the operator's API). */
  public static String flinkVersion(JsonNode deployment) {
    return deployment.path("spec").path("flinkVersion").asText().replaceFirst("^v", "").replace('_', '.');
  }

  /** Config keys the operator or Kubernetes consume, not Flink: dropped locally, each listed. */
  static boolean kubernetesOnly(String key) {
    return key.startsWith("kubernetes.") || key.startsWith("high-availability") || key.startsWith("job.autoscaler.") || key.startsWith("s3.");
  }

  /** The Flink of the runner image (the flink-image module's classpath). */
  public static final String FLINK_VERSION = System.getProperty("analytics.flinkVersion", "");

  public static FlinkDeploymentRun prepare(Plan plan, JsonNode deployment, Path work, Path kafkaCa, Duration checkpointInterval, Report report)
      throws IOException {
    String ns = Plan.namespace(deployment);
    JsonNode spec = deployment.path("spec");
    if (!FLINK_VERSION.startsWith(flinkVersion(deployment) + ".")) {
      throw new Plan.PlanException(ns + "/" + Plan.name(deployment) + " asks for Flink " + flinkVersion(deployment) + "; verify runs " + FLINK_VERSION);
    }
    JsonNode container = null;
    for (JsonNode c : spec.path("podTemplate").path("spec").path("containers")) if ("flink-main-container".equals(c.path("name").asText())) container = c;
    if (container == null) throw new Plan.PlanException(ns + "/" + Plan.name(deployment) + ": the pod template has no flink-main-container");

    // Volumes: each mount becomes a local folder holding the files the ConfigMap or Secret would project.
    Path mounts = work.resolve("mounts");
    Map<String, Path> mountDirs = new LinkedHashMap<>();
    for (JsonNode m : container.path("volumeMounts")) {
      JsonNode volume = volume(spec, m.path("name").asText());
      Path dir = mounts.resolve(m.path("name").asText());
      Files.createDirectories(dir);
      project(plan, ns, volume, dir, kafkaCa);
      mountDirs.put(m.path("mountPath").asText(), dir);
      report.localEquivalent("flink", ns + "/" + Plan.name(deployment) + ": volume " + m.path("name").asText() + " at " + m.path("mountPath").asText(),
          dir.toString() + " (the path rewritten in the script and env)", "no pod file system; the projected files are the rendered ones");
    }

    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode e : container.path("env")) {
      JsonNode ref = e.path("valueFrom").path("secretKeyRef");
      String value = ref.isMissingNode() ? e.path("value").asText() : plan.secretValue(ns, ref.path("name").asText(), ref.path("key").asText());
      env.put(e.path("name").asText(), localPaths(value, mountDirs));
    }

    JsonNode jobSpec = spec.path("job");
    String scriptArg = jobSpec.path("args").path(0).asText();
    Path script = localPath(scriptArg, mountDirs);
    if (script == null || !Files.exists(script)) throw new Plan.PlanException(ns + "/" + Plan.name(deployment) + ": the script " + scriptArg + " is in no mounted volume");
    String scriptText = localPaths(Files.readString(script), mountDirs);

    Map<String, String> config = new LinkedHashMap<>();
    String job = ns + "/" + Plan.name(deployment);
    spec.path("flinkConfiguration").fields().forEachRemaining(e -> {
      String key = e.getKey();
      String value = e.getValue().asText();
      if (kubernetesOnly(key)) {
        report.localEquivalent("flink", job + ": " + key + "=" + value, "not set", "read by the operator or Kubernetes, not by Flink's runtime");
        return;
      }
      if (value.startsWith("s3://")) {
        String local = work.resolve("object-store").resolve(value.substring("s3://".length())).toUri().toString();
        report.localEquivalent("flink", job + ": " + key + "=" + value, local, "no object store here; same layout in a local folder");
        value = local;
      }
      config.put(key, value);
    });
    // The operator names an application's job after its resource unless flinkConfiguration does
    // (flink-kubernetes-operator FlinkConfigBuilder.applyFlinkConfiguration): the metrics' job_name.
    config.putIfAbsent("pipeline.name", Plan.name(deployment));
    String interval = config.getOrDefault("execution.checkpointing.interval", "");
    config.put("execution.checkpointing.interval", checkpointInterval.toMillis() + " ms");
    report.localEquivalent("flink", job + ": execution.checkpointing.interval=" + interval, checkpointInterval.toMillis() + " ms",
        "a time scale: each verify phase waits for checkpoints, and outputs become visible to read_committed at each one");
    if (config.containsKey("metrics.reporter.prom.port")) {
      String port = String.valueOf(METRICS_PORTS.getAndIncrement());
      report.localEquivalent("flink", job + ": metrics.reporter.prom.port=" + config.get("metrics.reporter.prom.port"), port,
          "one port per job on this machine; every pod has its own address in the cluster");
      config.put("metrics.reporter.prom.port", port);
    }
    int rendered = renderedParallelism(deployment);
    int parallelism = localParallelism(deployment);
    if (parallelism < rendered) {
      report.localEquivalent("flink", job + ": job.parallelism=" + rendered, String.valueOf(parallelism),
          "every job of the stack runs at once on this machine's cores; each source reader then reads several partitions");
    }
    int slots = Integer.parseInt(config.getOrDefault("taskmanager.numberOfTaskSlots", "1"));
    int taskManagers = (parallelism + slots - 1) / slots;
    // MiniCluster TaskManagers share one JVM: small fixed memory pools instead of the pods' resources.
    config.put("taskmanager.memory.managed.size", "24m");
    config.put("taskmanager.memory.network.min", "16m");
    config.put("taskmanager.memory.network.max", "16m");
    report.localEquivalent("flink", job + ": jobManager/taskManager resources", taskManagers + " TaskManagers of " + slots
        + " slots in one JVM, managed memory 24m, network 16m each", "pod resources are Kubernetes'; the slots and parallelism are as rendered");
    String cm = volume(spec, mountOf(container, scriptArg)).path("configMap").path("name").asText();
    return new FlinkDeploymentRun(deployment, work, config, parallelism, taskManagers, slots, ns + "/ConfigMap/" + cm + ":" + script.getFileName(), scriptText, env);
  }

  /** Starts the job's JVM, whose runner submits the script; `submitted` then says how that went. */
  public void launch(String imageClasspath, Path hostsFile) throws IOException {
    Path conf = work.resolve("flink-conf.properties");
    Properties p = new Properties();
    p.putAll(config);
    try (Writer w = Files.newBufferedWriter(conf)) {
      p.store(w, "flinkConfiguration of " + Plan.namespace(deployment) + "/" + job + ", with local equivalents");
    }
    Path script = work.resolve(job + ".sql");
    Files.writeString(script, scriptText);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m", "-XX:+UseG1GC",
        "-Djdk.net.hosts.file=" + hostsFile, "-cp", imageClasspath, "io.analyticsplatform.flinkimage.JobHost",
        "--conf", conf.toString(), "--script", script.toString(), "--name", scriptName, "--parallelism", String.valueOf(parallelism),
        "--taskmanagers", String.valueOf(taskManagers), "--slots", String.valueOf(slots)));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(work.resolve("jobhost.log").toFile());
    // The pod's environment, as the container would have it: the runner reads its placeholders from it.
    pb.environment().putAll(env);
    process = pb.start();
    commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Null when the job is submitted, else the runner's problems (`file:line: message`) or why the JVM stopped. */
  public String submitted() throws IOException, InterruptedException {
    List<String> problems = new ArrayList<>();
    for (String line; (line = replies.readLine()) != null;) {
      if (line.startsWith("SUBMITTED ")) {
        String[] parts = line.split(" ");
        jobId = parts[1];
        restPort = Integer.parseInt(parts[2]);
        return null;
      }
      if (line.startsWith("PROBLEM ")) problems.add(line.substring("PROBLEM ".length()));
    }
    process.waitFor(30, TimeUnit.SECONDS);
    return problems.isEmpty() ? "the job JVM stopped: " + Logs.tail(work.resolve("jobhost.log")) : String.join("\n", problems);
  }

  private JsonNode rest(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + "/jobs/" + jobId + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IOException("GET /jobs/" + jobId + path + ": HTTP " + r.statusCode());
    return Plan.JSON.readTree(r.body());
  }

  /** Every vertex of the job is running (Flink REST: /jobs/:id). */
  public boolean allRunning() throws IOException, InterruptedException {
    JsonNode j = rest("");
    if (!"RUNNING".equals(j.path("state").asText())) return false;
    for (JsonNode v : j.path("vertices")) if (!"RUNNING".equals(v.path("status").asText())) return false;
    return true;
  }

  /**
   * Records the job's sources have read so far: the source vertices' read-records (/jobs/:id), the source's
   * numRecordsIn. Not write-records: that counts what leaves the vertex's last chained operator, which for a
   * source chained with a local aggregate is the partial aggregates.
   */
  public long sourceRecordsRead() throws IOException, InterruptedException {
    long n = 0;
    for (JsonNode v : rest("").path("vertices")) if (v.path("name").asText().startsWith("Source")) n += v.path("metrics").path("read-records").asLong();
    return n;
  }

  /** Completed checkpoints so far (/jobs/:id/checkpoints). */
  public long completedCheckpoints() throws IOException, InterruptedException {
    return rest("/checkpoints").path("counts").path("completed").asLong();
  }

  /** The job's failures so far, newest first (/jobs/:id/exceptions): empty while it has never failed. */
  public List<String> failures() throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    for (JsonNode e : rest("/exceptions").path("exceptionHistory").path("entries")) out.add(e.path("exceptionName").asText() + ": " + rootCause(e.path("stacktrace").asText()));
    return out;
  }

  /** The forced failure: the first TaskManager is terminated; the job restarts from its last checkpoint. */
  public void killTaskManager() throws IOException {
    commands.write("kill-taskmanager\n");
    commands.flush();
    String reply = replies.readLine();
    if (!"KILLED".equals(reply)) throw new IOException("the job JVM did not kill its TaskManager: " + reply);
  }

  @Override
  public void close() throws Exception {
    if (process == null) return;
    if (process.isAlive()) {
      try {
        commands.write("stop\n");
        commands.flush();
      } catch (IOException stopped) {
        // The JVM has gone already.
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly();
    }
  }

  /** The innermost "Caused by:" of a stack trace, shortened. */
  static String rootCause(String stackTrace) {
    String last = "";
    for (String line : stackTrace.split("\n")) if (line.startsWith("Caused by: ") || last.isEmpty()) last = line.replaceFirst("^Caused by: ", "");
    return last.length() > 400 ? last.substring(0, 400) + "…" : last;
  }

  /** Metric names the job's Prometheus reporter exposes now (JobManager and TaskManagers share the JVM's one). */
  /** Where the job's Prometheus reporter listens (`localhost:port`), or null when the deployment has none. */
  public String prometheusAddress() {
    String port = config.get("metrics.reporter.prom.port");
    return port == null ? null : "localhost:" + port;
  }

  public java.util.Set<String> prometheusMetricNames() throws IOException, InterruptedException {
    String port = config.get("metrics.reporter.prom.port");
    if (port == null) return java.util.Set.of();
    return Scrape.metricNames(URI.create("http://localhost:" + port + "/"));
  }

  public String tenant() {
    return tenant;
  }

  public String job() {
    return job;
  }

  public JsonNode deployment() {
    return deployment;
  }

  /** Where the script came from: the ConfigMap key the pod mounts. */
  public String scriptName() {
    return scriptName;
  }

  public int parallelism() {
    return parallelism;
  }


  private static JsonNode volume(JsonNode spec, String name) {
    for (JsonNode v : spec.path("podTemplate").path("spec").path("volumes")) if (name.equals(v.path("name").asText())) return v;
    throw new Plan.PlanException("volume " + name + " is mounted but not declared");
  }

  /**
   * Writes the files a configMap or secret volume projects (all keys, or `items` key → path). A projected
   * `ca.crt` is the verify cluster's CA: the offline render's is a placeholder.
   */
  private static void project(Plan plan, String ns, JsonNode volume, Path dir, Path kafkaCa) throws IOException {
    Map<String, String> data = new LinkedHashMap<>();
    if (volume.has("configMap")) {
      JsonNode cm = plan.get("ConfigMap", ns, volume.path("configMap").path("name").asText());
      cm.path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
      for (JsonNode item : volume.path("configMap").path("items")) data.put(item.path("path").asText(), data.remove(item.path("key").asText()));
    } else if (volume.has("secret")) {
      String name = volume.path("secret").path("secretName").asText();
      for (JsonNode item : volume.path("secret").path("items")) {
        String key = item.path("key").asText();
        data.put(item.path("path").asText(), "ca.crt".equals(key) ? Files.readString(kafkaCa) : plan.secretValue(ns, name, key));
      }
    } else {
      throw new Plan.PlanException("volume " + volume.path("name").asText() + ": only configMap and secret volumes are run by verify");
    }
    for (var e : data.entrySet()) Files.writeString(dir.resolve(e.getKey()), e.getValue());
  }

  private static String mountOf(JsonNode container, String path) {
    for (JsonNode m : container.path("volumeMounts")) if (path.startsWith(m.path("mountPath").asText() + "/")) return m.path("name").asText();
    throw new Plan.PlanException("the script " + path + " is in no mounted volume");
  }

  private static String localPaths(String text, Map<String, Path> mounts) {
    String out = text;
    for (var m : mounts.entrySet()) out = out.replace(m.getKey() + "/", m.getValue() + "/");
    return out;
  }

  private static Path localPath(String path, Map<String, Path> mounts) {
    for (var m : mounts.entrySet()) if (path.startsWith(m.getKey() + "/")) return m.getValue().resolve(path.substring(m.getKey().length() + 1));
    return null;
  }
}
