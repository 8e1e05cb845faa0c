-- Dead-letter routing: every record of the tenant's events topic that the other jobs leave out — not JSON,
-- missing event_id, event_type or event_time, or an event_time that is not ISO-8601 UTC — goes to the
-- tenant's DLQ with the reason, so producers can fix them and nothing is dropped silently. JSON_VALUE yields
-- NULL for a payload that is not JSON. The event_time test is the JSON format's own (TIMESTAMP_LTZ in
-- ISO-8601 mode: yyyy-MM-ddTHH:mm[:ss[.fraction]]Z, a real date and time).
CREATE TABLE raw_events (
  payload STRING,
  kafka_offset BIGINT METADATA FROM 'offset' VIRTUAL,
  kafka_partition INT METADATA FROM 'partition' VIRTUAL
) WITH (
  ${KAFKA_SOURCE},
  'topic' = '${TOPIC_PREFIX}events',
  'format' = 'raw'
);

CREATE TABLE dlq (
  payload STRING,
  reason STRING,
  source_partition INT,
  source_offset BIGINT
) WITH (
  ${KAFKA_EXACTLY_ONCE_SINK},
  'topic' = '${TOPIC_PREFIX}dlq',
  ${JSON_FORMAT}
);

CREATE TEMPORARY VIEW checked AS
SELECT payload, kafka_partition, kafka_offset,
  CASE
    WHEN JSON_VALUE(payload, '$.event_id') IS NULL THEN 'not JSON or missing event_id'
    WHEN JSON_VALUE(payload, '$.event_type') IS NULL THEN 'missing event_type'
    WHEN JSON_VALUE(payload, '$.event_time') IS NULL THEN 'missing event_time'
    WHEN NOT REGEXP(JSON_VALUE(payload, '$.event_time'), '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?Z$')
      OR TRY_CAST(REPLACE(REPLACE(JSON_VALUE(payload, '$.event_time'), 'T', ' '), 'Z', '') AS TIMESTAMP(3)) IS NULL
      THEN 'event_time is not ISO-8601 UTC (yyyy-MM-ddTHH:mm:ss.SSSZ)'
  END AS reason
FROM raw_events;

INSERT INTO dlq
SELECT payload, reason, kafka_partition, kafka_offset
FROM checked
WHERE reason IS NOT NULL;
