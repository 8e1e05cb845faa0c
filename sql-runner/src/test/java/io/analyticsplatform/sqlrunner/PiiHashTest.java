package io.analyticsplatform.sqlrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * PII_HASH on Flink's own planner and a local cluster. The build runs these tests with PII_SALT=Jefe, the key
 * of RFC 4231's HMAC-SHA256 test case 2, whose digest is published there.
 */
class PiiHashTest {
  private static final String RFC4231_CASE2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

  @Test
  void everyScriptCanHashAndTheHashIsTheSaltedSha256OfRfc4231() throws Exception {
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    ScriptExecutor.plan(tEnv, SqlScript.load("masked.sql",
        "CREATE TABLE sink (h STRING) WITH ('connector' = 'blackhole');\nINSERT INTO sink SELECT PII_HASH('x');", Map.of()));
    List<String> out = new ArrayList<>();
    try (CloseableIterator<Row> rows = tEnv.executeSql(
        "SELECT PII_HASH(v) FROM (VALUES ('what do ya want for nothing?'), (CAST(NULL AS STRING))) AS t(v)").collect()) {
      rows.forEachRemaining(r -> out.add((String) r.getField(0)));
    }
    assertEquals(Arrays.asList(RFC4231_CASE2, null), out);
  }

  @Test
  void aJsonRecordKeepsEveryFieldButItsPersonalData() throws Exception {
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    PiiHash.register(tEnv);
    List<String> out = new ArrayList<>();
    try (CloseableIterator<Row> rows = tEnv.executeSql("SELECT PII_MASK_JSON(v, 'entity_id:hash,referrer:drop,ip:hash') FROM (VALUES "
        + "('{\"event_id\":\"e1\",\"entity_id\":\"what do ya want for nothing?\",\"referrer\":\"r\",\"extra\":{\"n\":1},\"ip\":null}'), "
        + "('{\"event_id\":\"e2\"}'), ('not json'), ('[1]'), (CAST(NULL AS STRING))) AS t(v)").collect()) {
      rows.forEachRemaining(r -> out.add((String) r.getField(0)));
    }
    // Rows come from parallel subtasks in any order.
    out.sort(Comparator.nullsFirst(Comparator.naturalOrder()));
    assertEquals(Arrays.asList(null, null, null,
        "{\"event_id\":\"e1\",\"entity_id\":\"" + RFC4231_CASE2 + "\",\"extra\":{\"n\":1},\"ip\":null}",
        "{\"event_id\":\"e2\"}"), out);
  }

  @Test
  void aFieldListThatIsNotTheContractsFormIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PiiMask.fields("entity_id:hash,referrer:mask"));
    assertTrue(e.getMessage().contains("'referrer:mask'"), e.getMessage());
    assertEquals(Map.of("a", "hash", "b", "drop"), PiiMask.fields("a:hash, b:drop"));
  }

  @Test
  void aJobWithoutTheTenantsSaltDoesNotStart() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> PiiHash.salt(Map.of()));
    assertTrue(e.getMessage().contains("PII_SALT"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> PiiHash.salt(Map.of("PII_SALT", "")));
    assertEquals("s", PiiHash.salt(Map.of("PII_SALT", "s")));
  }

  @Test
  void registeringTwiceIsHarmless() {
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    PiiHash.register(tEnv);
    PiiHash.register(tEnv);
    assertTrue(Arrays.stream(tEnv.listUserDefinedFunctions()).anyMatch("pii_hash"::equalsIgnoreCase));
  }
}
