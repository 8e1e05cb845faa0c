CREATE TABLE events (
  id STRING,
  ts TIMESTAMP(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'events',
  'properties.bootstrap.servers' = 'localhost:9092',
  'scan.startup.mode' = 'from-the-very-start',
  'format' = 'json'
);

CREATE TABLE sink (id STRING) WITH ('connector' = 'blackhole');

INSERT INTO sink
SELECT idd
FROM events;

INSERT INTO sink SELECT id FROM events WHERE;
