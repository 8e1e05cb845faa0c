package io.analyticsplatform.sqlrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.junit.jupiter.api.Test;

/** The runner against Flink's own planner and connector factories. */
class ScriptExecutorTest {
  private static SqlScript script(String resource) throws IOException, ScriptException {
    try (InputStream in = ScriptExecutorTest.class.getResourceAsStream("/scripts/" + resource)) {
      return SqlScript.load(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of());
    }
  }

  private static TableEnvironment tEnv() {
    return TableEnvironment.create(EnvironmentSettings.inStreamingMode());
  }

  @Test
  void plansCreateTableLike() throws Exception {
    String plan = ScriptExecutor.plan(tEnv(), script("like.sql")).explain();
    assertTrue(plan.contains("orders_copy"), plan);
  }

  @Test
  void aStatementSetAfterBlockCommentsRunsAsOneJob() throws Exception {
    TableResult result = ScriptExecutor.run(tEnv(), script("statement-set.sql"));
    JobClient job = result.getJobClient().orElseThrow();
    assertTrue(job.getJobID() != null);
    result.await();
    String plan = ScriptExecutor.plan(tEnv(), script("statement-set.sql")).explain();
    assertTrue(plan.contains("by_user") && plan.contains("all_clicks"), plan);
  }

  @Test
  void reportsEveryErrorAtItsLineInTheScript() {
    ScriptException e = assertThrows(ScriptException.class, () -> ScriptExecutor.plan(tEnv(), script("errors.sql")));
    List<Integer> lines = e.problems().stream().map(ScriptException.Problem::line).toList();
    assertEquals(List.of(15, 18), lines, e.format("errors.sql"));
    assertTrue(e.problems().get(0).message().contains("'idd'"), e.format("errors.sql"));
  }

  @Test
  void aConnectorOptionTheFactoryRefusesIsReportedAtItsTable() {
    ScriptException e = assertThrows(ScriptException.class, () -> ScriptExecutor.plan(tEnv(),
        SqlScript.load("bad.sql", "CREATE TABLE sink (id STRING) WITH ('connector' = 'blackhole');\n"
            + "\nCREATE TABLE events (id STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = 'b:1',\n"
            + " 'scan.startup.mode' = 'from-the-very-start', 'format' = 'json');\nINSERT INTO sink SELECT id FROM events;", Map.of())));
    assertEquals(3, e.problems().get(0).line(), e.format("bad.sql"));
    assertTrue(e.problems().get(0).message().contains("scan.startup.mode"), e.format("bad.sql"));
  }

  @Test
  void aScriptWithoutInsertIsNotAJob() {
    ScriptException e = assertThrows(ScriptException.class, () -> ScriptExecutor.plan(tEnv(), SqlScript.load("ddl.sql", "CREATE TABLE t (a INT) WITH ('connector' = 'blackhole');", Map.of())));
    assertEquals(List.of(new ScriptException.Problem(1, "the script has no INSERT: a job writes somewhere")), e.problems());
  }
}
