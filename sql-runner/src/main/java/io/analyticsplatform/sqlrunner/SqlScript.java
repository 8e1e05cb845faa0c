package io.analyticsplatform.sqlrunner;

import java.util.List;
import java.util.Map;

/** A job script ready to run: placeholders filled from the environment, split into statements. */
public final class SqlScript {
  /** Values this short are not masked in messages: they carry no secret and would mask ordinary words. */
  private static final int MASK_MIN_LENGTH = 4;

  private final String name;
  private final List<Statement> statements;
  private final Map<String, String> filled;

  private SqlScript(String name, List<Statement> statements, Map<String, String> filled) {
    this.name = name;
    this.statements = statements;
    this.filled = filled;
  }

  /** Fills and splits; all problems of both steps at once, by line. */
  public static SqlScript load(String name, String text, Map<String, String> env) throws ScriptException {
    Placeholders.Filled filled = Placeholders.fill(text, env);
    return new SqlScript(name, StatementSplitter.split(filled.text()), filled.used());
  }

  public String name() {
    return name;
  }

  public List<Statement> statements() {
    return statements;
  }

  /** A message with every filled value put back as its placeholder: no credential reaches a log. */
  public String mask(String message) {
    String out = message;
    for (Map.Entry<String, String> e : filled.entrySet()) {
      if (e.getValue().length() >= MASK_MIN_LENGTH) out = out.replace(e.getValue(), "${" + e.getKey() + "}");
    }
    return out;
  }
}
