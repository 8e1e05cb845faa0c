-- Events per minute by event type: a 1-minute tumbling window over the tenant's well-formed events.
-- Events that are not JSON, miss a field or carry a bad event_time are left out here and routed to the
-- tenant's DLQ by dlq-router (window operators refuse NULL rowtimes).
CREATE TABLE events (
  event_id STRING,
  event_type STRING,
  entity_id STRING,
  event_time TIMESTAMP_LTZ(3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  ${KAFKA_SOURCE},
  'topic' = '${TOPIC_PREFIX}events',
  ${EVENTS_FORMAT}
);

CREATE TEMPORARY VIEW valid_events AS
SELECT * FROM events
WHERE event_id IS NOT NULL AND event_type IS NOT NULL AND event_time IS NOT NULL;

CREATE TABLE events_per_minute (
  window_start TIMESTAMP_LTZ(3),
  window_end TIMESTAMP_LTZ(3),
  event_type STRING,
  event_count BIGINT
) WITH (
  ${KAFKA_EXACTLY_ONCE_SINK},
  'topic' = '${TOPIC_PREFIX}events-per-minute',
  ${JSON_FORMAT}
);

INSERT INTO events_per_minute
SELECT CAST(window_start AS TIMESTAMP_LTZ(3)), CAST(window_end AS TIMESTAMP_LTZ(3)), event_type, COUNT(*) AS event_count
FROM TABLE(TUMBLE(TABLE valid_events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, event_type;
