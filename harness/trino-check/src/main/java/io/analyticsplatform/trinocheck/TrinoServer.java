package io.analyticsplatform.trinocheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trino.Session;
import io.trino.plugin.memory.MemoryPlugin;
import io.trino.server.testing.TestingTrinoServer;
import io.trino.testing.DistributedQueryRunner;
import io.trino.testing.MaterializedRow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.trino.testing.TestingSession.testSessionBuilder;

/**
 * `TrinoServer REQUEST OUT`: a real Trino coordinator in-process (trino-testing's DistributedQueryRunner) with
 * the rendered rules as its file-based system access control, and the memory connector as the `lake` and
 * `druid` catalogs (the Iceberg and Druid connectors need their stores). As the admin it creates each lake
 * tenant's schema and events table and every tenant's Druid tables; then, as each lake tenant, it runs the
 * SQL a tenant would: its own table, every other tenant's, the lake's schema list, drivers' table list of
 * the Druid catalog, the query list, an insert. Last it reads /metrics as the metrics user. Writes every
 * statement with its outcome and what the platform expects, and the /metrics text beside OUT.
 */
public final class TrinoServer {
  private TrinoServer() {}

  /** A statement run as a user, what the platform expects of it, and what Trino did. */
  record Statement(String subject, String user, String sql, boolean mustSucceed, String expectation, boolean succeeded, String outcome) {
    boolean ok() {
      return mustSucceed == succeeded && (expectation == null || outcome.equals(expectation));
    }
  }

  public static void main(String[] args) throws Exception {
    JsonNode request = AccessMatrix.JSON.readTree(Path.of(args[0]).toFile());
    AccessMatrix.Request m = AccessMatrix.Request.of(request.path("matrix"));
    Map<String, Set<String>> groups = FileGroups.parse(Files.readString(Path.of(request.path("groupFile").asText())));
    Map<String, String> access = new LinkedHashMap<>();
    access.put("security.config-file", request.path("rulesFile").asText());
    if (request.hasNonNull("refreshPeriod")) access.put("security.refresh-period", request.path("refreshPeriod").asText());

    Session admin = session(m.adminUser(), groups);
    List<Statement> statements = new ArrayList<>();
    ObjectNode out = AccessMatrix.JSON.createObjectNode().put("trino", TestingTrinoServer.class.getPackage().getImplementationVersion());
    try (DistributedQueryRunner trino = DistributedQueryRunner.builder(admin).setWorkerCount(0).setSystemAccessControl("file", access).build()) {
      // The group file through the coordinator's group provider, which sets every session's groups.
      trino.getCoordinator().getGroupProvider().setConfiguredGroupProvider(user -> AccessMatrix.identity(user, groups).getGroups());
      trino.installPlugin(new MemoryPlugin());
      trino.createCatalog(m.lakeCatalog(), "memory", Map.of());
      trino.createCatalog(m.druidCatalog(), "memory", Map.of());
      trino.execute(admin, "CREATE SCHEMA " + m.druidCatalog() + "." + m.druidSchema());
      for (AccessMatrix.Tenant t : m.tenants()) {
        for (String table : t.druidTables()) trino.execute(admin, "CREATE TABLE " + druid(m, table) + " AS SELECT TIMESTAMP '2026-06-01 12:00:00' AS __time");
        if (t.trinoUser() == null) continue;
        trino.execute(admin, "CREATE SCHEMA " + m.lakeCatalog() + "." + t.lakeSchema());
        trino.execute(admin, "CREATE TABLE " + lake(m, t) + " AS SELECT 'e1' AS event_id");
      }
      for (AccessMatrix.Tenant t : m.tenants()) {
        if (t.trinoUser() == null) continue;
        Session s = session(t.trinoUser(), groups);
        statements.add(run(trino, s, t.name(), "SELECT count(*) FROM " + lake(m, t), true, "1"));
        statements.add(run(trino, s, t.name(), "INSERT INTO " + lake(m, t) + " VALUES ('e2')", false, null));
        for (AccessMatrix.Tenant o : m.tenants()) {
          if (o == t) continue;
          if (o.trinoUser() != null) statements.add(run(trino, s, t.name(), "SELECT count(*) FROM " + lake(m, o), false, null));
          for (String table : o.druidTables()) statements.add(run(trino, s, t.name(), "SELECT count(*) FROM " + druid(m, table), false, null));
        }
        // What the metadata shows: only the tenant's own schema and tables, only its own queries.
        statements.add(run(trino, s, t.name(), "SELECT schema_name FROM " + m.lakeCatalog() + ".information_schema.schemata WHERE schema_name <> 'information_schema' ORDER BY 1",
            true, t.lakeSchema()));
        statements.add(run(trino, s, t.name(), "SELECT table_name FROM system.jdbc.tables WHERE table_cat = '" + m.druidCatalog() + "' AND table_schem = '"
            + m.druidSchema() + "' ORDER BY 1", true, String.join(",", new TreeSet<>(t.druidTables()))));
        // The cluster's tables stay closed; the query list (REST, what the Web UI and CLI read) shows only its own.
        statements.add(run(trino, s, t.name(), "SELECT DISTINCT \"user\" FROM system.runtime.queries ORDER BY 1", false, null));
        statements.add(queryList(trino.getCoordinator().getBaseUrl(), t.name(), t.trinoUser()));
      }
      ArrayNode list = out.putArray("statements");
      for (Statement st : statements) {
        list.addObject().put("subject", st.subject()).put("user", st.user()).put("sql", st.sql()).put("expected", st.mustSucceed() ? (st.expectation() == null ? "succeeds" : "returns " + st.expectation()) : "denied")
            .put("outcome", st.outcome()).put("ok", st.ok());
      }
      out.set("metrics", metrics(trino.getCoordinator().getBaseUrl(), request.path("matrix").path("metricsUser").asText(), Path.of(args[1] + ".metrics")));
    }
    AccessMatrix.JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(args[1]).toFile(), out);
    System.exit(0);
  }

  static String lake(AccessMatrix.Request m, AccessMatrix.Tenant t) {
    return m.lakeCatalog() + "." + t.lakeSchema() + "." + m.lakeTable();
  }

  /** Druid datasources hold `-` (`acme-eu_events`): quoted identifiers. */
  static String druid(AccessMatrix.Request m, String table) {
    return m.druidCatalog() + "." + m.druidSchema() + ".\"" + table + "\"";
  }

  /** The user's session, with the groups the group file gives it (the coordinator's group provider answers the same). */
  static Session session(String user, Map<String, Set<String>> groups) {
    return testSessionBuilder().setIdentity(AccessMatrix.identity(user, groups)).build();
  }

  /** Runs `sql`; the outcome is the rows joined by `,` (one column), or Trino's error message. */
  static Statement run(DistributedQueryRunner trino, Session s, String subject, String sql, boolean mustSucceed, String expectation) {
    try {
      List<String> rows = new ArrayList<>();
      for (MaterializedRow row : trino.execute(s, sql).getMaterializedRows()) rows.add(String.valueOf(row.getField(0)));
      return new Statement(subject, s.getUser(), sql, mustSucceed, expectation, true, String.join(",", rows));
    } catch (RuntimeException e) {
      return new Statement(subject, s.getUser(), sql, mustSucceed, expectation, false, String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }

  /** GET /v1/query as `user`: the users whose queries it lists (Trino filters them by the query rules) must be only `user`. */
  static Statement queryList(URI base, String subject, String user) {
    String what = "GET /v1/query (the users of the queries listed)";
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/v1/query")).header("X-Trino-User", user).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) return new Statement(subject, user, what, true, user, false, "HTTP " + r.statusCode());
      Set<String> users = new TreeSet<>();
      AccessMatrix.JSON.readTree(r.body()).forEach(q -> users.add(q.path("session").path("user").asText()));
      return new Statement(subject, user, what, true, user, true, String.join(",", users));
    } catch (Exception e) {
      return new Statement(subject, user, what, true, user, false, e.toString());
    }
  }

  /** GET /metrics as Prometheus does (the metrics user): its status, and its text in `file` for the harness to read. */
  static ObjectNode metrics(URI base, String user, Path file) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/metrics")).header("X-Trino-User", user).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    Files.writeString(file, r.body());
    return AccessMatrix.JSON.createObjectNode().put("user", user).put("status", r.statusCode()).put("file", file.toString());
  }
}
