package io.analyticsplatform.harness.flink;

import java.time.Instant;

/**
 * One record verify writes to a tenant's events topic, with what the test knows of it: whether it is a
 * well-formed event, and if so its fields; where it landed (partition, offset); and whether it was written
 * behind the watermark (late). `time`: the event time; for a bad timestamp, the instant its text denotes if
 * it denotes one (epoch milliseconds, SQL style without a zone), else null.
 */
public record SampleEvent(Kind kind, String id, String type, String entity, Instant time, String payload, boolean late, int partition, long offset) {
  public enum Kind {
    VALID,
    /** Not JSON at all. */
    MALFORMED,
    /** JSON without event_id, event_type or event_time. */
    MISSING_FIELD,
    /** event_time present but not an ISO-8601 UTC timestamp. */
    BAD_TIMESTAMP
  }

  public boolean valid() {
    return kind == Kind.VALID;
  }

  public SampleEvent at(int partition, long offset) {
    return new SampleEvent(kind, id, type, entity, time, payload, late, partition, offset);
  }
}
