package io.analyticsplatform.avrocheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.analyticsplatform.avrocheck.SchemaCheck.Request;
import io.analyticsplatform.avrocheck.SchemaCheck.Version;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaCheckTest {
  private static final String V1 = "{\"type\":\"record\",\"name\":\"Event\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
      + "{\"name\":\"address\",\"type\":{\"type\":\"record\",\"name\":\"Address\",\"fields\":[{\"name\":\"street\",\"type\":\"string\"}]}}]}";
  /** A field added with a default: backward compatible. */
  private static final String V2_DEFAULT = V1.replace("{\"name\":\"id\",\"type\":\"string\"}", "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"country\",\"type\":\"string\",\"default\":\"\"}");
  /** A nested field added without a default: not backward compatible. */
  private static final String V2_NESTED = V1.replace("{\"name\":\"street\",\"type\":\"string\"}", "{\"name\":\"street\",\"type\":\"string\"},{\"name\":\"zip\",\"type\":\"string\"}");

  private static List<String> check(String schema, String mode, String... previous) {
    List<Version> versions = java.util.Arrays.stream(previous).map(p -> new Version("base", p)).toList();
    return SchemaCheck.problems(new Request("schemas/acme/events.avsc", schema, mode, versions));
  }

  @Test
  void acceptsAFieldAddedWithADefault() {
    assertEquals(List.of(), check(V2_DEFAULT, "BACKWARD", V1));
  }

  @Test
  void namesTheNestedFieldThatBreaksBackwardCompatibility() {
    List<String> problems = check(V2_NESTED, "BACKWARD", V1);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("field 'address.zip'"), problems.get(0));
    assertTrue(problems.get(0).contains("READER_FIELD_MISSING_DEFAULT_VALUE"), problems.get(0));
  }

  @Test
  void forwardJudgesTheOldReaderAndNoneJudgesNothing() {
    // Removing a field without default breaks FORWARD (old readers need it), not BACKWARD.
    assertEquals(List.of(), check(V1, "BACKWARD", V2_DEFAULT));
    assertTrue(check(V1.replace(",{\"name\":\"address\"", ",{\"name\":\"addr\""), "FORWARD", V1).stream().anyMatch(p -> p.contains("field 'address'")));
    assertEquals(List.of(), check(V2_NESTED, "NONE", V1));
  }

  @Test
  void transitiveModesCheckEveryEarlierVersion() {
    String v3 = V2_DEFAULT.replace(",\"default\":\"\"", "");
    // v3 drops country's default: fine against V2 (it has country) for BACKWARD? No: v3 reads V1 data without country.
    assertEquals(List.of(), check(v3, "BACKWARD", V2_DEFAULT));
    assertEquals(1, check(v3, "BACKWARD_TRANSITIVE", V2_DEFAULT, V1).size());
  }

  @Test
  void placesASyntaxErrorInTheFile() {
    List<String> problems = check("{\"type\": \"record\",\n \"name\": }", "BACKWARD");
    assertTrue(problems.get(0).startsWith("schemas/acme/events.avsc:2:"), problems.get(0));
  }
}
