package io.analyticsplatform.sqlrunner;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits Flink SQL text into the lexical pieces that decide where a statement ends: code, string literals,
 * quoted identifiers, comments and semicolons. Flink's grammar (flink-sql-parser, Calcite's Parser.jj):
 * string literals are single-quoted with '' as the escape; identifiers are quoted with backticks (`` escapes);
 * comments are `--` to the end of the line and C-style block comments, which do not nest.
 */
final class SqlLexer {
  enum Kind { CODE, STRING, QUOTED_IDENTIFIER, LINE_COMMENT, BLOCK_COMMENT, SEMICOLON }

  /** A piece of the text: [start, end) and the 1-based line it starts on. */
  record Token(Kind kind, int start, int end, int line) {
    String text(String source) {
      return source.substring(start, end);
    }
  }

  private SqlLexer() {}

  static List<Token> tokens(String text) throws ScriptException {
    List<Token> out = new ArrayList<>();
    ScriptException.Collector problems = new ScriptException.Collector();
    int i = 0;
    int line = 1;
    int codeStart = 0;
    int codeLine = 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      Kind kind = null;
      int end = -1;
      if (c == '\'') {
        kind = Kind.STRING;
        end = closing(text, i + 1, '\'');
      } else if (c == '`') {
        kind = Kind.QUOTED_IDENTIFIER;
        end = closing(text, i + 1, '`');
      } else if (c == '-' && text.startsWith("--", i)) {
        kind = Kind.LINE_COMMENT;
        int nl = text.indexOf('\n', i);
        end = nl < 0 ? text.length() : nl;
      } else if (c == '/' && text.startsWith("/*", i)) {
        kind = Kind.BLOCK_COMMENT;
        int close = text.indexOf("*/", i + 2);
        end = close < 0 ? -1 : close + 2;
      } else if (c == ';') {
        kind = Kind.SEMICOLON;
        end = i + 1;
      }
      if (kind == null) {
        if (c == '\n') line++;
        i++;
        continue;
      }
      if (codeStart < i) out.add(new Token(Kind.CODE, codeStart, i, codeLine));
      if (end < 0) {
        problems.add(line, switch (kind) {
          case STRING -> "string literal is not closed";
          case QUOTED_IDENTIFIER -> "quoted identifier is not closed";
          default -> "comment is not closed";
        });
        end = text.length();
      }
      out.add(new Token(kind, i, end, line));
      line += count(text, i, end, '\n');
      i = end;
      codeStart = i;
      codeLine = line;
    }
    if (codeStart < text.length()) out.add(new Token(Kind.CODE, codeStart, text.length(), codeLine));
    problems.throwIfAny();
    return out;
  }

  /** Index after the closing quote; a doubled quote is an escaped one. -1 when never closed. */
  private static int closing(String text, int from, char quote) {
    for (int i = from; i < text.length(); i++) {
      if (text.charAt(i) != quote) continue;
      if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
        i++;
        continue;
      }
      return i + 1;
    }
    return -1;
  }

  static int count(String text, int from, int to, char c) {
    int n = 0;
    for (int i = from; i < to; i++) if (text.charAt(i) == c) n++;
    return n;
  }
}
