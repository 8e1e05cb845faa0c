import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildLake, trinoAccessRules, trinoGroups, trinoNode } from "../model/lake";
import { tenantNaming } from "../model/naming";
import { fakeSecretValue } from "../offline/mocks";
import { manifestsOf, RenderResult } from "../offline/render";
import { askTrino, druidTablesOf, trinoMatrix } from "../offline/trino";
import { at, ofType, one, render, stackConfig } from "./harness";

const admin = "platform admin";
const tenantsConfig = ["acme", "acme-eu", "globex", "a", "a-1"].map((name) => ({ name, peakEventsPerSecond: 1, retentionDays: 30, topics: [], lake: true }));
const lakeTenants = buildLake({ environment: "prod", cloud: "aws", tenants: tenantsConfig }).tenants;
const rules = trinoAccessRules(lakeTenants);
// Beside the lake tenants, one without the lake: it has Druid tables but no Trino login.
const matrixTenants = [...tenantsConfig, { name: "initech", lake: false }];
const matrix = trinoMatrix(matrixTenants, new Map(matrixTenants.map((t) => [t.name, ["events", "events-per-minute", "anomalies"].map((ds) => tenantNaming.druidDatasource(t.name, ds))])));

/** Trino's own file-based access control (harness/trino-check) on the generated rules and group file. */
describe("Trino access rules, judged by Trino", () => {
  let trino: ReturnType<typeof askTrino>;
  beforeAll(() => {
    trino = askTrino(JSON.stringify(rules), trinoGroups(lakeTenants), matrix, "60s");
  });
  const answer = (subject: string, question: string, resource: string) => {
    const found = trino.answers.find((a) => a.subject === subject && a.question === question && a.resource === resource);
    if (!found) throw new Error(`no answer for ${subject} ${question} ${resource}`);
    return found.allowed;
  };

  it("Trino loads the rules and every answer is what the platform requires", () => {
    expect(trino.answers.filter((a) => !a.ok), trino.output).toEqual([]);
    expect(trino.code).toBe(0);
    // 5 lake tenants, the admin and a user in no group, each asked about all 6 tenants.
    expect(new Set(trino.answers.map((a) => a.subject))).toEqual(new Set([...tenantsConfig.map((t) => t.name), admin, "user in no group"]));
  });

  it("a tenant reads its own lake schema and Druid tables, never writes them", () => {
    for (const t of lakeTenants) {
      expect(answer(t.tenant, "select", `lake.${t.schema}.events`)).toBe(true);
      expect(answer(t.tenant, "select", `druid.druid.${tenantNaming.druidDatasource(t.tenant, "events")}`)).toBe(true);
      expect(answer(t.tenant, "insert", `lake.${t.schema}.events`)).toBe(false);
    }
  });

  it("no tenant reaches another's schema, tables or queries (acme vs acme-eu, a vs a-1 included)", () => {
    const cross = trino.answers.filter((a) => a.target !== null && a.subject !== admin && a.subject !== a.target);
    expect(cross.length).toBeGreaterThan(300);
    // Recorded, not judged: file-based access control allows every table procedure (ALTER TABLE … EXECUTE).
    expect(cross.filter((a) => a.allowed && a.expected !== "either")).toEqual([]);
    expect(cross.filter((a) => a.allowed).map((a) => a.question)).toEqual(cross.filter((a) => a.allowed).map(() => "execute table procedure"));
    expect(answer("acme", "see schema", "lake.acme_eu")).toBe(false);
    expect(answer("a", "select", "druid.druid.a-1_events")).toBe(false);
    expect(answer("acme", "view query", "queries of tenant-acme-eu")).toBe(false);
    expect(answer("acme", "impersonate", "tenant-acme-eu")).toBe(false);
  });

  it("admins read and write everything and see every query; drivers' metadata works for tenants; cluster tables do not", () => {
    expect(answer(admin, "insert", "lake.acme.events")).toBe(true);
    expect(answer(admin, "kill query", "queries of tenant-globex")).toBe(true);
    expect(answer(admin, "select", "druid.druid.initech_events")).toBe(true);
    expect(answer("acme", "select drivers' metadata", "system.jdbc.tables")).toBe(true);
    expect(answer("acme", "select", "system.runtime.nodes")).toBe(false);
    expect(answer("user in no group", "access catalog", "lake")).toBe(false);
  });

  it("only admins lower the lake's retention floors for a session or call the lake's procedures", () => {
    expect(answer("acme", "set catalog session property", "lake.expire_snapshots_min_retention")).toBe(false);
    expect(answer(admin, "set catalog session property", "lake.expire_snapshots_min_retention")).toBe(true);
    expect(answer("acme", "execute procedure", "lake.system.unregister_table")).toBe(false);
    expect(answer(admin, "execute procedure", "lake.system.unregister_table")).toBe(true);
  });

  it("Prometheus reads system information, nothing else; a `group` in a system_information rule is refused by Trino", () => {
    expect(rules.system_information).toEqual([{ user: "admin", allow: ["read", "write"] }, { user: "prometheus", allow: ["read"] }]);
    // The coordinator fails to start on such rules (UnrecognizedPropertyException from SystemInformationRule).
    const broken = { ...rules, system_information: [{ group: "platform-admins", allow: ["read"] }] };
    const refused = askTrino(JSON.stringify(broken), trinoGroups(lakeTenants), matrix);
    expect(refused.code).toBe(2);
    expect(refused.output).toContain('Trino refuses the rules: Unrecognized field "group"');
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

  it("Trino runs the version verify judges its rules with (harness/trino-check's trino.version)", () => {
    const pom = fs.readFileSync(path.join(__dirname, "..", "harness", "trino-check", "pom.xml"), "utf8");
    for (const r of [dev, prod]) expect(at(trino(r), "image", "tag")).toBe(/<trino\.version>(\d+)<\/trino\.version>/.exec(pom)![1]);
  });

  it("verify's Trino matrix names each tenant's rendered Druid datasources, and a Trino user only for lake tenants", () => {
    const tenants = stackConfig("prod")["analytics-platform:tenants"] as { name: string; lake?: boolean }[];
    const m = trinoMatrix(tenants, druidTablesOf(prod));
    const acme = m.tenants.find((t) => t.name === "acme")!;
    expect(acme.trinoUser).toBe("tenant-acme");
    expect(acme.druidTables).toContain("acme_events");
    expect(m.tenants.map((t) => t.trinoUser === null)).toEqual(tenants.map((t) => t.lake !== true));
    expect(m.tenants.every((t) => t.druidTables.every((d) => d.startsWith(`${t.name}_`)))).toBe(true);
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

  it("retention: S3 lifecycle removes each tenant's lake files after its rows and snapshots expire (plus grace)", () => {
    const lifecycle = one(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "platform-storage-lake-warehouse");
    const rules = at(lifecycle.inputs, "rules") as { id: string; filter: { prefix?: string }; expiration?: { days: number } }[];
    // acme: 30 days of rows, 7 of snapshots, 7 of grace; acme-eu: 90, 7, 7.
    expect(rules.filter((r) => r.id.startsWith("retention-")).map((r) => [r.filter.prefix, r.expiration?.days])).toEqual([["tenants/acme/", 44], ["tenants/acme-eu/", 104]]);
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
