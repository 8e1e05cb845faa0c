-- PII masking: the tenant's events with each field its data contract declares PII hashed (PII_HASH, keyed by
-- the tenant's salt) or dropped, every other field as it came, into <tenant>.events-masked. The tenant's Druid
-- supervisors and lake job read that topic in place of events, so personal data is masked before it leaves
-- Kafka; the raw topic stays under the tenant's own ACLs. A record that is not a JSON object cannot be masked
-- and is left out: the DLQ router has it. Read as bytes, so fields no job declares pass through unchanged.
CREATE TABLE raw_events (
  payload STRING
) WITH (
  ${KAFKA_SOURCE},
  'topic' = '${TOPIC_PREFIX}events',
  'format' = 'raw'
);

CREATE TABLE masked_events (
  payload STRING
) WITH (
  ${KAFKA_EXACTLY_ONCE_SINK},
  'topic' = '${TOPIC_PREFIX}events-masked',
  'format' = 'raw'
);

INSERT INTO masked_events
SELECT masked
FROM (SELECT PII_MASK_JSON(payload, '${PII_FIELDS}') AS masked FROM raw_events)
WHERE masked IS NOT NULL;
