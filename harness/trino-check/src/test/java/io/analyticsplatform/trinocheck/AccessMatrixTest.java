package io.analyticsplatform.trinocheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.analyticsplatform.trinocheck.AccessMatrix.Answer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The matrix on Trino's own access control: a rule set shaped like the platform's, then broken one way per test. */
class AccessMatrixTest {
  @TempDir Path dir;

  static final String GROUPS = "platform-admins:admin\ntenant-acme:tenant-acme\ntenant-acme-eu:tenant-acme-eu\n";
  static final AccessMatrix.Request MATRIX = new AccessMatrix.Request("lake", "events", "druid", "druid", "admin", List.of(
      new AccessMatrix.Tenant("acme", "tenant-acme", "acme", List.of("acme_events")),
      new AccessMatrix.Tenant("acme-eu", "tenant-acme-eu", "acme_eu", List.of("acme-eu_events")),
      new AccessMatrix.Tenant("globex", null, "globex", List.of("globex_events"))));

  static String rules(String tenantSchemaPattern, boolean queries) {
    return rules(tenantSchemaPattern, queries, true);
  }

  /** `locked`: only admins set catalog session properties and call procedures. */
  static String rules(String tenantSchemaPattern, boolean queries, boolean locked) {
    StringBuilder tenants = new StringBuilder();
    for (String[] t : new String[][] {{"acme", "acme"}, {"acme-eu", "acme_eu"}}) {
      String schema = tenantSchemaPattern.replace("SCHEMA", t[1]);
      tenants.append("""
          {"group": "tenant-%1$s", "catalog": "lake", "schema": "%2$s", "privileges": ["SELECT"]},
          {"group": "tenant-%1$s", "catalog": "druid", "schema": "druid", "table": "%1$s_.*", "privileges": ["SELECT"]},
          """.formatted(t[0], schema));
    }
    return """
        {
          "catalogs": [{"group": "platform-admins", "allow": "all"}, {"group": "tenant-(acme|acme-eu)", "catalog": "(lake|druid)", "allow": "read-only"},
                       {"catalog": "system", "allow": "read-only"}, {"allow": "none"}],
          "schemas": [{"group": "platform-admins", "owner": true}, {"group": "tenant-.*", "catalog": "(lake|druid)", "owner": false},
                      {"catalog": "system", "schema": "(jdbc|metadata|information_schema)", "owner": false}],
          "tables": [{"group": "platform-admins", "privileges": ["SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP"]},
                     %s
                     {"catalog": "system", "schema": "(jdbc|metadata|information_schema)", "privileges": ["SELECT"]}, {"privileges": []}],
          %s
          %s
          "system_information": [{"user": "admin", "allow": ["read", "write"]}]
        }
        """.formatted(tenants, queries ? "\"queries\": [{\"group\": \"platform-admins\", \"allow\": [\"execute\", \"kill\", \"view\"]}, {\"allow\": [\"execute\"]}]," : "",
            locked ? """
                "catalog_session_properties": [{"group": "platform-admins", "allow": true}, {"allow": false}],
                "procedures": [{"group": "platform-admins", "privileges": ["EXECUTE"]}, {"privileges": []}],
                """ : "");
  }

  List<Answer> ask(String rules) throws IOException {
    Path file = Files.writeString(dir.resolve("rules.json"), rules);
    return AccessMatrix.ask(AccessMatrix.load(file, null), FileGroups.parse(GROUPS), MATRIX);
  }

  static List<Answer> wrong(List<Answer> answers) {
    return answers.stream().filter(a -> !a.ok()).toList();
  }

  @Test
  void ownAllowedOthersDenied() throws IOException {
    List<Answer> answers = ask(rules("SCHEMA", true));
    assertEquals(List.of(), wrong(answers));
    assertTrue(answers.stream().anyMatch(a -> a.subject().equals("acme") && "acme-eu".equals(a.target()) && a.question().equals("select") && !a.allowed()));
    assertTrue(answers.stream().anyMatch(a -> a.subject().equals("acme") && "acme".equals(a.target()) && a.question().equals("select") && a.allowed()));
  }

  @Test
  void withoutQueryRulesATenantSeesAndKillsOthersQueries() throws IOException {
    List<String> bad = wrong(ask(rules("SCHEMA", false))).stream().map(a -> a.subject() + " " + a.question() + " " + a.target()).toList();
    assertTrue(bad.containsAll(List.of("acme view query acme-eu", "acme kill query acme-eu", "acme-eu view query acme")), bad.toString());
  }

  @Test
  void withoutTheirRulesTenantsLowerTheRetentionFloorAndNobodyCallsProcedures() throws IOException {
    // Trino's defaults differ per section: a missing catalog_session_properties allows everyone, a missing
    // procedures section denies everyone, the admin included.
    List<String> bad = wrong(ask(rules("SCHEMA", true, false))).stream().map(a -> a.subject() + " " + a.question()).toList();
    assertEquals(List.of("acme set catalog session property", "acme-eu set catalog session property", "platform admin execute procedure"), bad);
  }

  @Test
  void aPrefixPatternLetsAcmeReadAcmeEu() throws IOException {
    // `acme.*` matches acme_eu: the classic prefix leak between acme and acme-eu.
    List<Answer> bad = wrong(ask(rules("SCHEMA.*", true)));
    assertTrue(bad.stream().anyMatch(a -> a.subject().equals("acme") && "acme-eu".equals(a.target()) && a.resource().equals("lake.acme_eu.events")), bad.toString());
    assertTrue(bad.stream().noneMatch(a -> a.subject().equals("acme-eu")), bad.toString());
  }

  @Test
  void trinoRefusesAFieldItDoesNotKnow() throws IOException {
    Path file = Files.writeString(dir.resolve("rules.json"), rules("SCHEMA", true).replace("{\"user\": \"admin\", \"allow\"", "{\"group\": \"platform-admins\", \"allow\""));
    RuntimeException e = assertThrows(RuntimeException.class, () -> AccessMatrix.load(file, null));
    assertTrue(AccessMatrix.refusal(e).startsWith("Unrecognized field \"group\""), AccessMatrix.refusal(e));
  }

  @Test
  void groupsComeFromTheGroupFile() {
    assertEquals(Map.of("a", Set.of("u1", "u2")), FileGroups.parse("a:u1,u2\n\n"));
    assertFalse(AccessMatrix.identity("nobody", FileGroups.parse(GROUPS)).getGroups().iterator().hasNext());
    assertThrows(IllegalArgumentException.class, () -> FileGroups.parse("no-colon"));
  }
}
