package io.analyticsplatform.sqlrunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * The job jar of every FlinkDeployment: `SqlRunner [--compile-only] [--name SHOWN] SCRIPT.sql`. Fills the
 * script's `${NAME}`s from the environment, splits it, runs its DDL and submits its INSERTs as one job.
 * With --compile-only it plans every statement and submits nothing. Problems are printed as
 * `file:line: message` and end the program with exit code 1 (in application mode: the job fails to start).
 */
public final class SqlRunner {
  private SqlRunner() {}

  public static void main(String[] args) throws IOException {
    boolean compileOnly = false;
    String shown = null;
    String file = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--compile-only" -> compileOnly = true;
        case "--name" -> shown = ++i < args.length ? args[i] : usage();
        default -> file = file == null && !args[i].startsWith("--") ? args[i] : usage();
      }
    }
    if (file == null) usage();
    String name = shown != null ? shown : file;
    try {
      SqlScript script = SqlScript.load(name, Files.readString(Path.of(file)), System.getenv());
      TableEnvironment tEnv = tableEnvironment();
      if (compileOnly) {
        ScriptExecutor.plan(tEnv, script);
        System.out.println(name + ": ok");
      } else {
        ScriptExecutor.run(tEnv, script);
      }
    } catch (ScriptException e) {
      System.err.print(e.format(name));
      System.exit(1);
    }
  }

  /** In application mode the operator's cluster is the context environment; locally, a MiniCluster. */
  public static TableEnvironment tableEnvironment() {
    return StreamTableEnvironment.create(StreamExecutionEnvironment.getExecutionEnvironment(), EnvironmentSettings.inStreamingMode());
  }

  private static String usage() {
    System.err.println("usage: SqlRunner [--compile-only] [--name SHOWN] SCRIPT.sql");
    System.exit(2);
    return null;
  }
}
