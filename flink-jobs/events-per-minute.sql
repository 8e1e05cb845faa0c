-- Events per minute by event type: a 1-minute tumbling window over the tenant's events.
CREATE TABLE events (
  event_id STRING,
  event_type STRING,
  entity_id STRING,
  event_time TIMESTAMP(3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${TOPIC_PREFIX}events',
  ${KAFKA_CONNECTION},
  'properties.group.id' = '${CONSUMER_GROUP}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

CREATE TABLE events_per_minute (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  event_type STRING,
  event_count BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = '${TOPIC_PREFIX}events-per-minute',
  ${KAFKA_CONNECTION},
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = '${TRANSACTIONAL_ID_PREFIX}',
  'format' = 'json'
);

INSERT INTO events_per_minute
SELECT window_start, window_end, event_type, COUNT(*) AS event_count
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, event_type;
