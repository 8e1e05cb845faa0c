package io.analyticsplatform.sqlrunner;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a script into statements at semicolons that are code: not inside a string literal, a quoted
 * identifier or a comment. `EXECUTE STATEMENT SET BEGIN … END;` and `BEGIN STATEMENT SET; … END;` (the SQL
 * client's form) become one statement set holding its INSERTs.
 */
public final class StatementSplitter {
  private static final Pattern EXECUTE_SET = Pattern.compile("(?i)^EXECUTE\\s+STATEMENT\\s+SET\\s+BEGIN\\b");
  private static final Pattern BEGIN_SET = Pattern.compile("(?i)^BEGIN\\s+STATEMENT\\s+SET$");
  private static final Pattern END = Pattern.compile("(?i)^END$");
  private static final Pattern INSERT = Pattern.compile("(?i)^(EXECUTE\\s+)?INSERT\\s");

  private StatementSplitter() {}

  /** A piece between two code semicolons, trimmed of whitespace and comments at both ends. */
  private record Piece(int start, int end, int line) {}

  public static List<Statement> split(String text) throws ScriptException {
    String masked = mask(text);
    List<Piece> pieces = new ArrayList<>();
    int from = 0;
    for (int i = 0; i <= masked.length(); i++) {
      if (i < masked.length() && masked.charAt(i) != ';') continue;
      int s = from;
      int e = i;
      while (s < e && Character.isWhitespace(masked.charAt(s))) s++;
      while (e > s && Character.isWhitespace(masked.charAt(e - 1))) e--;
      if (s < e) pieces.add(new Piece(s, e, 1 + SqlLexer.count(text, 0, s, '\n')));
      from = i + 1;
    }

    ScriptException.Collector problems = new ScriptException.Collector();
    List<Statement> statements = new ArrayList<>();
    List<Statement> set = null;
    int setLine = 0;
    for (Piece p : pieces) {
      String head = masked.substring(p.start, p.end);
      Matcher execute = EXECUTE_SET.matcher(head);
      boolean executeSet = execute.find();
      if (set == null && (executeSet || BEGIN_SET.matcher(head).matches())) {
        set = new ArrayList<>();
        setLine = p.line;
        // `EXECUTE STATEMENT SET BEGIN INSERT …;`: the first INSERT follows BEGIN in the same piece.
        int rest = executeSet ? execute.end() : head.length();
        while (rest < head.length() && Character.isWhitespace(head.charAt(rest))) rest++;
        if (rest < head.length()) {
          addToSet(set, text, masked, new Piece(p.start + rest, p.end, 1 + SqlLexer.count(text, 0, p.start + rest, '\n')), problems);
        }
        continue;
      }
      if (set != null) {
        if (END.matcher(head).matches()) {
          if (set.isEmpty()) problems.add(setLine, "the statement set has no INSERT");
          statements.add(new Statement(Statement.Kind.STATEMENT_SET, text.substring(p.start, p.end), setLine, columnAt(text, p.start), List.copyOf(set)));
          set = null;
        } else {
          addToSet(set, text, masked, p, problems);
        }
        continue;
      }
      statements.add(statement(text, masked, p));
    }
    if (set != null) problems.add(setLine, "the statement set is not closed by END;");
    problems.throwIfAny();
    return statements;
  }

  private static void addToSet(List<Statement> set, String text, String masked, Piece p, ScriptException.Collector problems) {
    Statement s = statement(text, masked, p);
    if (s.kind() == Statement.Kind.INSERT) set.add(s);
    else problems.add(p.line, "only INSERT statements can be in a statement set");
  }

  private static Statement statement(String text, String masked, Piece p) {
    Matcher insert = INSERT.matcher(masked.substring(p.start, p.end));
    if (insert.find()) {
      // `EXECUTE INSERT …` joins the job's one statement set like any INSERT.
      int s = p.start + (insert.group(1) == null ? 0 : insert.group(1).length());
      return new Statement(Statement.Kind.INSERT, text.substring(s, p.end), 1 + SqlLexer.count(text, 0, s, '\n'), columnAt(text, s), List.of());
    }
    return new Statement(Statement.Kind.OTHER, text.substring(p.start, p.end), p.line, columnAt(text, p.start), List.of());
  }

  /** The 1-based column of an offset: Flink counts a statement's first-line columns from where it starts. */
  static int columnAt(String text, int offset) {
    return offset - (text.lastIndexOf('\n', offset - 1) + 1) + 1;
  }

  /**
   * The text with comments blanked and the insides of literals and quoted identifiers replaced, newlines
   * kept: every position and line stays the same, and every `;` left is a statement end.
   */
  static String mask(String text) throws ScriptException {
    char[] out = text.toCharArray();
    for (SqlLexer.Token t : SqlLexer.tokens(text)) {
      char fill = switch (t.kind()) {
        case LINE_COMMENT, BLOCK_COMMENT -> ' ';
        case STRING, QUOTED_IDENTIFIER -> '_';
        default -> 0;
      };
      if (fill == 0) continue;
      for (int i = t.start(); i < t.end(); i++) if (out[i] != '\n') out[i] = fill;
    }
    return new String(out);
  }
}
