package io.analyticsplatform.sqlrunner;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * Runs a script as one Flink job: every other statement (DDL, SET, USE…) is executed in order, then all
 * INSERTs — alone or in statement sets — are submitted together as one statement set. Each INSERT is planned
 * first, with the connectors' own factories, so a script that cannot run fails before anything is submitted,
 * with every problem at its line.
 */
public final class ScriptExecutor {
  private static final Pattern QUERY = Pattern.compile("(?i)^(SELECT|WITH|VALUES)\\b");

  private ScriptExecutor() {}

  /** Executes the script's DDL and plans its INSERTs into one statement set, without submitting it. */
  public static StatementSet plan(TableEnvironment tEnv, SqlScript script) throws ScriptException {
    ScriptException.Collector problems = new ScriptException.Collector();
    PiiHash.register(tEnv);
    StatementSet set = tEnv.createStatementSet();
    List<Statement> inserts = new ArrayList<>();
    for (Statement s : script.statements()) {
      switch (s.kind()) {
        case INSERT -> inserts.add(s);
        case STATEMENT_SET -> inserts.addAll(s.inserts());
        case OTHER -> {
          if (QUERY.matcher(s.text()).find()) {
            problems.add(s.line(), "a query on its own would be a job of its own with nowhere to write: use INSERT INTO");
            continue;
          }
          try {
            tEnv.executeSql(s.text());
          } catch (RuntimeException e) {
            report(problems, script, s, e);
          }
        }
      }
    }
    for (Statement s : inserts) {
      try {
        // explainSql plans the INSERT alone, so a planning error names its own statement.
        tEnv.explainSql(s.text());
        set.addInsertSql(s.text());
      } catch (RuntimeException e) {
        report(problems, script, s, e);
      }
    }
    if (inserts.isEmpty()) problems.add(1, "the script has no INSERT: a job writes somewhere");
    problems.throwIfAny();
    return set;
  }

  /** Plans, then submits the INSERTs as one job. */
  public static TableResult run(TableEnvironment tEnv, SqlScript script) throws ScriptException {
    StatementSet set = plan(tEnv, script);
    try {
      return set.execute();
    } catch (RuntimeException e) {
      ScriptException.Collector problems = new ScriptException.Collector();
      problems.add(1, "submitting the job failed: " + script.mask(Messages.describe(e)));
      problems.throwIfAny();
      throw new IllegalStateException("unreachable");
    }
  }

  /**
   * A connector's options are checked when a statement that reads or writes the table is planned; Flink
   * names the table ("Unable to create a sink for writing table 'cat.db.t'"), so the problem is reported at
   * the CREATE TABLE that holds the options. Other messages point where Flink's "line N, column M" points.
   */
  private static void report(ScriptException.Collector problems, SqlScript script, Statement s, RuntimeException e) {
    String message = script.mask(Messages.describe(e));
    Matcher table = TABLE_IN_MESSAGE.matcher(message);
    Statement ddl = table.find() ? createTable(script, table.group(1)) : null;
    problems.add(ddl != null ? ddl.line() : s.lineOf(message), s.relocate(message));
  }

  private static final Pattern TABLE_IN_MESSAGE = Pattern.compile("Unable to create a (?:source|sink) for (?:reading|writing) table '(?:[^'.]+\\.)*([^'.]+)'");
  private static final Pattern CREATE_TABLE = Pattern.compile("(?i)^CREATE\\s+(?:TEMPORARY\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(?:`?[\\w$]+`?\\.)*`?([\\w$]+)`?");

  private static Statement createTable(SqlScript script, String table) {
    for (Statement s : script.statements()) {
      Matcher m = CREATE_TABLE.matcher(s.text());
      if (s.kind() == Statement.Kind.OTHER && m.find() && m.group(1).equalsIgnoreCase(table)) return s;
    }
    return null;
  }
}
