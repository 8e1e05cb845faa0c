-- Dead-letter routing: events that are not JSON, or lack a required field, go to the tenant's DLQ with
-- the reason, so producers can fix them and nothing is dropped silently. JSON_VALUE yields NULL for a
-- payload that is not JSON, so one test per required field covers both cases.
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
  'format' = 'json'
);

INSERT INTO dlq
SELECT payload,
  CASE
    WHEN JSON_VALUE(payload, '$.event_id') IS NULL THEN 'not JSON or missing event_id'
    WHEN JSON_VALUE(payload, '$.event_type') IS NULL THEN 'missing event_type'
    ELSE 'missing event_time'
  END AS reason,
  kafka_partition,
  kafka_offset
FROM raw_events
WHERE JSON_VALUE(payload, '$.event_id') IS NULL
  OR JSON_VALUE(payload, '$.event_type') IS NULL
  OR JSON_VALUE(payload, '$.event_time') IS NULL;
