package io.analyticsplatform.harness.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a shipped job must have written, computed by the test itself from the events it wrote (never read
 * back from the job): each output row under a key that must occur once. `canonical` turns a written row into
 * the same key and value, noting timestamps that are not ISO-8601 UTC.
 */
public interface JobOracle {
  /** The rows due once the sources have read everything written so far. */
  Map<String, String> expected(Scenario s);

  /** A written row as key → value; a format problem is added to `problems`. Null: a row not judged. */
  Map.Entry<String, String> canonical(JsonNode row, List<String> problems);

  /** Differences between the rows due and those written; by default each key must occur once (compare). */
  default List<String> differences(Scenario s, List<Map.Entry<String, String>> actual) {
    return compare(expected(s), actual);
  }

  /** The oracle of a shipped job, or null for a job verify has no reference for. */
  static JobOracle of(String job) {
    return switch (job) {
      case "events-per-minute" -> new EventsPerMinute();
      case "anomalies" -> new Anomalies();
      case "events-enriched" -> new Enriched();
      case "dlq-router" -> new DeadLetters();
      default -> null;
    };
  }

  /** Window start → true when the window [start, start + size) has fired at this watermark. */
  private static boolean fired(Instant start, Duration size, Instant watermark) {
    return !start.plus(size).isAfter(watermark);
  }

  private static Instant time(JsonNode row, String field, List<String> problems) {
    String text = row.path(field).asText(null);
    if (text == null) return null;
    if (Json.parseIso(text) == null) problems.add(field + " '" + text + "' is not ISO-8601 UTC");
    return Json.parseLenient(text);
  }

  /** 1-minute tumbling counts by event type of every on-time, well-formed event. */
  final class EventsPerMinute implements JobOracle {
    @Override
    public Map<String, String> expected(Scenario s) {
      Map<String, Long> counts = new TreeMap<>();
      for (SampleEvent e : s.written()) {
        Instant start = e.valid() && !e.late() ? e.time().truncatedTo(ChronoUnit.MINUTES) : null;
        if (start != null && fired(start, Duration.ofMinutes(1), s.watermark())) counts.merge(Json.iso(start) + " " + e.type(), 1L, Long::sum);
      }
      Map<String, String> out = new TreeMap<>();
      counts.forEach((k, n) -> out.put(k, "count " + n));
      return out;
    }

    @Override
    public Map.Entry<String, String> canonical(JsonNode row, List<String> problems) {
      Instant start = time(row, "window_start", problems);
      Instant end = time(row, "window_end", problems);
      if (start == null || end == null) return Map.entry("unreadable " + row, "");
      if (!end.equals(start.plus(Duration.ofMinutes(1)))) problems.add("window " + row + " is not one minute");
      return Map.entry(Json.iso(start) + " " + row.path("event_type").asText(), "count " + row.path("event_count").asLong());
    }
  }

  /** Entities with more than the threshold of events in a 5-minute window hopping by 1 minute. */
  final class Anomalies implements JobOracle {
    @Override
    public Map<String, String> expected(Scenario s) {
      Map<String, Long> counts = new TreeMap<>();
      for (SampleEvent e : s.written()) {
        if (!e.valid() || e.late()) continue;
        Instant last = e.time().truncatedTo(ChronoUnit.MINUTES);
        for (int k = 0; k < 5; k++) {
          Instant start = last.minus(Duration.ofMinutes(k));
          if (fired(start, Duration.ofMinutes(5), s.watermark())) counts.merge(Json.iso(start) + " " + e.entity(), 1L, Long::sum);
        }
      }
      Map<String, String> out = new TreeMap<>();
      counts.forEach((k, n) -> {
        if (n > s.anomalyThreshold()) out.put(k, "count " + n + " threshold " + s.anomalyThreshold());
      });
      return out;
    }

    @Override
    public Map.Entry<String, String> canonical(JsonNode row, List<String> problems) {
      Instant start = time(row, "window_start", problems);
      Instant end = time(row, "window_end", problems);
      if (start == null || end == null) return Map.entry("unreadable " + row, "");
      if (!end.equals(start.plus(Duration.ofMinutes(5)))) problems.add("window " + row + " is not five minutes");
      return Map.entry(Json.iso(start) + " " + row.path("entity_id").asText(), "count " + row.path("event_count").asLong() + " threshold " + row.path("threshold").asLong());
    }
  }

  /**
   * Every well-formed event up to the watermark, late ones too (a temporal join has no window to be late
   * for), with the reference version valid at its time: the latest updated_at not after it.
   */
  final class Enriched implements JobOracle {
    @Override
    public Map<String, String> expected(Scenario s) {
      Map<String, String> out = new TreeMap<>();
      for (SampleEvent e : s.written()) {
        if (!e.valid() || e.time().isAfter(s.watermark())) continue;
        Scenario.Reference version = null;
        for (Scenario.Reference r : s.references()) {
          if (r.entity().equals(e.entity()) && !r.updatedAt().isAfter(e.time()) && (version == null || r.updatedAt().isAfter(version.updatedAt()))) version = r;
        }
        out.put(e.id(), value(e.type(), e.entity(), version == null ? null : version.name(), version == null ? null : version.segment(), e.time()));
      }
      return out;
    }

    @Override
    public Map.Entry<String, String> canonical(JsonNode row, List<String> problems) {
      Instant t = time(row, "event_time", problems);
      return Map.entry(row.path("event_id").asText(), value(row.path("event_type").asText(), row.path("entity_id").asText(),
          row.path("entity_name").asText(null), row.path("segment").asText(null), t));
    }

    private static String value(String type, String entity, String name, String segment, Instant time) {
      return type + " " + entity + " " + name + " " + segment + " " + (time == null ? null : Json.iso(time));
    }
  }

  /** Exactly the records that are not well-formed events, each once, with a reason and where it came from. */
  final class DeadLetters implements JobOracle {
    @Override
    public Map<String, String> expected(Scenario s) {
      Map<String, String> out = new TreeMap<>();
      for (SampleEvent e : s.written()) if (!e.valid()) out.put(e.partition() + ":" + e.offset(), e.payload());
      return out;
    }

    @Override
    public Map.Entry<String, String> canonical(JsonNode row, List<String> problems) {
      if (row.path("reason").asText("").isBlank()) problems.add("dead letter without a reason: " + row);
      return Map.entry(row.path("source_partition").asInt() + ":" + row.path("source_offset").asLong(), row.path("payload").asText());
    }
  }

  /**
   * The masking job: every written record that is a JSON object, once, with each field the contract declares
   * `hash` replaced by the HMAC-SHA256 of its text keyed by the tenant's salt (lowercase hex; a nested value's
   * JSON text) and each `drop` field removed, every other field unchanged. Computed here with the JDK's HMAC
   * and Jackson from the events written, not from the runner's code. Heartbeats, written at every moment, are
   * left out on both sides: only the leak check judges them.
   */
  final class Masked implements JobOracle {
    /** The variable the tenant's salt reaches the job's pods by (model/contracts.ts DATA_CONTRACTS.saltKey). */
    public static final String SALT_ENV = "PII_SALT";
    private final byte[] salt;
    private final Map<String, String> pii;
    private final Scenario scenario;

    public Masked(String salt, Map<String, String> pii, Scenario scenario) {
      this.salt = salt.getBytes(StandardCharsets.UTF_8);
      this.pii = Map.copyOf(pii);
      this.scenario = scenario;
    }

    @Override
    public Map<String, String> expected(Scenario s) {
      Map<String, String> out = new TreeMap<>();
      due(s).keySet().forEach(k -> out.put(k, ""));
      return out;
    }

    /** A record written twice (the same bad event in two phases) is masked twice: rows are counted, not keyed once. */
    @Override
    public List<String> differences(Scenario s, List<Map.Entry<String, String>> actual) {
      Map<String, Long> due = due(s);
      Map<String, Long> got = new TreeMap<>();
      actual.forEach(e -> got.merge(e.getKey(), 1L, Long::sum));
      List<String> out = new ArrayList<>();
      for (String k : got.keySet()) {
        long d = due.getOrDefault(k, 0L);
        long g = got.get(k);
        if (d == 0) out.add("unexpected ×" + g + ": " + k);
        else if (g > d) out.add("duplicated: " + k + " written " + g + " times, due " + d);
      }
      due.forEach((k, d) -> {
        if (got.getOrDefault(k, 0L) < d) out.add("missing ×" + (d - got.getOrDefault(k, 0L)) + ": " + k);
      });
      return out;
    }

    private Map<String, Long> due(Scenario s) {
      Map<String, Long> out = new TreeMap<>();
      for (SampleEvent e : s.written()) {
        if (s.heartbeat(e.id())) continue;
        JsonNode masked = mask(Json.read(e.payload()));
        if (masked != null) out.merge(masked.toString(), 1L, Long::sum);
      }
      return out;
    }

    @Override
    public Map.Entry<String, String> canonical(JsonNode row, List<String> problems) {
      return scenario.heartbeat(row.path("event_id").asText("")) ? null : Map.entry(row.toString(), "");
    }

    /** The original values of the declared fields among the records written: none may appear in the output. */
    public List<String> leaks(List<String> output, Scenario s) {
      java.util.Set<String> originals = new java.util.TreeSet<>();
      for (SampleEvent e : s.written()) {
        if (Json.read(e.payload()) instanceof ObjectNode o) pii.keySet().forEach(f -> { if (o.hasNonNull(f)) originals.add(o.get(f).toString()); });
      }
      return output.stream().filter(v -> originals.stream().anyMatch(v::contains)).toList();
    }

    private JsonNode mask(JsonNode record) {
      if (!(record instanceof ObjectNode o)) return null;
      ObjectNode copy = o.deepCopy();
      for (Map.Entry<String, String> f : pii.entrySet()) {
        JsonNode v = copy.get(f.getKey());
        if (v == null) continue;
        if (f.getValue().equals("drop")) copy.remove(f.getKey());
        else if (!v.isNull()) copy.put(f.getKey(), hmac(v.isValueNode() ? v.asText() : v.toString()));
      }
      return copy;
    }

    private String hmac(String value) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Differences between what was written and what was due: duplicates, missing, unexpected and wrong rows. */
  static List<String> compare(Map<String, String> expected, List<Map.Entry<String, String>> actual) {
    Map<String, List<String>> byKey = new TreeMap<>();
    for (var e : actual) byKey.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
    List<String> out = new ArrayList<>();
    for (var e : byKey.entrySet()) {
      if (e.getValue().size() > 1) out.add("duplicated ×" + e.getValue().size() + ": " + e.getKey());
      if (!expected.containsKey(e.getKey())) out.add("unexpected: " + e.getKey() + " = " + e.getValue().get(0));
      else if (!expected.get(e.getKey()).equals(e.getValue().get(0))) out.add("wrong: " + e.getKey() + " = " + e.getValue().get(0) + ", due " + expected.get(e.getKey()));
    }
    for (var e : expected.entrySet()) if (!byKey.containsKey(e.getKey())) out.add("missing: " + e.getKey() + " = " + e.getValue());
    return out;
  }
}
