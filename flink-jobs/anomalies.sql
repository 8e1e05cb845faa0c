-- Anomaly detection: entities with more than ${ANOMALY_THRESHOLD} events in a 5-minute window
-- (hopping every minute, so a burst is reported within a minute of crossing the threshold).
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

-- Bad events go to the DLQ (dlq-router); window operators refuse NULL rowtimes.
CREATE TEMPORARY VIEW valid_events AS
SELECT * FROM events
WHERE event_id IS NOT NULL AND event_type IS NOT NULL AND event_time IS NOT NULL;

CREATE TABLE anomalies (
  window_start TIMESTAMP_LTZ(3),
  window_end TIMESTAMP_LTZ(3),
  entity_id STRING,
  event_count BIGINT,
  threshold BIGINT
) WITH (
  ${KAFKA_EXACTLY_ONCE_SINK},
  'topic' = '${TOPIC_PREFIX}anomalies',
  ${JSON_FORMAT}
);

INSERT INTO anomalies
SELECT CAST(window_start AS TIMESTAMP_LTZ(3)), CAST(window_end AS TIMESTAMP_LTZ(3)), entity_id, COUNT(*) AS event_count,
  CAST(${ANOMALY_THRESHOLD} AS BIGINT) AS threshold
FROM TABLE(HOP(TABLE valid_events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
GROUP BY window_start, window_end, entity_id
HAVING COUNT(*) > ${ANOMALY_THRESHOLD};
