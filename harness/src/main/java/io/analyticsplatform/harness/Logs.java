package io.analyticsplatform.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What an engine's log says when it stops: its last error lines, else its last lines. */
public final class Logs {
  private Logs() {}

  public static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      List<String> errors = lines.stream().filter(l -> l.contains("ERROR") || l.contains("Exception") || l.contains("rror:")).toList();
      List<String> pick = errors.isEmpty() ? lines : errors;
      return String.join(" | ", pick.subList(Math.max(0, pick.size() - 4), pick.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
