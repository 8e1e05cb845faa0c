package io.analyticsplatform.trinocheck;

import io.trino.sql.parser.ParsingException;
import io.trino.sql.parser.SqlParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL files the platform hands Trino's CLI, one statement per line ending in `;`: each statement parsed by
 * Trino's own SqlParser. (The CLI's own splitter, trino-cli's StatementSplitter, is not served by this machine's
 * Maven Central at 478, so statements are split at line ends; the files hold no `;` inside literals.) Prints
 * `file:line:column: message` for each statement Trino would refuse, and exits 1 if there is any.
 */
public final class SqlCheck {
  private SqlCheck() {}

  public static void main(String[] args) throws IOException {
    List<String> problems = new ArrayList<>();
    for (String file : args) problems.addAll(problems(file, Files.readString(Path.of(file))));
    problems.forEach(System.out::println);
    System.exit(problems.isEmpty() ? 0 : 1);
  }

  /** Each statement's parse error, placed in the file. */
  static List<String> problems(String file, String text) {
    List<String> out = new ArrayList<>();
    SqlParser parser = new SqlParser();
    String[] lines = text.split("\n", -1);
    StringBuilder statement = new StringBuilder();
    int startLine = 0;
    int statements = 0;
    for (int i = 0; i < lines.length; i++) {
      if (statement.isEmpty()) {
        if (lines[i].isBlank()) continue;
        startLine = i + 1;
      }
      statement.append(lines[i]).append('\n');
      String trimmed = lines[i].stripTrailing();
      if (!trimmed.endsWith(";")) continue;
      statements++;
      String sql = statement.toString().stripTrailing();
      try {
        parser.createStatement(sql.substring(0, sql.length() - 1));
      } catch (ParsingException e) {
        out.add(file + ":" + (startLine + e.getLineNumber() - 1) + ":" + e.getColumnNumber() + ": " + e.getErrorMessage());
      }
      statement.setLength(0);
    }
    if (!statement.toString().isBlank()) out.add(file + ":" + startLine + ": unterminated statement: " + statement.toString().strip());
    if (statements == 0) out.add(file + ": no statement");
    return out;
  }
}
