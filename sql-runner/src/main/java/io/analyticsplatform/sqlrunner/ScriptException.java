package io.analyticsplatform.sqlrunner;

import java.util.ArrayList;
import java.util.List;

/** Every problem found in a script, each at the line of the script it concerns. */
public final class ScriptException extends Exception {
  private static final long serialVersionUID = 1L;

  /** One problem: the 1-based line of the script and what is wrong there. */
  public record Problem(int line, String message) {
    public String format(String file) {
      return file + ":" + line + ": " + message;
    }
  }

  private final List<Problem> problems;

  public ScriptException(List<Problem> problems) {
    super(problems.isEmpty() ? "no problem" : problems.get(0).line() + ": " + problems.get(0).message());
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }

  /** The problems as `file:line: message` lines. */
  public String format(String file) {
    StringBuilder sb = new StringBuilder();
    for (Problem p : problems) sb.append(p.format(file)).append('\n');
    return sb.toString();
  }

  /** Gathers problems so that all of them are reported at once. */
  static final class Collector {
    private final List<Problem> problems = new ArrayList<>();

    void add(int line, String message) {
      problems.add(new Problem(line, message));
    }

    void addAll(ScriptException e) {
      problems.addAll(e.problems());
    }

    void throwIfAny() throws ScriptException {
      if (!problems.isEmpty()) throw new ScriptException(problems);
    }
  }
}
