package io.analyticsplatform.harness.flink;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsplatform.harness.Plan;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** The pipeline's one timestamp format: ISO-8601 in UTC with a `Z` (RFC 3339), as events carry it and Druid's `iso` parses it. */
final class Json {
  private Json() {}

  static String iso(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MILLIS));
  }

  /** A timestamp written by a job: must be ISO-8601 with an offset; null when it is not. */
  static Instant parseIso(String text) {
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Any timestamp a job might write, to compare values even when the format is wrong (reported apart). */
  static Instant parseLenient(String text) {
    Instant iso = parseIso(text);
    if (iso != null) return iso;
    try {
      return LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static JsonNode read(String value) {
    try {
      return Plan.JSON.readTree(value);
    } catch (Exception e) {
      return null;
    }
  }
}
