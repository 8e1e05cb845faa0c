package io.analyticsplatform.sqlrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlaceholdersTest {
  @Test
  void fillsFromTheEnvironmentEscapingForTheLiteralItLandsIn() throws ScriptException {
    String script = "-- logs in as ${KAFKA_USERNAME}\n'properties.sasl.jaas.config' = 'Login required username=\"${KAFKA_USERNAME}\" password=\"${KAFKA_PASSWORD}\";'";
    Placeholders.Filled f = Placeholders.fill(script, Map.of("KAFKA_USERNAME", "tenant-acme", "KAFKA_PASSWORD", "it's"));
    assertEquals("-- logs in as ${KAFKA_USERNAME}\n'properties.sasl.jaas.config' = 'Login required username=\"tenant-acme\" password=\"it''s\";'", f.text());
    assertEquals(Map.of("KAFKA_USERNAME", "tenant-acme", "KAFKA_PASSWORD", "it's"), f.used());
  }

  @Test
  void everyUnsetNameIsAnErrorAtItsLine() {
    ScriptException e = assertThrows(ScriptException.class, () -> Placeholders.fill("SELECT '${A}';\n\nSELECT '${B}', ${A}", Map.of()));
    assertEquals(List.of(
        new ScriptException.Problem(1, "${A} is not set in the environment"),
        new ScriptException.Problem(3, "${B} is not set in the environment"),
        new ScriptException.Problem(3, "${A} is not set in the environment")), e.problems());
  }

  @Test
  void aValueOverSeveralLinesWouldMoveEveryLineAfterIt() {
    ScriptException e = assertThrows(ScriptException.class, () -> Placeholders.fill("\n'${X}'", Map.of("X", "a\nb")));
    assertEquals(List.of(new ScriptException.Problem(2, "the value of ${X} spans several lines")), e.problems());
  }

  @Test
  void filledValuesAreMaskedInMessages() throws ScriptException {
    SqlScript s = SqlScript.load("job.sql", "INSERT INTO t SELECT '${KAFKA_PASSWORD}'", Map.of("KAFKA_PASSWORD", "s3cr3t-value"));
    assertEquals("bad option password=${KAFKA_PASSWORD}", s.mask("bad option password=s3cr3t-value"));
  }
}
