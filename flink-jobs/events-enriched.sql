-- Enrichment: each event joined with the version of its entity's reference record that was valid at the
-- event's time (temporal join). Reference records are kept in a compacted topic, read as upsert-kafka; it is
-- rarely written, so the sources' idle timeout keeps its watermark from holding the join back.
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

-- Bad events go to the DLQ (dlq-router); the join needs a rowtime on every row.
CREATE TEMPORARY VIEW valid_events AS
SELECT * FROM events
WHERE event_id IS NOT NULL AND event_type IS NOT NULL AND event_time IS NOT NULL;

CREATE TABLE reference (
  entity_id STRING,
  entity_name STRING,
  segment STRING,
  updated_at TIMESTAMP_LTZ(3),
  WATERMARK FOR updated_at AS updated_at - INTERVAL '5' SECOND,
  PRIMARY KEY (entity_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${TOPIC_PREFIX}reference',
  ${KAFKA_CONNECTION},
  'properties.group.id' = '${CONSUMER_GROUP}',
  'key.format' = 'raw',
  ${JSON_VALUE_FORMAT}
);

CREATE TABLE events_enriched (
  event_id STRING,
  event_type STRING,
  entity_id STRING,
  entity_name STRING,
  segment STRING,
  event_time TIMESTAMP_LTZ(3)
) WITH (
  ${KAFKA_EXACTLY_ONCE_SINK},
  'topic' = '${TOPIC_PREFIX}events-enriched',
  ${JSON_FORMAT}
);

INSERT INTO events_enriched
SELECT e.event_id, e.event_type, e.entity_id, r.entity_name, r.segment, e.event_time
FROM valid_events AS e
LEFT JOIN reference FOR SYSTEM_TIME AS OF e.event_time AS r
ON e.entity_id = r.entity_id;
