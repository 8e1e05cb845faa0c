package io.analyticsplatform.sqlrunner;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One statement of a script: its text (without the final semicolon), the line and column it starts at, and its
 * kind. A statement set holds the INSERTs between BEGIN and END.
 */
public record Statement(Kind kind, String text, int line, int column, List<Statement> inserts) {
  public enum Kind { INSERT, STATEMENT_SET, OTHER }

  private static final Pattern LINE_COLUMN = Pattern.compile("\\bline (\\d+), column (\\d+)");

  /** The script line of a line inside this statement's text (Flink reports positions per statement). */
  public int scriptLine(int statementLine) {
    return line + statementLine - 1;
  }

  /** Where a Flink message points in the script: its first "line N, column M", else the statement's line. */
  public int lineOf(String message) {
    Matcher m = LINE_COLUMN.matcher(message);
    return m.find() ? scriptLine(Integer.parseInt(m.group(1))) : line;
  }

  /** The script column of a column on a line of this statement: its first line starts where the statement does. */
  public int scriptColumn(int statementLine, int statementColumn) {
    return statementLine == 1 ? column + statementColumn - 1 : statementColumn;
  }

  /** The message with Flink's statement-relative lines and columns turned into the script's. */
  public String relocate(String message) {
    Matcher m = LINE_COLUMN.matcher(message);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      int l = Integer.parseInt(m.group(1));
      m.appendReplacement(sb, "line " + scriptLine(l) + ", column " + scriptColumn(l, Integer.parseInt(m.group(2))));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
