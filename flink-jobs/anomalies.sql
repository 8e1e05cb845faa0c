-- Anomaly detection: entities with more than ${ANOMALY_THRESHOLD} events in a 5-minute window
-- (hopping every minute, so a burst is reported within a minute of crossing the threshold).
CREATE TABLE events (
  event_id STRING,
  event_type STRING,
  entity_id STRING,
  event_time TIMESTAMP(3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  ${KAFKA_SOURCE},
  'topic' = '${TOPIC_PREFIX}events',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

CREATE TABLE anomalies (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  entity_id STRING,
  event_count BIGINT,
  threshold BIGINT
) WITH (
  ${KAFKA_EXACTLY_ONCE_SINK},
  'topic' = '${TOPIC_PREFIX}anomalies',
  'format' = 'json'
);

INSERT INTO anomalies
SELECT window_start, window_end, entity_id, COUNT(*) AS event_count, CAST(${ANOMALY_THRESHOLD} AS BIGINT) AS threshold
FROM TABLE(HOP(TABLE events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
GROUP BY window_start, window_end, entity_id
HAVING COUNT(*) > ${ANOMALY_THRESHOLD};
