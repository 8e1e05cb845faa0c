package io.analyticsplatform.sqlrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatementSplitterTest {
  private static List<Statement> split(String text) throws ScriptException {
    return StatementSplitter.split(text);
  }

  @Test
  void semicolonsInLiteralsCommentsAndIdentifiersDoNotEndAStatement() throws ScriptException {
    List<Statement> s = split("""
        -- a comment; with a semicolon
        CREATE TABLE `odd;name` (a STRING) WITH ('connector' = 'datagen', 'x' = 'it''s; fine -- not a comment');
        /* block; comment */ INSERT INTO t SELECT 'a;b' FROM `odd;name`;
        """);
    assertEquals(2, s.size());
    assertEquals(Statement.Kind.OTHER, s.get(0).kind());
    assertEquals(2, s.get(0).line());
    assertEquals("CREATE TABLE `odd;name` (a STRING) WITH ('connector' = 'datagen', 'x' = 'it''s; fine -- not a comment')", s.get(0).text());
    assertEquals(Statement.Kind.INSERT, s.get(1).kind());
    assertEquals(3, s.get(1).line());
    assertEquals("INSERT INTO t SELECT 'a;b' FROM `odd;name`", s.get(1).text());
  }

  @Test
  void executeStatementSetAfterBlockCommentsIsOneSet() throws ScriptException {
    List<Statement> s = split("""
        /* Two sinks,
           one job. */
        /* another; comment */
        EXECUTE STATEMENT SET
        BEGIN
          INSERT INTO a SELECT * FROM src;
          -- between
          INSERT INTO b SELECT * FROM src;
        END;
        """);
    assertEquals(1, s.size());
    Statement set = s.get(0);
    assertEquals(Statement.Kind.STATEMENT_SET, set.kind());
    assertEquals(4, set.line());
    assertEquals(List.of("INSERT INTO a SELECT * FROM src", "INSERT INTO b SELECT * FROM src"), set.inserts().stream().map(Statement::text).toList());
    assertEquals(List.of(6, 8), set.inserts().stream().map(Statement::line).toList());
  }

  @Test
  void theSqlClientsBeginStatementSetFormIsOneSet() throws ScriptException {
    List<Statement> s = split("BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND;\nSET 'k' = 'v';");
    assertEquals(2, s.size());
    assertEquals(2, s.get(0).inserts().size());
    assertEquals(Statement.Kind.OTHER, s.get(1).kind());
    assertEquals(5, s.get(1).line());
  }

  @Test
  void executeInsertJoinsTheSetAsAnInsert() throws ScriptException {
    Statement s = split("EXECUTE INSERT INTO a SELECT 1").get(0);
    assertEquals(Statement.Kind.INSERT, s.kind());
    assertEquals("INSERT INTO a SELECT 1", s.text());
  }

  @Test
  void reportsUnclosedLiteralsAndSetsAtTheirLines() {
    ScriptException literal = assertThrows(ScriptException.class, () -> split("SELECT 1;\nINSERT INTO a SELECT 'open;\n"));
    assertEquals(List.of(new ScriptException.Problem(2, "string literal is not closed")), literal.problems());
    ScriptException set = assertThrows(ScriptException.class, () -> split("\nEXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1;"));
    assertEquals(List.of(new ScriptException.Problem(2, "the statement set is not closed by END;")), set.problems());
    ScriptException notInsert = assertThrows(ScriptException.class, () -> split("BEGIN STATEMENT SET;\nCREATE TABLE x (a INT);\nEND;"));
    assertEquals(2, notInsert.problems().get(0).line());
  }

  @Test
  void mapsFlinkStatementPositionsToScriptLines() throws ScriptException {
    Statement s = split("\n\nINSERT INTO a\nSELECT nope FROM b").get(0);
    String flink = "SQL validation failed. From line 2, column 8 to line 2, column 11: Column 'nope' not found";
    assertEquals(4, s.lineOf(flink));
    assertEquals("SQL validation failed. From line 4, column 8 to line 4, column 11: Column 'nope' not found", s.relocate(flink));
  }

  @Test
  void mapsFirstLineColumnsFromWhereTheStatementStarts() throws ScriptException {
    // An indented INSERT in a statement set, after a comment: Flink's column 1 is the statement's first character.
    Statement insert = split("EXECUTE STATEMENT SET\nBEGIN\n  /* c */ INSERT INTO a SELECT nope FROM b;\nEND;").get(0).inserts().get(0);
    String flink = "From line 1, column 22 to line 1, column 25: Column 'nope' not found";
    assertEquals("From line 3, column 32 to line 3, column 35: Column 'nope' not found", insert.relocate(flink));
    Statement second = split("CREATE TABLE x (a INT); INSERT INTO a\nSELECT nope FROM b").get(1);
    assertEquals("at line 1, column 26 and line 2, column 8", second.relocate("at line 1, column 2 and line 2, column 8"));
  }
}
