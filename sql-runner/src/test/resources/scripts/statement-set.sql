/*
 * Two sinks fed by one job.
 */
/* A second comment; with a semicolon. */
CREATE TEMPORARY TABLE clicks (user_id INT, url STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '30');
CREATE TEMPORARY TABLE by_user (user_id INT, n BIGINT) WITH ('connector' = 'blackhole');
CREATE TEMPORARY TABLE all_clicks WITH ('connector' = 'blackhole') LIKE clicks (EXCLUDING ALL);

EXECUTE STATEMENT SET
BEGIN
  INSERT INTO by_user SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;
  INSERT INTO all_clicks SELECT * FROM clicks;
END;
