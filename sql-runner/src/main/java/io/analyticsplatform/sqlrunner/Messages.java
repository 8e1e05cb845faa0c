package io.analyticsplatform.sqlrunner;

import java.util.ArrayList;
import java.util.List;

/** Flink's exception chains as one readable line: each cause's first paragraph, repeats left out. */
final class Messages {
  private Messages() {}

  static String describe(Throwable e) {
    List<String> parts = new ArrayList<>();
    for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
      String m = t.getMessage();
      if (m == null || m.isBlank()) continue;
      // The parser lists every token it could have accepted; the position and the token found say enough.
      String first = m.strip().split("\\n\\s*\\n", 2)[0].split("\\s*Was expecting", 2)[0].replaceAll("\\s*\\n\\s*", " ");
      if (parts.stream().noneMatch(p -> p.contains(first))) parts.add(first);
    }
    return parts.isEmpty() ? e.getClass().getName() : String.join(" — ", parts);
  }
}
