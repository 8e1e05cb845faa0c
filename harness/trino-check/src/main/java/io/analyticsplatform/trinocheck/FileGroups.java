package io.analyticsplatform.trinocheck;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The group file of `group-provider.name=file`: one `group:user1,user2` line per group. Trino's own reader
 * (trino-password-authenticators FileGroupProvider) is not served by this machine's Maven Central at 478, so
 * its format is read here; a line it would refuse is refused.
 */
public final class FileGroups {
  private FileGroups() {}

  /** Each group with its users, in file order. */
  public static Map<String, Set<String>> parse(String text) {
    Map<String, Set<String>> groups = new LinkedHashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) continue;
      int colon = line.indexOf(':');
      if (colon <= 0) throw new IllegalArgumentException("group file line " + (i + 1) + ": not group:user[,user…]: " + line);
      Set<String> users = groups.computeIfAbsent(line.substring(0, colon), g -> new LinkedHashSet<>());
      for (String u : line.substring(colon + 1).split(",")) if (!u.isBlank()) users.add(u.strip());
    }
    return groups;
  }
}
