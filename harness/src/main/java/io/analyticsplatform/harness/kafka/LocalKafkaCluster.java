package io.analyticsplatform.harness.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsplatform.harness.Logs;
import io.analyticsplatform.harness.Plan;
import io.analyticsplatform.harness.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * The rendered `Kafka` and its `KafkaNodePool`s as real KRaft nodes: one JVM per node, Apache Kafka of the
 * CR's version, each node on a loopback address of its own so that all listen on the rendered ports, and a
 * hosts file (`-Djdk.net.hosts.file`) that resolves Strimzi's service names to them.
 */
public final class LocalKafkaCluster implements AutoCloseable {
  /** The harness's own mTLS client: the plan's platform super user. */
  public static final String ADMIN_USER = "platform-admin";
  /** Where Strimzi's JMX exporter agent serves a Kafka pod's metrics (Strimzi MetricsModel: 9404, `tcp-prometheus`). */
  public static final int METRICS_PORT = 9404;

  private final String cluster;
  private final String namespace;
  private final JsonNode kafka;
  private final List<KafkaNode> nodes;
  private final Path work;
  private final Path hostsFile;
  /** The rendered JMX exporter config (`metricsConfig`'s ConfigMap key), or null without metrics. */
  private final String metricsConfig;
  private final List<Process> processes = new ArrayList<>();
  private Pki.Issued clusterCa;
  private Pki.Issued clientsCa;
  private Path clusterCaFile;
  private Path adminKeystore;

  private LocalKafkaCluster(String cluster, String namespace, JsonNode kafka, List<KafkaNode> nodes, Path work, Path hostsFile, String metricsConfig) {
    this.cluster = cluster;
    this.namespace = namespace;
    this.kafka = kafka;
    this.nodes = nodes;
    this.work = work;
    this.hostsFile = hostsFile;
    this.metricsConfig = metricsConfig;
  }

  /**
   * The nodes of the plan's Kafka cluster. Broker pools run every replica; a controller-only pool runs one
   * node (a quorum of one decides the same metadata; stated in verify.json).
   */
  public static LocalKafkaCluster fromPlan(Plan plan, Path work, Path hostsFile, Report report) {
    List<JsonNode> kafkas = plan.all("Kafka");
    if (kafkas.size() != 1) throw new Plan.PlanException("verify runs one Kafka cluster; the plan has " + kafkas.size());
    JsonNode k = kafkas.get(0);
    String cluster = Plan.name(k);
    String ns = Plan.namespace(k);
    List<KafkaNode> nodes = new ArrayList<>();
    int id = 0;
    for (JsonNode pool : plan.all("KafkaNodePool")) {
      if (!cluster.equals(pool.path("metadata").path("labels").path("strimzi.io/cluster").asText())) continue;
      List<String> roles = new ArrayList<>();
      pool.path("spec").path("roles").forEach(r -> roles.add(r.asText()));
      int replicas = pool.path("spec").path("replicas").asInt();
      int run = roles.contains("broker") ? replicas : Math.min(1, replicas);
      if (run < replicas) {
        report.localEquivalent("kafka", "KafkaNodePool " + Plan.name(pool) + ": " + replicas + " controllers", run + " controller",
            "the KRaft quorum's size changes no topic, user, ACL or quota; one controller JVM saves memory");
      }
      for (int i = 0; i < replicas; i++, id++) {
        if (i >= run) continue;
        String pod = cluster + "-" + Plan.name(pool) + "-" + id;
        nodes.add(new KafkaNode(Plan.name(pool), id, roles, pod + "." + cluster + "-kafka-brokers." + ns + ".svc", "127.0.1." + (id + 1)));
      }
    }
    if (nodes.stream().noneMatch(KafkaNode::broker) || nodes.stream().noneMatch(KafkaNode::controller)) {
      throw new Plan.PlanException("the Kafka node pools of " + cluster + " need brokers and controllers");
    }
    return new LocalKafkaCluster(cluster, ns, k.path("spec").path("kafka"), nodes, work, hostsFile, metricsConfig(plan, ns, k.path("spec").path("kafka")));
  }

  /**
   * The JMX exporter config Strimzi hands its agent: `metricsConfig` of type jmxPrometheusExporter names a
   * ConfigMap key (Strimzi JmxPrometheusExporterModel), in the Kafka CR's namespace.
   */
  static String metricsConfig(Plan plan, String namespace, JsonNode kafka) {
    JsonNode m = kafka.path("metricsConfig");
    if (!"jmxPrometheusExporter".equals(m.path("type").asText())) return null;
    JsonNode ref = m.path("valueFrom").path("configMapKeyRef");
    String text = plan.get("ConfigMap", namespace, ref.path("name").asText()).path("data").path(ref.path("key").asText()).asText(null);
    if (text == null) throw new Plan.PlanException("ConfigMap " + namespace + "/" + ref.path("name").asText() + " has no key " + ref.path("key").asText());
    return text;
  }

  public boolean hasMetrics() {
    return metricsConfig != null;
  }

  public String cluster() {
    return cluster;
  }

  public String namespace() {
    return namespace;
  }

  public JsonNode kafkaSpec() {
    return kafka;
  }

  public List<KafkaNode> nodes() {
    return nodes;
  }

  /** Strimzi's bootstrap service name (KafkaResources.bootstrapServiceName). */
  public String bootstrapHost() {
    return cluster + "-kafka-bootstrap." + namespace + ".svc";
  }

  /** PEM of the cluster CA: what a tenant's `ca.crt` holds in the cluster. */
  public Path clusterCaFile() {
    return clusterCaFile;
  }

  public String clusterCaPem() throws IOException {
    return clusterCa.certPem();
  }

  /** Writes certificates and the hosts file, formats every node's storage and starts the nodes. */
  public void start(String brokerClasspath, Duration timeout) throws IOException, GeneralSecurityException, InterruptedException {
    awaitFreePorts(Duration.ofSeconds(60));
    Files.createDirectories(work);
    clusterCa = Pki.ca("O=io.strimzi,CN=cluster-ca v0");
    clientsCa = Pki.ca("O=io.strimzi,CN=clients-ca v0");
    clusterCaFile = work.resolve("cluster-ca.crt");
    Files.writeString(clusterCaFile, clusterCa.certPem());
    Path clientsCaFile = work.resolve("clients-ca.crt");
    Files.writeString(clientsCaFile, clientsCa.certPem());
    adminKeystore = Pki.issue(clientsCa, "CN=" + ADMIN_USER, List.of()).writeKeystore(work.resolve("platform-admin.pem"));

    // The hosts file replaces the system resolver for these JVMs: this machine's own names go in it too.
    StringBuilder hosts = new StringBuilder("127.0.0.1 localhost " + Files.readString(Path.of("/proc/sys/kernel/hostname")).strip() + "\n::1 localhost\n");
    KafkaNode firstBroker = nodes.stream().filter(KafkaNode::broker).findFirst().orElseThrow();
    List<GeneralName> serviceNames = new ArrayList<>();
    for (String svc : List.of(bootstrapHost(), cluster + "-kafka-brokers." + namespace + ".svc")) {
      hosts.append(firstBroker.address()).append(' ').append(svc).append(' ').append(svc).append(".cluster.local\n");
      serviceNames.add(Pki.dns(svc));
      serviceNames.add(Pki.dns(svc + ".cluster.local"));
    }
    for (KafkaNode n : nodes) hosts.append(n.address()).append(' ').append(n.host()).append('\n');
    Files.writeString(hostsFile, hosts.toString());

    String clusterId = uuidBase64();
    Path log4j = work.resolve("log4j2.properties");
    Files.writeString(log4j, String.join("\n",
        "rootLogger.level = INFO", "rootLogger.appenderRef.out.ref = out",
        "appender.out.type = Console", "appender.out.name = out", "appender.out.layout.type = PatternLayout",
        "appender.out.layout.pattern = [%d] %p %m (%c)%n", "logger.authorizer.name = kafka.authorizer.logger", "logger.authorizer.level = WARN", ""));
    List<String> jvm = List.of("-Xmx512m", "-Xms256m", "-XX:+UseG1GC", "-Djdk.net.hosts.file=" + hostsFile, "-Dlog4j2.configurationFile=" + log4j,
        "-cp", brokerClasspath);
    for (KafkaNode n : nodes) {
      Path dir = work.resolve(n.podName(cluster));
      Files.createDirectories(dir);
      List<GeneralName> sans = new ArrayList<>(serviceNames);
      sans.add(Pki.dns(n.host()));
      sans.add(Pki.dns(n.host() + ".cluster.local"));
      // Strimzi's broker certificate: one subject for every node, the node's names as SANs (ClusterCa).
      Path keystore = Pki.issue(clusterCa, "O=io.strimzi,CN=" + cluster + "-kafka", sans).writeKeystore(dir.resolve("node.pem"));
      Map<String, String> rsm = new LinkedHashMap<>(localRemoteStorage(dir.getParent().resolve("remote-storage")));
      rsm.putAll(rlmmClient(keystore));
      Map<String, String> config = StrimziBrokerConfig.forNode(cluster, kafka, n, nodes, new StrimziBrokerConfig.Tls(clusterCaFile, clientsCaFile, keystore), dir, rsm);
      Path props = dir.resolve("server.properties");
      Properties p = new Properties();
      p.putAll(config);
      try (var w = Files.newBufferedWriter(props)) {
        p.store(w, "node " + n.id() + " of " + cluster + ", as Strimzi would configure it");
      }
      List<String> format = new ArrayList<>(List.of(java()));
      format.addAll(jvm);
      format.addAll(List.of("kafka.tools.StorageTool", "format", "--cluster-id=" + clusterId, "--config", props.toString(), "--ignore-formatted"));
      Process f = new ProcessBuilder(format).redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
      if (!f.waitFor(120, TimeUnit.SECONDS) || f.exitValue() != 0) {
        throw new BrokerFailure("formatting node " + n.id() + " failed: " + Logs.tail(dir.resolve("format.log")));
      }
      List<String> run = new ArrayList<>(List.of(java()));
      if (metricsConfig != null) {
        Path exporterConfig = Files.writeString(dir.resolve("metrics-config.yml"), metricsConfig);
        // As Strimzi starts it in the pod (KAFKA_OPTS), on the node's own address.
        run.add("-javaagent:" + System.getProperty("analytics.jmxAgent") + "=" + n.address() + ":" + METRICS_PORT + ":" + exporterConfig);
      }
      run.addAll(jvm);
      run.addAll(List.of("io.analyticsplatform.kafkabroker.BrokerMain", props.toString()));
      // stdin stays a pipe to this JVM: the node ends when the harness does.
      processes.add(new ProcessBuilder(run).redirectErrorStream(true).redirectOutput(dir.resolve("kafka.log").toFile()).start());
    }
    awaitBrokers(timeout);
  }

  /** The nodes' rendered ports on their addresses; an earlier run's nodes may still be shutting down. */
  private void awaitFreePorts(Duration timeout) throws InterruptedException {
    List<Integer> ports = new ArrayList<>(List.of(StrimziBrokerConfig.CONTROL_PLANE_PORT, StrimziBrokerConfig.REPLICATION_PORT));
    for (JsonNode l : kafka.path("listeners")) ports.add(l.path("port").asInt());
    long deadline = System.nanoTime() + timeout.toNanos();
    for (KafkaNode n : nodes) {
      for (int port : ports) {
        while (true) {
          try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(n.address(), port));
            break;
          } catch (IOException inUse) {
            if (System.nanoTime() > deadline) throw new BrokerFailure(n.address() + ":" + port + " is in use: is another verify running?");
            Thread.sleep(500);
          }
        }
      }
    }
  }

  /** Kafka's own LocalTieredStorage stands in for the rendered S3 plugin: it keeps remote segments in a folder. */
  private static Map<String, String> localRemoteStorage(Path dir) {
    return Map.of(
        "remote.log.storage.manager.class.name", "org.apache.kafka.server.log.remote.storage.LocalTieredStorage",
        "rsm.config.dir", dir.toString(),
        "rsm.config.delete.on.close", "false");
  }

  /** The remote-log-metadata manager's clients reach the replication listener with the node's certificate. */
  private static Map<String, String> rlmmClient(Path keystore) {
    String p = "rlmm.config.remote.log.metadata.common.client.";
    return Map.of(
        p + "security.protocol", "SSL",
        p + "ssl.keystore.type", "PEM",
        p + "ssl.keystore.location", keystore.toString(),
        p + "ssl.truststore.type", "PEM",
        p + "ssl.truststore.location", keystore.getParent().getParent().resolve("cluster-ca.crt").toString());
  }

  /** Admin client properties of the platform's super user, over the rendered mTLS listener. */
  public Properties adminProperties() {
    JsonNode mtls = null;
    for (JsonNode l : kafka.path("listeners")) if ("tls".equals(l.path("authentication").path("type").asText()) && l.path("tls").asBoolean()) mtls = l;
    if (mtls == null) throw new Plan.PlanException("the Kafka CR has no mTLS listener for the platform's super user");
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapHost() + ":" + mtls.path("port").asInt());
    p.put("security.protocol", "SSL");
    p.put("ssl.keystore.type", "PEM");
    p.put("ssl.keystore.location", adminKeystore.toString());
    p.put("ssl.truststore.type", "PEM");
    p.put("ssl.truststore.location", clusterCaFile.toString());
    return p;
  }

  private void awaitBrokers(Duration timeout) throws InterruptedException {
    long brokers = nodes.stream().filter(KafkaNode::broker).count();
    Instant deadline = Instant.now().plus(timeout);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      for (int i = 0; i < processes.size(); i++) {
        if (!processes.get(i).isAlive()) {
          KafkaNode n = nodes.get(i);
          throw new BrokerFailure("node " + n.id() + " exited (" + processes.get(i).exitValue() + "): " + Logs.tail(work.resolve(n.podName(cluster)).resolve("kafka.log")));
        }
      }
      Properties p = adminProperties();
      p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
      p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
      try (Admin admin = Admin.create(p)) {
        int seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
        if (seen == brokers) return;
        last = seen + " of " + brokers + " brokers registered";
      } catch (Exception e) {
        last = e.getMessage();
      }
      Thread.sleep(1000);
    }
    throw new BrokerFailure("the brokers were not ready in " + timeout.toSeconds() + " s: " + last);
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : processes) p.destroy();
    for (Process p : processes) if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String uuidBase64() {
    UUID u = UUID.randomUUID();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
  }

  /** A node did not start or did not join: the plan's broker config is what the broker refused. */
  public static final class BrokerFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BrokerFailure(String message) {
      super(message);
    }
  }
}
