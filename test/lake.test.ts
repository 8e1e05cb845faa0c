import { beforeAll, describe, expect, it } from "vitest";
import { buildLake, DRUID_CATALOG, DRUID_SCHEMA, LAKE_CATALOG, LakeTenantModel, TrinoRules, trinoAccessRules, trinoGroups, trinoNode } from "../model/lake";
import { tenantNaming } from "../model/naming";
import { fakeSecretValue } from "../offline/mocks";
import { manifestsOf, RenderResult } from "../offline/render";
import { at, ofType, one, render, stackConfig } from "./harness";

/** Trino matches rule patterns against the whole value (Java regex, anchored). */
const full = (pattern: string | undefined, value: string) => pattern === undefined || new RegExp(`^(?:${pattern})$`).test(value);
const admin = { user: "admin", groups: ["platform-admins"] };

/** Trino's file-based access control as documented: the first matching rule decides; no match denies. */
function canSelect(rules: TrinoRules, who: { user: string; groups: string[] }, catalog: string, schema: string, table: string): boolean {
  const inGroup = (g: string | undefined) => g === undefined || who.groups.some((x) => full(g, x));
  const cat = rules.catalogs.find((r) => inGroup(r.group) && full(r.catalog, catalog));
  if (!cat || cat.allow === "none") return false;
  const sch = rules.schemas.find((r) => inGroup(r.group) && full(r.catalog, catalog) && full(r.schema, schema));
  if (!sch) return false;
  const tab = rules.tables.find((r) => inGroup(r.group) && full(r.catalog, catalog) && full(r.schema, schema) && full(r.table, table));
  return tab !== undefined && tab.privileges.includes("SELECT");
}

const tenantsConfig = ["acme", "acme-eu", "globex", "a", "a-1"].map((name) => ({ name, peakEventsPerSecond: 1, retentionDays: 30, topics: [], lake: true }));
const lakeTenants = buildLake({ environment: "prod", cloud: "aws", tenants: tenantsConfig }).tenants;
const rules = trinoAccessRules(lakeTenants);
const member = (t: LakeTenantModel) => ({ user: t.user, groups: [t.group] });

describe("Trino access rules", () => {
  it("a tenant reads its own lake schema and its own Druid datasources", () => {
    for (const t of lakeTenants) {
      expect(canSelect(rules, member(t), LAKE_CATALOG, t.schema, "events")).toBe(true);
      expect(canSelect(rules, member(t), DRUID_CATALOG, DRUID_SCHEMA, tenantNaming.druidDatasource(t.tenant, "events"))).toBe(true);
    }
  });

  it("no tenant's rules reach another tenant's schema or datasources, in any catalog (acme vs acme-eu, a vs a-1 included)", () => {
    for (const a of lakeTenants) {
      for (const b of lakeTenants.filter((x) => x !== a)) {
        expect(canSelect(rules, member(a), LAKE_CATALOG, b.schema, "events"), `${a.tenant} -> lake.${b.schema}`).toBe(false);
        for (const ds of ["events", "events-per-minute", "anomalies"]) {
          expect(canSelect(rules, member(a), DRUID_CATALOG, DRUID_SCHEMA, tenantNaming.druidDatasource(b.tenant, ds)), `${a.tenant} -> druid ${b.tenant}_${ds}`).toBe(false);
        }
      }
    }
  });

  it("tenants see no other catalog; users outside any group see nothing; admins see everything", () => {
    const t = lakeTenants[0];
    expect(canSelect(rules, member(t), "system", "runtime", "queries")).toBe(false);
    expect(canSelect(rules, { user: "mallory", groups: [] }, LAKE_CATALOG, t.schema, "events")).toBe(false);
    expect(canSelect(rules, admin, LAKE_CATALOG, t.schema, "events")).toBe(true);
    expect(canSelect(rules, admin, DRUID_CATALOG, DRUID_SCHEMA, "anything")).toBe(true);
  });

  it("only admins see or kill other users' queries; only admins manage the cluster, Prometheus reads it", () => {
    /** Trino's query rules: the first rule matching the user decides; a user's own queries are always theirs. */
    const may = (who: { user: string; groups: string[] }, action: "view" | "kill", owner: string) =>
      owner === who.user || (rules.queries.find((r) => r.group === undefined || who.groups.some((g) => full(r.group, g)))?.allow.includes(action) ?? false);
    const [a, b] = lakeTenants;
    for (const action of ["view", "kill"] as const) {
      expect(may(member(a), action, b.user), `${a.tenant} ${action}s ${b.tenant}'s query`).toBe(false);
      expect(may(member(a), action, a.user)).toBe(true);
      expect(may(admin, action, b.user)).toBe(true);
    }
    expect(rules.queries.at(-1)).toEqual({ allow: ["execute"] });
    // Prometheus may read (the coordinator's /metrics is a management resource), nothing else.
    expect(rules.system_information).toEqual([{ user: "admin", allow: ["read", "write"] }, { user: "prometheus", allow: ["read"] }]);
    // Trino's SystemInformationRule takes allow, user and role only: `group` made the coordinator fail at start
    // (UnrecognizedPropertyException: Unrecognized field "group", measured with Trino 476's FileBasedSystemAccessControl).
    for (const rule of rules.system_information) expect(Object.keys(rule).every((k) => ["allow", "user", "role"].includes(k)), JSON.stringify(rule)).toBe(true);
  });

  it("drivers' metadata (system.jdbc) works for tenants: the system rule comes before the catch-all deny", () => {
    const t = lakeTenants[0];
    expect(canSelect(rules, member(t), "system", "jdbc", "tables")).toBe(true);
    expect(canSelect(rules, member(t), "system", "information_schema", "columns")).toBe(true);
    expect(canSelect(rules, member(t), "system", "runtime", "nodes")).toBe(false);
    expect(rules.catalogs.findIndex((r) => r.catalog === "system")).toBeLessThan(rules.catalogs.findIndex((r) => r.catalog === undefined && r.group === undefined));
  });

  it("tenants are read-only; each user is in its tenant's group", () => {
    expect(rules.catalogs.filter((r) => r.group?.startsWith("tenant-")).every((r) => r.allow === "read-only")).toBe(true);
    expect(trinoGroups(lakeTenants).split("\n")).toEqual(["platform-admins:admin", ...lakeTenants.map((t) => `tenant-${t.tenant}:tenant-${t.tenant}`)]);
  });

  it("schemas are SQL identifiers: '-' becomes '_'", () => {
    expect(lakeTenants.map((t) => t.schema)).toEqual(["acme", "acme_eu", "globex", "a", "a_1"]);
  });
});

describe("rendered lake", () => {
  let dev: RenderResult;
  let prod: RenderResult;
  beforeAll(async () => {
    dev = await render("dev", stackConfig("dev"));
    prod = await render("prod", stackConfig("prod"));
  });
  const trino = (r: RenderResult) => at(one(r, "kubernetes:helm.sh/v3:Release", "trino").inputs, "values") as Record<string, unknown>;

  it("catalogs: Iceberg on Glue with SSE-KMS on aws, the in-cluster REST catalog on local; Druid in both", () => {
    const prodLake = String(at(trino(prod), "catalogs", "lake"));
    expect(prodLake).toContain("iceberg.catalog.type=glue");
    expect(prodLake).toMatch(/s3\.sse\.type=KMS\ns3\.sse\.kms-key-id=arn:aws:kms:/);
    expect(prodLake).toContain("hive.metastore.glue.catalogid=123456789012");
    const devLake = String(at(trino(dev), "catalogs", "lake"));
    expect(devLake).toContain("iceberg.catalog.type=rest");
    expect(devLake).toContain("iceberg.rest-catalog.uri=http://nessie.lake.svc:19120/iceberg");
    expect(devLake).toContain("s3.aws-secret-key=${ENV:AWS_SECRET_ACCESS_KEY}");
    for (const r of [dev, prod]) expect(String(at(trino(r), "catalogs", "druid"))).toContain("connection-password=${ENV:DRUID_ADMIN_PASSWORD}");
    expect(one(dev, "kubernetes:helm.sh/v3:Release", "nessie")).toBeDefined();
    expect(ofType(prod, "kubernetes:helm.sh/v3:Release").map((x) => x.name)).not.toContain("nessie");
  });

  it("Nessie's volume takes the configured storage class, or the cluster's default, never the chart's 'standard'", async () => {
    const nessie = (r: RenderResult) => at(one(r, "kubernetes:helm.sh/v3:Release", "nessie").inputs, "values", "rocksdb", "storageClassName");
    expect(nessie(dev)).toBeNull();
    expect(nessie(await render("dev", stackConfig("dev", { lake: { storageClass: "local-path" } })))).toBe("local-path");
  });

  it("Trino's heap and query memory fit its container, not the chart's 8G default", () => {
    for (const r of [dev, prod]) {
      for (const node of ["coordinator", "worker"]) {
        const v = at(trino(r), node) as { resources: { limits: { memory: string } }; jvm: { maxHeapSize: string }; config: { query: { maxMemoryPerNode: string } } };
        const limitMi = Number(/^(\d+)Gi$/.exec(v.resources.limits.memory)![1]) * 1024;
        const heapMi = Number(/^(\d+)M$/.exec(v.jvm.maxHeapSize)![1]);
        const queryMi = Number(/^(\d+)MB$/.exec(v.config.query.maxMemoryPerNode)![1]);
        expect(heapMi, node).toBeLessThan(limitMi);
        // Trino starts only if the query memory plus the 30% heap headroom fits in the heap.
        expect(queryMi + 0.3 * heapMi, node).toBeLessThanOrEqual(heapMi);
      }
    }
    expect(trinoNode("1", 2)).toEqual({ cpu: "1", memoryGi: 2, maxHeapSize: "1536M", maxMemoryPerNode: "921MB" });
  });

  it("Trino authenticates with passwords over HTTPS and applies the generated rules", () => {
    for (const r of [dev, prod]) {
      const v = trino(r);
      expect(at(v, "server", "config", "authenticationType")).toBe("PASSWORD");
      expect(at(v, "server", "config", "https", "enabled")).toBe(true);
      expect(at(v, "auth", "passwordAuthSecret")).toBe("trino-password-file");
      expect(JSON.parse(String(at(v, "accessControl", "rules", "rules.json")))).toHaveProperty("tables");
      expect(at(one(r, "kubernetes:core/v1:Secret", "platform-lake-password-file").inputs, "stringData", "password.db")).toBe("[secret]");
    }
  });

  it("Prometheus scrapes the coordinator over HTTPS as a user Trino knows and lets read its metrics", () => {
    for (const r of [dev, prod]) {
      const monitor = ofType(r, "kubernetes:monitoring.coreos.com/v1:PodMonitor").find((m) => at(m.inputs, "metadata", "name") === "trino")!;
      expect(at(monitor.inputs, "metadata", "namespace")).toBe("lake");
      expect(at(monitor.inputs, "spec", "selector", "matchLabels")).toEqual({ "app.kubernetes.io/instance": "trino", "app.kubernetes.io/component": "coordinator" });
      const endpoint = at(monitor.inputs, "spec", "podMetricsEndpoints", 0) as Record<string, unknown>;
      // Trino refuses authentication over plain HTTP once HTTPS is on: the https port, verified with the lake CA.
      expect(endpoint).toMatchObject({ port: "https", scheme: "https", tlsConfig: { ca: { secret: { name: "trino-tls", key: "ca.crt" } }, serverName: "trino.lake.svc" } });
      const secret = at(endpoint, "basicAuth", "username", "name");
      expect(at(endpoint, "basicAuth", "password", "name")).toBe(secret);
      // The Secret it reads is in the monitor's namespace, and its user has a password in Trino's file.
      expect(r.secretValues.get(`lake/${secret}`)!.username).toBe("prometheus");
      expect(r.secretValues.get("lake/trino-password-file")!["password.db"].split("\n").map((l) => l.split(":")[0])).toContain("prometheus");
      expect(JSON.parse(String(at(trino(r), "accessControl", "rules", "rules.json"))).system_information).toContainEqual({ user: "prometheus", allow: ["read"] });
    }
  });

  it("dev vs prod: fault-tolerant execution with exchange spooling in object storage, more workers, only in prod", () => {
    expect(at(trino(prod), "additionalConfigProperties")).toContain("retry-policy=TASK");
    expect(String(at(trino(prod), "server", "exchangeManager", "baseDir"))).toMatch(/^s3:\/\/ap-prod-lake-warehouse-.+\/trino-exchange\/$/);
    expect(at(trino(dev), "additionalConfigProperties")).not.toContain("retry-policy=TASK");
    expect([at(trino(dev), "server", "workers"), at(trino(prod), "server", "workers")]).toEqual([1, 3]);
  });

  it("one lake job per opted-in tenant, with its location from the environment", () => {
    const lakeJobs = (r: RenderResult) => ofType(r, "kubernetes:flink.apache.org/v1beta1:FlinkDeployment").filter((d) => at(d.inputs, "metadata", "name") === "lake-events");
    expect(lakeJobs(dev).map((d) => at(d.inputs, "metadata", "namespace"))).toEqual(["tenant-acme"]);
    expect(lakeJobs(prod).map((d) => at(d.inputs, "metadata", "namespace"))).toEqual(["tenant-acme", "tenant-acme-eu"]);
    const env = at(lakeJobs(prod)[1].inputs, "spec", "podTemplate", "spec", "containers", 0, "env") as { name: string; value?: string }[];
    expect(env.find((e) => e.name === "LAKE_LOCATION")?.value).toMatch(/^s3:\/\/ap-prod-lake-warehouse-.+\/tenants\/acme-eu\/$/);
    const sql = String(at(ofType(prod, "kubernetes:core/v1:ConfigMap").find((c) => c.name === "acme-eu-lake-events-sql")!.inputs, "data", "lake-events.sql"));
    expect(sql).toContain("lake.acme_eu.events");
    expect(sql).toContain("PARTITIONED BY (event_date)");
    expect(sql).toContain(`'history.expire.max-snapshot-age-ms' = '${7 * 86_400_000}'`);
  });

  it("on AWS each lake tenant has a retained Glue database; its Flink role may use only its prefixes and database", () => {
    const db = one(prod, "aws:glue/catalogDatabase:CatalogDatabase", "acme-eu-lake");
    expect(db.inputs).toMatchObject({ name: "acme_eu" });
    expect([db.protect, db.retainOnDelete]).toEqual([true, true]);
    expect(ofType(prod, "aws:glue/catalogDatabase:CatalogDatabase").map((d) => d.inputs.name)).toEqual(["acme", "acme_eu"]);
    const policy = JSON.parse(String(one(prod, "aws:iam/rolePolicy:RolePolicy", "acme-eu-flink").inputs.policy));
    const resources: string[] = policy.Statement.flatMap((s: { Resource: string[] }) => s.Resource);
    expect(resources.filter((r) => r.includes(":s3:::") && r.includes("/"))).toEqual([
      expect.stringMatching(/tenants\/acme-eu\/flink\/\*$/),
      expect.stringMatching(/ap-prod-lake-warehouse-.+\/tenants\/acme-eu\/\*$/),
    ]);
    expect(resources.filter((r) => r.includes(":glue:"))).toEqual([expect.stringMatching(/:catalog$/), expect.stringMatching(/:database\/acme_eu$/), expect.stringMatching(/:table\/acme_eu\/\*$/)]);
  });

  it("retention: S3 lifecycle removes each tenant's lake files after its retention (plus grace)", () => {
    const lifecycle = one(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "platform-storage-lake-warehouse");
    const rules = at(lifecycle.inputs, "rules") as { id: string; filter: { prefix?: string }; expiration?: { days: number } }[];
    expect(rules.filter((r) => r.id.startsWith("retention-")).map((r) => [r.filter.prefix, r.expiration?.days])).toEqual([["tenants/acme/", 37], ["tenants/acme-eu/", 97]]);
  });

  it("each lake tenant gets Trino credentials in its namespace and egress to the lake; no password in plaintext", () => {
    for (const r of [dev, prod]) {
      const creds = one(r, "kubernetes:core/v1:Secret", "acme-trino-credentials");
      expect(at(creds.inputs, "metadata", "namespace")).toBe("tenant-acme");
      expect(at(creds.inputs, "stringData", "password")).toBe("[secret]");
      // Trino; on local (dev) also Nessie, the lake job's Iceberg REST catalog on the chart's port 19120.
      const ports = r === dev ? [8443, 19120] : [8443];
      expect(at(one(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "acme-allow-lake").inputs, "spec", "egress", 0, "ports")).toEqual(ports.map((port) => ({ protocol: "TCP", port })));
      const text = JSON.stringify(manifestsOf(r));
      expect(text).not.toContain(fakeSecretValue("platform-lake-tenant-acme", 32));
      expect(text).not.toContain(fakeSecretValue("platform-lake-admin", 32));
    }
  });
});
