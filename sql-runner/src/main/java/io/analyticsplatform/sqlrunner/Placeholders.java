package io.analyticsplatform.sqlrunner;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills `${NAME}` in a script from the environment (the pod's env, bound to the tenant's Secrets). A value
 * lands in the lexical context of its placeholder: inside a string literal its quotes are escaped, so a
 * password can never end the literal; placeholders in comments are left alone. An unset name is an error,
 * never an empty string, so a job never logs in as the literal `${KAFKA_USERNAME}`.
 */
public final class Placeholders {
  /** Same form as the program's deploy-time placeholders (jobs/placeholders.ts). */
  static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)\\}");

  /** The filled text, and the values used by name (to mask them in messages). */
  public record Filled(String text, Map<String, String> used) {}

  private Placeholders() {}

  public static Filled fill(String text, Map<String, String> env) throws ScriptException {
    ScriptException.Collector problems = new ScriptException.Collector();
    Map<String, String> used = new LinkedHashMap<>();
    StringBuilder out = new StringBuilder(text.length());
    for (SqlLexer.Token t : SqlLexer.tokens(text)) {
      String piece = t.text(text);
      if (t.kind() == SqlLexer.Kind.LINE_COMMENT || t.kind() == SqlLexer.Kind.BLOCK_COMMENT) {
        out.append(piece);
        continue;
      }
      Matcher m = PLACEHOLDER.matcher(piece);
      StringBuilder filled = new StringBuilder();
      while (m.find()) {
        String name = m.group(1);
        int line = t.line() + SqlLexer.count(piece, 0, m.start(), '\n');
        String value = env.get(name);
        if (value == null) {
          problems.add(line, "${" + name + "} is not set in the environment");
          m.appendReplacement(filled, Matcher.quoteReplacement(m.group()));
          continue;
        }
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
          // Values must keep the script's line numbers, which every message refers to.
          problems.add(line, "the value of ${" + name + "} spans several lines");
        }
        used.put(name, value);
        m.appendReplacement(filled, Matcher.quoteReplacement(escape(t.kind(), value)));
      }
      m.appendTail(filled);
      out.append(filled);
    }
    problems.throwIfAny();
    return new Filled(out.toString(), used);
  }

  private static String escape(SqlLexer.Kind context, String value) {
    return switch (context) {
      case STRING -> value.replace("'", "''");
      case QUOTED_IDENTIFIER -> value.replace("`", "``");
      default -> value;
    };
  }
}
