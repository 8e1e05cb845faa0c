-- Continuous lake ingestion: the tenant's events into the Iceberg table <schema>.events, partitioned by day.
-- Iceberg commits on every checkpoint, so with exactly-once checkpoints each event lands exactly once. It reads
-- the events as served: their masked copy when the tenant's contract declares PII on them.
CREATE TABLE events (
  event_id STRING,
  event_type STRING,
  entity_id STRING,
  event_time TIMESTAMP_LTZ(3)
) WITH (
  ${KAFKA_SOURCE},
  'topic' = '${LAKE_SOURCE_TOPIC}',
  ${EVENTS_FORMAT}
);

CREATE CATALOG lake WITH (${LAKE_CATALOG_OPTIONS});

-- The tenant's namespace keeps its tables under its own prefix of the warehouse.
CREATE DATABASE IF NOT EXISTS lake.${LAKE_SCHEMA} WITH ('location' = '${LAKE_LOCATION}');

CREATE TABLE IF NOT EXISTS lake.${LAKE_SCHEMA}.events (
  event_id STRING,
  event_type STRING,
  entity_id STRING,
  event_time TIMESTAMP_LTZ(3),
  event_date STRING
) PARTITIONED BY (event_date) WITH (
  'format-version' = '2',
  'write.format.default' = 'parquet',
  'history.expire.max-snapshot-age-ms' = '${LAKE_SNAPSHOT_MAX_AGE_MS}'
);

-- Bad events go to the DLQ (dlq-router), not into the lake.
INSERT INTO lake.${LAKE_SCHEMA}.events
SELECT event_id, event_type, entity_id, event_time, DATE_FORMAT(event_time, 'yyyy-MM-dd') AS event_date
FROM events
WHERE event_id IS NOT NULL AND event_type IS NOT NULL AND event_time IS NOT NULL;
