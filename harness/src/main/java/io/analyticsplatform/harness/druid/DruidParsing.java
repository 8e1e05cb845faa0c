package io.analyticsplatform.harness.druid;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsplatform.harness.Logs;
import io.analyticsplatform.harness.Plan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Records parsed as a Druid Kafka indexing task of a rendered DruidIngestion parses them: by Druid's own
 * input-format code (harness/druid-check RecordCheck, in its own JVM), with the spec's inputFormat,
 * timestampSpec, dimensions and transformSpec.
 */
public final class DruidParsing {
  /** One record as Druid read it: its row's timestamp, or Druid's parse error (RecordCheck's output keeps the dimensions). */
  public record Parsed(Instant timestamp, String error) {}

  private final String classpath;
  private final Path work;
  private int runs;

  /** `classpath`: harness/druid-check's (analytics.druidClasspath, offline/jvm.ts). */
  public DruidParsing(String classpath, Path work) {
    this.classpath = classpath;
    this.work = work;
  }

  /** The supervisor spec of a rendered DruidIngestion (druid-operator: `nativeSpec` wins over the JSON string `spec`). */
  public static JsonNode nativeSpec(JsonNode ingestion) {
    return ingestion.path("spec").path("ingestion").path("nativeSpec");
  }

  /** dataSchema and ioConfig sit under `spec` or, in the flat form of Druid's docs, beside `type` (KafkaSupervisorSpec). */
  public static JsonNode parts(JsonNode nativeSpec) {
    return nativeSpec.has("spec") ? nativeSpec.path("spec") : nativeSpec;
  }

  /** The rendered DruidIngestions of `tenant` that read `topic`. */
  public static List<JsonNode> readersOf(Plan plan, String tenant, String topic) {
    return plan.all("DruidIngestion").stream()
        .filter(i -> tenant.equals(Plan.tenant(i)) && topic.equals(parts(nativeSpec(i)).path("ioConfig").path("topic").asText()))
        .toList();
  }

  /** Every record (Kafka values) parsed with the ingestion's spec; one answer per record, in order. */
  public List<Parsed> parse(JsonNode ingestion, List<String> records) throws IOException, InterruptedException {
    Path dir = Files.createDirectories(work.resolve(Plan.name(ingestion) + "-" + (++runs)));
    Path spec = dir.resolve("spec.json");
    Path in = dir.resolve("records.json");
    Path out = dir.resolve("parsed.json");
    Path log = dir.resolve("record-check.log");
    Plan.JSON.writeValue(spec.toFile(), nativeSpec(ingestion));
    Plan.JSON.writeValue(in.toFile(), records);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", classpath, "io.analyticsplatform.druidcheck.RecordCheck", spec.toString(), in.toString(), out.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("Druid's RecordCheck did not finish within 120 s");
    }
    if (p.exitValue() != 0) throw new IOException("Druid's RecordCheck failed: " + Logs.tail(log));
    List<Parsed> parsed = new ArrayList<>();
    for (JsonNode r : Plan.JSON.readTree(out.toFile())) {
      JsonNode rows = r.path("rows");
      if (r.hasNonNull("error")) {
        parsed.add(new Parsed(null, r.path("error").asText()));
      } else if (rows.size() != 1) {
        parsed.add(new Parsed(null, rows.isEmpty() ? "no row: dropped by the spec's transformSpec" : rows.size() + " rows from one record"));
      } else {
        parsed.add(new Parsed(Instant.parse(rows.get(0).path("timestamp").asText()), null));
      }
    }
    if (parsed.size() != records.size()) throw new IOException("Druid's RecordCheck answered " + parsed.size() + " of " + records.size() + " records");
    return parsed;
  }
}
