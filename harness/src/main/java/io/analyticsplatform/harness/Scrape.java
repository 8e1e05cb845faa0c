package io.analyticsplatform.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/** A Prometheus scrape of an engine's metrics endpoint, as Prometheus would take it: the series names it exposes. */
public final class Scrape {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private Scrape() {}

  /** The metric names of the text exposition at `uri` (comment lines skipped, labels cut). */
  public static Set<String> metricNames(URI uri) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IOException(uri + " answered " + r.statusCode());
    return names(r.body());
  }

  /** The metric names of a text exposition (Prometheus or OpenMetrics). */
  public static Set<String> names(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      names.add(line.substring(0, brace >= 0 && (space < 0 || brace < space) ? brace : space));
    }
    return names;
  }
}
