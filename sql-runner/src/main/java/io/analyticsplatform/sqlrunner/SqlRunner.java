package io.analyticsplatform.sqlrunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
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
      run(tableEnvironment(), name, Files.readString(Path.of(file)), System.getenv(), compileOnly);
      if (compileOnly) System.out.println(name + ": ok");
    } catch (ScriptException e) {
      System.err.print(e.format(name));
      System.exit(1);
    }
  }

  /** What main does once it has a table environment: fill, split, plan, and (unless compile-only) submit. */
  public static TableResult run(TableEnvironment tEnv, String name, String text, Map<String, String> env, boolean compileOnly) throws ScriptException {
    SqlScript script = SqlScript.load(name, text, env);
    if (!compileOnly) return ScriptExecutor.run(tEnv, script);
    ScriptExecutor.plan(tEnv, script);
    return null;
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
