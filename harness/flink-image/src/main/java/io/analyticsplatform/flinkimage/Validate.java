package io.analyticsplatform.flinkimage;

import io.analyticsplatform.sqlrunner.ScriptException;
import io.analyticsplatform.sqlrunner.SqlRunner;
import java.io.FileReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

/**
 * `npm run validate`'s planner check: each script of a folder (`<i>.sql` with `<i>.properties`: `name`, the
 * file the script comes from, and `env.<NAME>`, the runtime environment) planned by the project's runner in
 * compile-only mode, on the runner image's classpath — Flink's own parser, validator and connector factories.
 * Prints each problem as `file:line: message` and `checked N`; exit 1 when any script has a problem.
 */
public final class Validate {
  private Validate() {}

  public static void main(String[] args) throws Exception {
    List<Path> scripts;
    try (Stream<Path> files = Files.list(Path.of(args[0]))) {
      scripts = files.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
    }
    int failed = 0;
    for (Path sql : scripts) {
      Properties meta = new Properties();
      try (FileReader r = new FileReader(sql.toString().replaceFirst("\\.sql$", ".properties"), StandardCharsets.UTF_8)) {
        meta.load(r);
      }
      Map<String, String> env = new HashMap<>();
      for (String k : meta.stringPropertyNames()) if (k.startsWith("env.")) env.put(k.substring(4), meta.getProperty(k));
      String name = meta.getProperty("name");
      try {
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        SqlRunner.run(tEnv, name, Files.readString(sql), env, true);
      } catch (ScriptException e) {
        failed++;
        System.out.print(e.format(name));
      }
    }
    System.out.println("checked " + scripts.size());
    System.exit(failed == 0 ? 0 : 1);
  }
}
