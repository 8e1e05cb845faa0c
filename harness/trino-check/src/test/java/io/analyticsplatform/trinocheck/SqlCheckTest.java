package io.analyticsplatform.trinocheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlCheckTest {
  @Test
  void acceptsTableProceduresAndDeletes() {
    String sql = "DELETE FROM lake.acme.events WHERE event_date < '2026-01-01';\n"
        + "ALTER TABLE lake.acme.events EXECUTE expire_snapshots(retention_threshold => '7d');\n";
    assertEquals(List.of(), SqlCheck.problems("f.sql", sql));
  }

  @Test
  void placesAParseErrorInTheFile() {
    List<String> problems = SqlCheck.problems("f.sql", "SELECT 1;\nALTER TABLE t EXECUTE (x => 1);\n");
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).startsWith("f.sql:2:"), problems.get(0));
  }

  @Test
  void refusesAnUnterminatedStatement() {
    assertTrue(SqlCheck.problems("f.sql", "SELECT 1;\nSELECT 2").stream().anyMatch(p -> p.contains("unterminated")));
  }
}
