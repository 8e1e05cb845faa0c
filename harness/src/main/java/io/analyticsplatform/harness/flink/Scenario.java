package io.analyticsplatform.harness.flink;

import io.analyticsplatform.harness.kafka.TenantClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The sample events of one tenant, written with the tenant's own credentials in phases, and what is known of
 * them: every record's partition and offset, and the watermark every job's source reaches after each phase
 * (all active partitions get an event past the windows to close; one partition is left idle throughout).
 * Event times start at a fixed minute; the producer's record timestamps are the wall clock, as in production.
 * A heartbeat (see {@link #keepAlive}) keeps every active partition read while the phases run.
 */
public final class Scenario implements AutoCloseable {
  public static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
  /** The sources' watermark delay in the shipped jobs: `WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND`. */
  static final Duration WATERMARK_DELAY = Duration.ofSeconds(5);
  static final List<String> TYPES = List.of("click", "view", "purchase");
  static final List<String> ENTITIES = List.of("e1", "e2", "e3", "e4", "e5", "e6");

  /** One version of a reference record (compacted topic, keyed by entity_id). */
  public record Reference(String entity, String name, String segment, Instant updatedAt) {
    String json() {
      return "{\"entity_id\":\"" + entity + "\",\"entity_name\":\"" + name + "\",\"segment\":\"" + segment + "\",\"updated_at\":\"" + Json.iso(updatedAt) + "\"}";
    }
  }

  private final TenantClient tenant;
  private final String eventsTopic;
  private final int partitions;
  private final int anomalyThreshold;
  private final Random random;
  private final List<SampleEvent> written = new ArrayList<>();
  /** Ids of the heartbeat events: written at any moment, so a job that passes every record on is never judged on them. */
  private final java.util.Set<String> heartbeats = new java.util.HashSet<>();
  private final List<Reference> references = new ArrayList<>();
  private Instant watermark = Instant.EPOCH;
  private int next;
  private KafkaProducer<String, String> producer;

  public Scenario(TenantClient tenant, String eventsTopic, int partitions, int anomalyThreshold) {
    this.tenant = tenant;
    this.eventsTopic = eventsTopic;
    this.partitions = partitions;
    this.anomalyThreshold = anomalyThreshold;
    this.random = new Random(tenant.tenant().hashCode());
  }

  public TenantClient tenant() {
    return tenant;
  }

  public String eventsTopic() {
    return eventsTopic;
  }

  /** The last partition gets no event at all: without an idle timeout it holds every watermark back. */
  public int idlePartition() {
    return partitions > 1 ? partitions - 1 : -1;
  }

  public synchronized List<SampleEvent> written() {
    return List.copyOf(written);
  }

  public synchronized List<Reference> references() {
    return List.copyOf(references);
  }

  /** The watermark of the events' sources once they have read everything written so far. */
  public synchronized Instant watermark() {
    return watermark;
  }

  public int anomalyThreshold() {
    return anomalyThreshold;
  }

  /** Reference records: a first version of every entity before all events, a second of e1 mid-stream. */
  public synchronized void writeReferences(String topic) throws Exception {
    List<Reference> refs = new ArrayList<>();
    for (String e : ENTITIES) refs.add(new Reference(e, "Entity " + e, "segment-a", T0.minus(Duration.ofHours(1))));
    refs.add(new Reference("e1", "Entity e1 (renamed)", "segment-b", T0.plus(Duration.ofSeconds(150))));
    for (Reference r : refs) producer().send(new ProducerRecord<>(topic, 0, r.entity(), r.json())).get(30, TimeUnit.SECONDS);
    references.addAll(refs);
  }

  /**
   * Minute `minute` (0–3) of the first phase: well-formed events on every active partition; in minute 0 also
   * malformed events, events missing a field and events with bad timestamps; in minute 1 a burst of
   * threshold+1 events of one entity; in minute 2 exactly threshold events of another (anomalies fire above,
   * not at, the threshold). {@link #closeMinutesBefore} then closes minutes 0–3.
   */
  public synchronized void phase1(int minute) throws Exception {
    List<SampleEvent> events = new ArrayList<>(regular(minute, 3));
    if (minute == 0) events.addAll(invalid());
    if (minute == 1) for (int i = 0; i <= anomalyThreshold; i++) events.add(valid("burst", T0.plusSeconds(60 + (i % 55))));
    if (minute == 2) for (int i = 0; i < anomalyThreshold; i++) events.add(valid("edge", T0.plusSeconds(120 + (i % 55))));
    write(events);
  }

  /** Events for minute 1, written after its windows fired: late for every window, valid otherwise. */
  public synchronized void late() throws Exception {
    List<SampleEvent> events = new ArrayList<>();
    // Not e1: its first version is cleaned from the join state once the second is behind the watermark.
    for (int p : activePartitions()) events.add(late(valid(ENTITIES.get(1 + p % (ENTITIES.size() - 1)), T0.plusSeconds(61 + p))));
    write(events);
  }

  /** Minute `minute` (5–7) of the third phase, malformed events in minute 5; nothing past 7: its window stays open. */
  public synchronized void phase3(int minute) throws Exception {
    List<SampleEvent> events = new ArrayList<>(regular(minute, 2));
    if (minute == 5) events.addAll(invalid());
    write(events);
  }

  /** An event at `minute`:10 on every active partition: closes the minutes before it (past the 5 s watermark delay). */
  public synchronized void closeMinutesBefore(int minute) throws Exception {
    write(advance(Duration.ofSeconds(60L * minute + 10)));
  }

  /**
   * One event on every active partition at the latest time written so far: neither late nor moving the
   * watermark. Traffic in production is continuous; the harness calls this every few seconds, well within
   * the sources' idle timeout. A split that has gone idle and resumes does not hold the watermark back until
   * it has read again, so records other splits of the same reader read first would make its records late.
   */
  public synchronized void keepAlive() throws Exception {
    Instant latest = T0;
    for (SampleEvent e : written) if (e.valid() && e.time().isAfter(latest)) latest = e.time();
    List<SampleEvent> events = new ArrayList<>();
    for (int p : activePartitions()) events.add(valid(ENTITIES.get(1 + p % (ENTITIES.size() - 1)), latest).at(p, -1));
    events.forEach(e -> heartbeats.add(e.id()));
    write(events);
  }

  public synchronized boolean heartbeat(String id) {
    return heartbeats.contains(id);
  }

  private List<SampleEvent> regular(int minute, int perPartition) {
    List<SampleEvent> events = new ArrayList<>();
    for (int p : activePartitions()) {
      for (int i = 0; i < perPartition; i++) {
        events.add(valid(ENTITIES.get(random.nextInt(ENTITIES.size())), T0.plusSeconds(60L * minute + random.nextInt(60))));
      }
    }
    return events;
  }

  private List<SampleEvent> advance(Duration at) {
    List<SampleEvent> events = new ArrayList<>();
    for (int p : activePartitions()) events.add(valid("e2", T0.plus(at)).at(p, -1));
    return events;
  }

  private List<SampleEvent> invalid() {
    List<SampleEvent> out = new ArrayList<>();
    String id = nextId();
    out.add(new SampleEvent(SampleEvent.Kind.MALFORMED, id, null, null, null, "not json {" + id, false, -1, -1));
    out.add(new SampleEvent(SampleEvent.Kind.MALFORMED, id, null, null, null, "{\"event_id\":\"" + id + "\",\"event_type\":", false, -1, -1));
    String t = Json.iso(T0.plusSeconds(30));
    out.add(new SampleEvent(SampleEvent.Kind.MISSING_FIELD, nextId(), null, null, null, "{\"event_type\":\"click\",\"entity_id\":\"e1\",\"event_time\":\"" + t + "\"}", false, -1, -1));
    out.add(new SampleEvent(SampleEvent.Kind.MISSING_FIELD, nextId(), null, null, null, "{\"event_id\":\"" + nextId() + "\",\"entity_id\":\"e1\",\"event_time\":\"" + t + "\"}", false, -1, -1));
    out.add(new SampleEvent(SampleEvent.Kind.MISSING_FIELD, nextId(), null, null, null, "{\"event_id\":\"" + nextId() + "\",\"event_type\":\"click\",\"entity_id\":\"e1\"}", false, -1, -1));
    // The last two denote T0 + 30 s (SQL style without a zone; epoch milliseconds): a reader may take them so.
    Map<String, Instant> denotes = Map.of("2026-06-01 12:00:30.000", T0.plusSeconds(30), "1780315230000", T0.plusSeconds(30));
    for (String bad : List.of("yesterday", "2026-13-45T99:00:00Z", "2026-06-01 12:00:30.000", "1780315230000")) {
      String bid = nextId();
      out.add(new SampleEvent(SampleEvent.Kind.BAD_TIMESTAMP, bid, null, null, denotes.get(bad),
          "{\"event_id\":\"" + bid + "\",\"event_type\":\"click\",\"entity_id\":\"e1\",\"event_time\":\"" + bad + "\"}", false, -1, -1));
    }
    return out;
  }

  private SampleEvent valid(String entity, Instant time) {
    String id = nextId();
    String type = TYPES.get(random.nextInt(TYPES.size()));
    String payload = "{\"event_id\":\"" + id + "\",\"event_type\":\"" + type + "\",\"entity_id\":\"" + entity + "\",\"event_time\":\"" + Json.iso(time) + "\"}";
    return new SampleEvent(SampleEvent.Kind.VALID, id, type, entity, time, payload, false, -1, -1);
  }

  private static SampleEvent late(SampleEvent e) {
    return new SampleEvent(e.kind(), e.id(), e.type(), e.entity(), e.time(), e.payload(), true, e.partition(), e.offset());
  }

  private String nextId() {
    return tenant.tenant() + "-" + (next++);
  }

  private List<Integer> activePartitions() {
    List<Integer> out = new ArrayList<>();
    for (int p = 0; p < partitions; p++) if (p != idlePartition()) out.add(p);
    return out;
  }

  /**
   * Writes events in event-time order, so each partition is in order: disorder beyond the sources' 5 s
   * watermark delay would make the test's own events late. Bad records (no time) go first.
   */
  private synchronized void write(List<SampleEvent> unordered) throws Exception {
    List<SampleEvent> events = new ArrayList<>(unordered);
    events.sort(java.util.Comparator.comparing((SampleEvent e) -> e.time() == null ? Instant.MIN : e.time()));
    List<Integer> active = activePartitions();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    List<SampleEvent> placed = new ArrayList<>();
    KafkaProducer<String, String> p = producer();
    int i = 0;
    for (SampleEvent e : events) {
      int partition = e.partition() >= 0 ? e.partition() : active.get(i++ % active.size());
      placed.add(e.at(partition, -1));
      sent.add(p.send(new ProducerRecord<>(eventsTopic, partition, null, e.payload())));
    }
    p.flush();
    for (int j = 0; j < sent.size(); j++) {
      RecordMetadata m = sent.get(j).get(30, TimeUnit.SECONDS);
      written.add(placed.get(j).at(m.partition(), m.offset()));
    }
    // The sources' watermark: the smallest over active partitions of their latest event time, less the delay.
    Instant min = null;
    for (int partition : active) {
      Instant latest = Instant.EPOCH;
      for (SampleEvent e : written) if (e.valid() && e.partition() == partition && e.time().isAfter(latest)) latest = e.time();
      if (min == null || latest.isBefore(min)) min = latest;
    }
    watermark = min.minus(WATERMARK_DELAY);
  }

  private KafkaProducer<String, String> producer() {
    if (producer == null) producer = new KafkaProducer<>(tenant.with("acks", "all", "enable.idempotence", "true", "linger.ms", "5"), new StringSerializer(), new StringSerializer());
    return producer;
  }

  @Override
  public synchronized void close() {
    if (producer != null) producer.close(Duration.ofSeconds(10));
    producer = null;
  }
}
