package io.analyticsplatform.harness.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analyticsplatform.harness.Plan;
import io.analyticsplatform.harness.Report;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rendered alert rules evaluated by a real Prometheus on the verify engines' own metrics: every rule loads
 * and evaluates without error, none is pending or firing while the pipeline is healthy, and the restart alert
 * fires once the forced failure has restarted the jobs.
 */
public final class AlertVerification {
  static final String LAYER = "monitoring";

  /**
   * Latency budgets a verify run cannot judge, each with why; their state is still reported. The processing
   * budget compares the clock with the events' times, which verify fixes to 2026-06-01 (Scenario.T0) so that
   * every run computes the same windows. The produce budget is the brokers' p99 produce time, here on two cores
   * shared with every job's JVM: a reading of this machine, not of the plan (see README "Scale").
   */
  static final Map<String, String> NOT_JUDGED_QUIET = Map.of(
      "LatencyBudgetProcessingExceeded", "currentEmitEventTimeLag is now minus the event time; verify's events carry fixed 2026-06-01 times",
      "LatencyBudgetProduceExceeded", "the brokers' p99 produce time on this machine's two cores, shared with every job's JVM, measures the machine, not the plan");

  private final Report report;
  private final LocalPrometheus prometheus;

  public AlertVerification(Report report, LocalPrometheus prometheus) {
    this.report = report;
    this.prometheus = prometheus;
    NOT_JUDGED_QUIET.forEach((alert, why) -> report.localEquivalent(LAYER, alert + " judged quiet on a healthy run", "not judged", why));
  }

  private ObjectNode used() {
    return Plan.object().put("rules", "every rendered PrometheusRule's spec.groups").put("prometheus", "the machine's binary (Debian package)");
  }

  /** Waits until Prometheus has scraped every target and evaluated every rule; each must be healthy. */
  public boolean rulesEvaluate(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> problems = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      problems.clear();
      prometheus.targetHealth().forEach((target, health) -> {
        if (!"up".equals(health)) problems.add("target " + target + " " + health);
      });
      if (prometheus.targetHealth().size() < prometheus.targetCount()) problems.add("targets discovered " + prometheus.targetHealth().size() + " of " + prometheus.targetCount());
      List<JsonNode> rules = prometheus.alertingRules();
      if (rules.isEmpty()) problems.add("no alerting rule loaded");
      for (JsonNode r : rules) {
        if (!"ok".equals(r.path("health").asText())) problems.add(r.path("name").asText() + " " + r.path("health").asText() + " " + r.path("lastError").asText());
      }
      if (problems.isEmpty()) break;
      Thread.sleep(LocalPrometheus.INTERVAL.toMillis());
    }
    report.check(LAYER, "Prometheus " + prometheus.version() + " scrapes every verify engine and evaluates every rendered alert rule", problems.isEmpty(),
        problems.isEmpty() ? prometheus.alertingRules().size() + " alerting rules, " + prometheus.targetCount() + " targets up, " + prometheus.slowestScrape() : String.join("; ", problems.subList(0, Math.min(5, problems.size()))),
        used());
    return problems.isEmpty();
  }

  /** No platform alert pending or firing while the pipeline is healthy. */
  public void quiet(String phase) throws Exception {
    // Three evaluations on the latest data.
    Thread.sleep(3 * LocalPrometheus.INTERVAL.toMillis());
    List<String> active = new ArrayList<>();
    List<String> unjudged = new ArrayList<>();
    for (JsonNode r : prometheus.alertingRules()) {
      String name = r.path("name").asText();
      if ("inactive".equals(r.path("state").asText())) continue;
      Set<String> who = new TreeSet<>();
      r.path("alerts").forEach(a -> who.add(a.path("labels").toString() + " at " + a.path("value").asText()));
      (NOT_JUDGED_QUIET.containsKey(name) ? unjudged : active).add(name + " " + r.path("state").asText() + " " + who);
    }
    report.check(LAYER, "no alert pending or firing while healthy: " + phase, active.isEmpty(),
        String.join("; ", active) + (unjudged.isEmpty() ? "" : (active.isEmpty() ? "" : "; ") + "not judged: " + String.join("; ", unjudged)), used());
  }

  /** `alert` fires for every one of `jobs` (their `job_name` label) within `timeout`. */
  public void fires(String alert, Collection<String> jobs, String because, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> firing = new TreeSet<>();
    while (System.nanoTime() < deadline) {
      firing.clear();
      prometheus.query("ALERTS{alertname=\"" + alert + "\",alertstate=\"firing\"}").forEach(s -> firing.add(s.path("metric").path("job_name").asText()));
      if (firing.containsAll(jobs)) break;
      Thread.sleep(LocalPrometheus.INTERVAL.toMillis());
    }
    List<String> silent = jobs.stream().filter(j -> !firing.contains(j)).toList();
    report.check(LAYER, alert + " fires " + because, silent.isEmpty(), silent.isEmpty() ? "firing for " + firing : "not firing within " + timeout.toSeconds() + " s for " + silent, used());
  }
}
