package io.analyticsplatform.harness.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsplatform.harness.Plan;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The rendered PodMonitors as prometheus-operator reads them: which one scrapes a pod, and with what timeout. */
public final class Monitors {
  /** The Helm release of kube-prometheus-stack, as the program registers it. */
  static final String RELEASE = "kube-prometheus-stack";
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  /**
   * Prometheus' own scrape timeout, used when neither the endpoint nor the Prometheus CR sets one (config/config.go
   * DefaultGlobalConfig); prometheus-operator leaves `scrape_timeout` out when the endpoint has no `scrapeTimeout`.
   */
  static final Duration PROMETHEUS_DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private Monitors() {}

  /**
   * The first endpoint of the rendered PodMonitor that selects a pod with `podLabels` in `namespace`: every
   * `selector.matchLabels` entry on the pod and the namespace in `namespaceSelector.matchNames`.
   */
  public static Optional<JsonNode> endpointFor(Plan plan, String namespace, Map<String, String> podLabels) {
    for (JsonNode monitor : plan.all("PodMonitor")) {
      JsonNode spec = monitor.path("spec");
      boolean inNamespace = false;
      for (JsonNode n : spec.path("namespaceSelector").path("matchNames")) inNamespace |= namespace.equals(n.asText());
      if (!inNamespace) continue;
      boolean selects = true;
      var wanted = spec.path("selector").path("matchLabels").fields();
      while (wanted.hasNext()) {
        var e = wanted.next();
        selects &= e.getValue().asText().equals(podLabels.get(e.getKey()));
      }
      if (selects && spec.path("podMetricsEndpoints").size() > 0) return Optional.of(spec.path("podMetricsEndpoints").get(0));
    }
    return Optional.empty();
  }

  /** How long Prometheus waits for a scrape of this endpoint. */
  public static Duration scrapeTimeout(Plan plan, JsonNode endpoint) {
    String own = endpoint.path("scrapeTimeout").asText("");
    if (!own.isEmpty()) return duration(own);
    String global = plan.helmValues(RELEASE).path("prometheus").path("prometheusSpec").path("scrapeTimeout").asText("");
    return global.isEmpty() ? PROMETHEUS_DEFAULT_TIMEOUT : duration(global);
  }

  /** A Prometheus duration (`30s`, `1m30s`, `500ms`). */
  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text);
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      d = d.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
      end = m.end();
    }
    if (end != text.length() || text.isEmpty()) throw new Plan.PlanException("not a Prometheus duration: " + text);
    return d;
  }
}
