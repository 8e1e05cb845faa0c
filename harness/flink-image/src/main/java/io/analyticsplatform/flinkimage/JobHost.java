package io.analyticsplatform.flinkimage;

import io.analyticsplatform.sqlrunner.ScriptException;
import io.analyticsplatform.sqlrunner.SqlRunner;
import java.io.BufferedReader;
import java.io.FileReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * Verify's stand-in for one FlinkDeployment's cluster: a MiniCluster in a JVM whose classpath is the runner
 * image's, with the deployment's configuration, TaskManagers and slots, and the pod's environment as its
 * own. The project's runner submits the script to it, as in application mode, through Flink's REST API.
 *
 * <p>{@code JobHost --conf FILE --script FILE --name SHOWN --parallelism N --taskmanagers T --slots S}. Prints
 * {@code SUBMITTED <job id> <rest port>}, or each problem as {@code PROBLEM file:line: message} and exits 1.
 * Then reads commands on stdin: {@code kill-taskmanager} (the forced failure: the first TaskManager ends and a
 * new one starts, as a pod would be replaced), {@code stop} or end of input.
 */
public final class JobHost {
  private JobHost() {}

  public static void main(String[] args) throws Exception {
    Properties a = new Properties();
    for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    Properties flinkConf = new Properties();
    try (FileReader r = new FileReader(a.getProperty("conf"), StandardCharsets.UTF_8)) {
      flinkConf.load(r);
    }
    Configuration conf = new Configuration();
    flinkConf.forEach((k, v) -> conf.setString((String) k, (String) v));
    conf.set(RestOptions.BIND_PORT, "0");
    MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
        .setNumTaskManagers(Integer.parseInt(a.getProperty("taskmanagers"))).setNumSlotsPerTaskManager(Integer.parseInt(a.getProperty("slots"))).build());
    cluster.start();
    int restPort = cluster.getRestAddress().get().getPort();

    // The runner's client side: what application mode's context environment is, here over REST.
    Configuration client = new Configuration(conf);
    client.set(DeploymentOptions.TARGET, "remote");
    client.set(RestOptions.ADDRESS, "localhost");
    client.set(RestOptions.PORT, restPort);
    client.set(CoreOptions.DEFAULT_PARALLELISM, Integer.parseInt(a.getProperty("parallelism")));
    // getExecutionEnvironment would make a local cluster of its own; the constructor honours execution.target.
    StreamTableEnvironment tEnv = StreamTableEnvironment.create(new StreamExecutionEnvironment(client), EnvironmentSettings.inStreamingMode());
    JobID job;
    try {
      TableResult result = SqlRunner.run(tEnv, a.getProperty("name"), Files.readString(Path.of(a.getProperty("script"))), System.getenv(), false);
      job = result.getJobClient().orElseThrow().getJobID();
    } catch (ScriptException e) {
      for (ScriptException.Problem p : e.problems()) System.out.println("PROBLEM " + p.format(a.getProperty("name")));
      System.out.flush();
      cluster.close();
      System.exit(1);
      return;
    }
    System.out.println("SUBMITTED " + job + " " + restPort);
    System.out.flush();

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null && !line.equals("stop");) {
      if (line.equals("kill-taskmanager")) {
        cluster.terminateTaskManager(0).get(60, TimeUnit.SECONDS);
        // On Kubernetes the native resource manager asks for a new TaskManager pod in its place.
        cluster.startTaskManager();
        System.out.println("KILLED");
        System.out.flush();
      }
    }
    try {
      cluster.cancelJob(job).get(30, TimeUnit.SECONDS);
    } finally {
      cluster.close();
    }
    System.exit(0);
  }
}
