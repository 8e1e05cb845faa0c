-- A table derived from another with LIKE: its columns and watermark, options of its own.
CREATE TABLE orders (
  id BIGINT,
  amount DOUBLE,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (
  'connector' = 'datagen',
  'number-of-rows' = '20'
);

CREATE TABLE orders_copy WITH (
  'connector' = 'blackhole'
) LIKE orders (EXCLUDING OPTIONS);

INSERT INTO orders_copy SELECT * FROM orders;
