package io.analyticsplatform.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** verify.json: every check, with what it used and its result. */
public final class Report {
  /** One check: the layer, what was checked, what it used (plan objects, engine versions), and the outcome. */
  public record Check(String layer, String name, boolean passed, String detail, JsonNode used, long millis) {}

  private final List<Check> checks = new ArrayList<>();
  private long last = System.nanoTime();
  private final ObjectNode engines = Plan.object();
  private final ArrayNode localEquivalents = Plan.JSON.createArrayNode();
  private final ArrayNode notRun = Plan.JSON.createArrayNode();

  public synchronized void pass(String layer, String name, String detail, JsonNode used) {
    add(layer, name, true, detail, used);
  }

  public synchronized void fail(String layer, String name, String detail, JsonNode used) {
    add(layer, name, false, detail, used);
  }

  public synchronized void check(String layer, String name, boolean passed, String detail, JsonNode used) {
    add(layer, name, passed, detail, used);
  }

  /** `millis`: time since the previous check, roughly what this one took. */
  private void add(String layer, String name, boolean passed, String detail, JsonNode used) {
    long now = System.nanoTime();
    Check c = new Check(layer, name, passed, detail, used, (now - last) / 1_000_000);
    last = now;
    checks.add(c);
    System.out.printf("  %s %s: %s%s (%d ms)%n", c.passed() ? "ok  " : "FAIL", c.layer(), c.name(), c.passed() && c.detail().isEmpty() ? "" : " — " + c.detail(), c.millis());
  }

  public synchronized void engine(String name, String version) {
    engines.put(name, version);
  }

  /** What verify runs differently from the cluster, and why; listed in verify.json. */
  public synchronized void localEquivalent(String layer, String rendered, String local, String why) {
    localEquivalents.add(Plan.object().put("layer", layer).put("rendered", rendered).put("local", local).put("why", why));
  }

  /** Part of the plan verify cannot run here, and why: listed, never counted as passed. */
  public synchronized void notRun(String layer, String what, String why) {
    notRun.add(Plan.object().put("layer", layer).put("what", what).put("why", why));
    System.out.printf("  --   %s: %s not run: %s%n", layer, what, why);
  }

  public synchronized boolean passed() {
    return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
  }

  public synchronized List<Check> checks() {
    return List.copyOf(checks);
  }

  public synchronized void write(Path file, Map<String, String> about) throws IOException {
    ObjectNode root = Plan.object();
    about.forEach(root::put);
    root.put("passed", passed());
    root.set("engines", engines);
    root.set("localEquivalents", localEquivalents);
    root.set("notRun", notRun);
    ArrayNode list = root.putArray("checks");
    for (Check c : checks) {
      ObjectNode n = list.addObject().put("layer", c.layer()).put("name", c.name()).put("result", c.passed() ? "pass" : "fail").put("detail", c.detail()).put("millis", c.millis());
      if (c.used() != null) n.set("used", c.used());
    }
    Plan.JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }
}
