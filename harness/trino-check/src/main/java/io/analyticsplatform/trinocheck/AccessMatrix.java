package io.analyticsplatform.trinocheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.trino.plugin.base.security.FileBasedSystemAccessControl;
import io.trino.spi.QueryId;
import io.trino.spi.connector.CatalogSchemaName;
import io.trino.spi.connector.CatalogSchemaRoutineName;
import io.trino.spi.connector.CatalogSchemaTableName;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.security.AccessDeniedException;
import io.trino.spi.security.Identity;
import io.trino.spi.security.SystemAccessControl;
import io.trino.spi.security.SystemAccessControlFactory;
import io.trino.spi.security.SystemSecurityContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * `AccessMatrix REQUEST OUT`: loads the rendered lake rules with Trino's own file-based system access control, as
 * the coordinator does, and asks it every question of the tenant matrix: for each subject (every lake tenant's
 * user, the platform admin and an authenticated user in no group) about each tenant's lake schema, Druid tables,
 * queries and user. Writes every answer with what the platform expects; exit 0 when all match, 1 when one does
 * not, 2 when Trino refuses the rules.
 */
public final class AccessMatrix {
  static final ObjectMapper JSON = new ObjectMapper();
  /** A user Trino authenticates who is in no group of the group file. */
  static final String UNGROUPED_USER = "anonymous";

  private AccessMatrix() {}

  /** A tenant as the program names it; `trinoUser` is null for a tenant without the lake (it has no Trino login). */
  public record Tenant(String name, String trinoUser, String lakeSchema, List<String> druidTables) {}

  /** What the matrix is about: the catalogs' names, the lake's table, the admin user and the tenants. */
  public record Request(String lakeCatalog, String lakeTable, String druidCatalog, String druidSchema, String adminUser, List<Tenant> tenants) {
    static Request of(JsonNode n) {
      List<Tenant> tenants = new ArrayList<>();
      for (JsonNode t : n.path("tenants")) {
        List<String> tables = new ArrayList<>();
        t.path("druidTables").forEach(x -> tables.add(x.asText()));
        tenants.add(new Tenant(t.path("name").asText(), t.hasNonNull("trinoUser") ? t.path("trinoUser").asText() : null, t.path("lakeSchema").asText(), List.copyOf(tables)));
      }
      return new Request(n.path("lakeCatalog").asText(), n.path("lakeTable").asText(), n.path("druidCatalog").asText(), n.path("druidSchema").asText(),
          n.path("adminUser").asText(), List.copyOf(tenants));
    }
  }

  /** What the platform requires of an answer. */
  public enum Expect { ALLOW, DENY, EITHER }

  /** Who asks: a tenant's user, the platform admin, or an authenticated user in no group. */
  public enum Kind { TENANT, ADMIN, UNGROUPED }

  /**
   * One question and Trino's answer. `subject` is the asking tenant's name, or a label no tenant name can take;
   * `target` is the tenant asked about, or null for a cluster-wide question.
   */
  public record Answer(String subject, Kind kind, String target, String question, String resource, boolean allowed, Expect expected) {
    boolean ok() {
      return expected == Expect.EITHER || allowed == (expected == Expect.ALLOW);
    }
  }

  /** Who asks, as Trino identifies them; `tenant` set for a tenant's user. */
  record Subject(String label, Kind kind, Identity identity, Tenant tenant) {
    boolean admin() {
      return kind == Kind.ADMIN;
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: AccessMatrix REQUEST.json OUT.json");
      System.exit(64);
    }
    JsonNode request = JSON.readTree(Path.of(args[0]).toFile());
    SystemAccessControl control;
    try {
      control = load(Path.of(request.path("rulesFile").asText()), request.path("refreshPeriod").asText(null));
    } catch (RuntimeException e) {
      // Trino's own message (an unknown field, a bad pattern): the coordinator would fail to start with it.
      System.err.println("Trino refuses the rules: " + refusal(e));
      System.exit(2);
      return;
    }
    Map<String, Set<String>> groups = FileGroups.parse(Files.readString(Path.of(request.path("groupFile").asText())));
    List<Answer> answers = ask(control, groups, Request.of(request.path("matrix")));
    ObjectNode out = JSON.createObjectNode().put("trino", FileBasedSystemAccessControl.class.getPackage().getImplementationVersion());
    ArrayNode list = out.putArray("answers");
    for (Answer a : answers) {
      list.addObject().put("subject", a.subject()).put("kind", a.kind().name().toLowerCase()).put("target", a.target()).put("question", a.question()).put("resource", a.resource())
          .put("allowed", a.allowed()).put("expected", a.expected().name().toLowerCase()).put("ok", a.ok());
    }
    JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(args[1]).toFile(), out);
    System.exit(answers.stream().allMatch(Answer::ok) ? 0 : 1);
  }

  /**
   * The access control the coordinator builds from the chart's access-control.properties (trinodb/charts
   * templates/configmap-coordinator.yaml: `access-control.name=file`, `security.config-file`,
   * `security.refresh-period`), through the factory Trino registers under `file`.
   */
  public static SystemAccessControl load(Path rulesFile, String refreshPeriod) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("security.config-file", rulesFile.toString());
    if (refreshPeriod != null) config.put("security.refresh-period", refreshPeriod);
    SystemAccessControlFactory factory = new FileBasedSystemAccessControl.Factory();
    return factory.create(config, new SystemAccessControlFactory.SystemAccessControlContext() {
      @Override public String getVersion() {
        return "verify";
      }

      @Override public OpenTelemetry getOpenTelemetry() {
        return OpenTelemetry.noop();
      }

      @Override public Tracer getTracer() {
        return OpenTelemetry.noop().getTracer("verify");
      }
    });
  }

  /** Why Trino refused: the innermost cause's first line (Guice wraps Jackson's "Unrecognized field …" twice). */
  public static String refusal(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return String.valueOf(root.getMessage()).lines().findFirst().orElse(root.getClass().getName());
  }

  /** Every question of the matrix, answered by `control`. */
  public static List<Answer> ask(SystemAccessControl control, Map<String, Set<String>> groups, Request r) {
    List<Subject> subjects = new ArrayList<>();
    for (Tenant t : r.tenants()) if (t.trinoUser() != null) subjects.add(new Subject(t.name(), Kind.TENANT, identity(t.trinoUser(), groups), t));
    // Labels with spaces: tenant names are [a-z0-9-], so these never clash with one.
    subjects.add(new Subject("platform admin", Kind.ADMIN, identity(r.adminUser(), groups), null));
    subjects.add(new Subject("user in no group", Kind.UNGROUPED, identity(UNGROUPED_USER, groups), null));

    List<Answer> answers = new ArrayList<>();
    for (Subject s : subjects) {
      SystemSecurityContext ctx = new SystemSecurityContext(s.identity(), new QueryId("verify"), Instant.now());
      Expect tenantOrAdmin = s.admin() || s.tenant() != null ? Expect.ALLOW : Expect.DENY;
      // Cluster-wide questions: the catalogs a tenant reads, drivers' metadata, and cluster management.
      answers.add(answer(s, null, "access catalog", r.lakeCatalog(), tenantOrAdmin, () -> control.canAccessCatalog(ctx, r.lakeCatalog())));
      answers.add(answer(s, null, "access catalog", r.druidCatalog(), tenantOrAdmin, () -> control.canAccessCatalog(ctx, r.druidCatalog())));
      answers.add(answer(s, null, "select drivers' metadata", "system.jdbc.tables", s.admin() || s.tenant() != null ? Expect.ALLOW : Expect.EITHER,
          () -> allowed(() -> control.checkCanSelectFromColumns(ctx, table("system", "jdbc", "tables"), Set.of("table_name")))));
      answers.add(answer(s, null, "select", "system.runtime.nodes", s.admin() ? Expect.ALLOW : Expect.DENY,
          () -> allowed(() -> control.checkCanSelectFromColumns(ctx, table("system", "runtime", "nodes"), Set.of("node_id")))));
      answers.add(answer(s, null, "write system information", "cluster", s.admin() ? Expect.ALLOW : Expect.DENY,
          () -> allowed(() -> control.checkCanWriteSystemInformation(s.identity()))));
      // The lake's retention floor is a catalog session property: a user who may set it may expire any snapshot.
      answers.add(answer(s, null, "set catalog session property", r.lakeCatalog() + ".expire_snapshots_min_retention", s.admin() ? Expect.ALLOW : Expect.DENY,
          () -> allowed(() -> control.checkCanSetCatalogSessionProperty(ctx, r.lakeCatalog(), "expire_snapshots_min_retention"))));
      // Iceberg's procedures take any schema and table as arguments: unregister_table, rollback_to_snapshot …
      answers.add(answer(s, null, "execute procedure", r.lakeCatalog() + ".system.unregister_table", s.admin() ? Expect.ALLOW : Expect.DENY,
          () -> allowed(() -> control.checkCanExecuteProcedure(ctx, new CatalogSchemaRoutineName(r.lakeCatalog(), "system", "unregister_table")))));

      for (Tenant t : r.tenants()) {
        boolean own = s.tenant() == t;
        // A tenant reads its own data, never writes it; the admin reads and writes all; nobody else reads any.
        Expect read = s.admin() || (own && t.trinoUser() != null) ? Expect.ALLOW : Expect.DENY;
        Expect write = s.admin() ? Expect.ALLOW : Expect.DENY;
        if (t.trinoUser() != null) {
          CatalogSchemaTableName lake = table(r.lakeCatalog(), t.lakeSchema(), r.lakeTable());
          answers.add(answer(s, t.name(), "see schema", r.lakeCatalog() + "." + t.lakeSchema(), read,
              () -> !control.filterSchemas(ctx, r.lakeCatalog(), Set.of(t.lakeSchema())).isEmpty()));
          answers.add(answer(s, t.name(), "show tables", r.lakeCatalog() + "." + t.lakeSchema(), read,
              () -> allowed(() -> control.checkCanShowTables(ctx, new CatalogSchemaName(r.lakeCatalog(), t.lakeSchema())))));
          answers.add(answer(s, t.name(), "see table", lake.toString(), read,
              () -> !control.filterTables(ctx, r.lakeCatalog(), Set.of(lake.getSchemaTableName())).isEmpty()));
          answers.add(answer(s, t.name(), "see columns", lake.toString(), read,
              () -> !control.filterColumns(ctx, lake, Set.of("event_id")).isEmpty()));
          answers.add(answer(s, t.name(), "select", lake.toString(), read,
              () -> allowed(() -> control.checkCanSelectFromColumns(ctx, lake, Set.of("event_id", "event_time")))));
          answers.add(answer(s, t.name(), "insert", lake.toString(), write, () -> allowed(() -> control.checkCanInsertIntoTable(ctx, lake))));
          answers.add(answer(s, t.name(), "drop table", lake.toString(), write, () -> allowed(() -> control.checkCanDropTable(ctx, lake))));
          // ALTER TABLE … EXECUTE: file-based access control has no rule for table procedures and allows them all
          // (FileBasedSystemAccessControl.checkCanExecuteTableProcedure is empty); recorded, not judged. With the
          // session property above denied, expire_snapshots by another user still keeps the catalog's floor.
          answers.add(answer(s, t.name(), "execute table procedure", lake + " optimize", s.admin() ? Expect.ALLOW : Expect.EITHER,
              () -> allowed(() -> control.checkCanExecuteTableProcedure(ctx, lake, "optimize"))));
        }
        for (String name : t.druidTables()) {
          CatalogSchemaTableName druid = table(r.druidCatalog(), r.druidSchema(), name);
          answers.add(answer(s, t.name(), "see table", druid.toString(), read,
              () -> !control.filterTables(ctx, r.druidCatalog(), Set.of(druid.getSchemaTableName())).isEmpty()));
          answers.add(answer(s, t.name(), "select", druid.toString(), read,
              () -> allowed(() -> control.checkCanSelectFromColumns(ctx, druid, Set.of("__time")))));
        }
        if (t.trinoUser() != null) {
          Identity owner = identity(t.trinoUser(), groups);
          Expect others = s.admin() || own ? Expect.ALLOW : Expect.DENY;
          answers.add(answer(s, t.name(), "view query", "queries of " + t.trinoUser(), others, () -> mayViewQuery(control, s.identity(), owner)));
          answers.add(answer(s, t.name(), "kill query", "queries of " + t.trinoUser(), others, () -> mayKillQuery(control, s.identity(), owner)));
          // Impersonation is not granted to anyone, the admin included: the rules have no impersonation section.
          answers.add(answer(s, t.name(), "impersonate", t.trinoUser(), own ? Expect.ALLOW : s.admin() ? Expect.EITHER : Expect.DENY,
              () -> mayImpersonate(control, s.identity(), t.trinoUser())));
        }
      }
    }
    return answers;
  }

  /**
   * The user's groups as the coordinator resolves them, through the group provider, before any access check
   * (trino-main `Identity` from `GroupProviderManager`); they are not part of the identity a client sends.
   */
  static Identity identity(String user, Map<String, Set<String>> groups) {
    Set<String> of = new LinkedHashSet<>();
    groups.forEach((group, users) -> {
      if (users.contains(user)) of.add(group);
    });
    return Identity.forUser(user).withGroups(of).build();
  }

  /** A user always sees their own queries: Trino asks the access control only about others' (trino-main AccessControlUtil). */
  static boolean mayViewQuery(SystemAccessControl control, Identity who, Identity owner) {
    return who.getUser().equals(owner.getUser()) || allowed(() -> control.checkCanViewQueryOwnedBy(who, owner));
  }

  /** A user always kills their own queries (trino-main AccessControlUtil.checkCanKillQueryOwnedBy). */
  static boolean mayKillQuery(SystemAccessControl control, Identity who, Identity owner) {
    return who.getUser().equals(owner.getUser()) || allowed(() -> control.checkCanKillQueryOwnedBy(who, owner));
  }

  /** Acting as oneself is no impersonation: Trino checks only a user other than the authenticated one (trino-main HttpRequestSessionContextFactory). */
  static boolean mayImpersonate(SystemAccessControl control, Identity who, String user) {
    return who.getUser().equals(user) || allowed(() -> control.checkCanImpersonateUser(who, user));
  }

  private static Answer answer(Subject s, String target, String question, String resource, Expect expected, BooleanSupplier trino) {
    return new Answer(s.label(), s.kind(), target, question, resource, trino.getAsBoolean(), expected);
  }

  private static boolean allowed(Runnable check) {
    try {
      check.run();
      return true;
    } catch (AccessDeniedException e) {
      return false;
    }
  }

  private static CatalogSchemaTableName table(String catalog, String schema, String table) {
    return new CatalogSchemaTableName(catalog, new SchemaTableName(schema, table));
  }
}
