import { beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../config/validate";
import { FlinkJobDefinition, knownNames, loadCatalog } from "../jobs/catalog";
import { substitute } from "../jobs/placeholders";
import { sampleJobProblems, tenantJobProblems } from "../jobs/sql-validation";
import { fakeSecretValue } from "../offline/mocks";
import { manifestsOf, RenderResult } from "../offline/render";
import { at, ofType, render, stackConfig } from "./harness";

const FLINK = "kubernetes:flink.apache.org/v1beta1:FlinkDeployment";
const catalog = loadCatalog();

describe("job catalog", () => {
  it("discovers every job in flink-jobs/ with its metadata", () => {
    expect([...catalog.flinkJobs.keys()]).toEqual(["anomalies", "dlq-router", "events-enriched", "events-per-minute", "lake-events"]);
    expect(catalog.flinkJobs.get("lake-events")!.metadata.lake).toBe(true);
    expect(catalog.flinkJobs.get("anomalies")!.metadata).toMatchObject({ inputs: ["events"], outputs: ["anomalies"], parameters: { ANOMALY_THRESHOLD: "1000" } });
  });

  it("every shipped job passes the Flink SQL grammar with placeholders filled", () => {
    for (const job of catalog.flinkJobs.values()) expect(sampleJobProblems(job), job.file).toEqual([]);
  });
});

describe("placeholders", () => {
  it("fills deploy-time placeholders, keeps runtime ones for the runner, and reports the rest with their line", () => {
    const r = substitute("a ${TENANT}\nb ${KAFKA_PASSWORD}\nc ${TYPO}", { TENANT: "acme" });
    expect(r.text).toBe("a acme\nb ${KAFKA_PASSWORD}\nc ${TYPO}");
    expect(r.unresolved).toEqual([{ name: "TYPO", line: 3 }]);
  });
});

describe("SQL validation", () => {
  it("parses each distinct job once, however many tenants run it, and reports its errors once", () => {
    const broken = { file: "flink-jobs/b.sql", grammarScript: "SELECT FROM WHERE;", unresolved: [] };
    const tenants = ["a", "b", "c"].map((name) => ({ name, flinkJobs: [broken] }));
    expect(tenantJobProblems(tenants)).toEqual([expect.stringMatching(/^flink-jobs\/b\.sql:1: /)]);
  });

  const broken: FlinkJobDefinition = {
    name: "broken",
    file: "flink-jobs/broken.sql",
    sql: "CREATE TABLE t (a INT) WITH ('connector' = 'kafka', 'topic' = '${TOPIC_PREFIX}events');\nINSERT INTO t SELECT a FROM WHERE;\n",
    metadata: { description: "x", inputs: ["events"], outputs: ["x"] },
  };

  it("reports a syntax error as file:line", () => {
    expect(sampleJobProblems(broken)).toEqual([expect.stringMatching(/^flink-jobs\/broken\.sql:2: /)]);
  });

  it("reports an unresolved placeholder as file:line, per tenant", () => {
    const job = { file: "flink-jobs/x.sql", grammarScript: "SELECT 1;", unresolved: [{ name: "THRESHOLD", line: 7 }] };
    expect(tenantJobProblems([{ name: "acme", flinkJobs: [job] }])).toEqual(["flink-jobs/x.sql:7: unresolved placeholder ${THRESHOLD} (tenant acme)"]);
  });
});

describe("job opt-in config", () => {
  const base = { environment: "dev", cloud: "local", flink: { webhook: "disabled", image: "runner:1" } };
  const known = knownNames(catalog);

  it("rejects an unknown job name, naming the entry", () => {
    const r = validateConfig({ ...base, tenants: [{ name: "acme", peakEventsPerSecond: 1, retentionDays: 1, topics: [], jobs: ["events-per-minute", "nope"] }] }, known);
    expect(r.ok ? [] : r.problems).toEqual([expect.stringMatching(/^analytics-platform:tenants\[0\]\.jobs\[1\]: unknown Flink job 'nope' in tenant 'acme'/)]);
  });

  it("requires an explicit webhook choice and runner image once a tenant runs jobs", () => {
    const r = validateConfig({ environment: "dev", cloud: "local", tenants: [{ name: "acme", peakEventsPerSecond: 1, retentionDays: 1, topics: [], jobs: ["anomalies"] }] }, known);
    expect(r.ok ? [] : r.problems).toEqual([
      "analytics-platform:flink.webhook: is required when a tenant runs jobs or uses the lake ('cert-manager' or 'disabled')",
      "analytics-platform:flink.image: is required when a tenant runs jobs or uses the lake (the SQL runner image)",
    ]);
  });
});

describe("rendered Flink jobs", () => {
  let dev: RenderResult;
  let prod: RenderResult;
  beforeAll(async () => {
    dev = await render("dev", stackConfig("dev"));
    prod = await render("prod", stackConfig("prod"));
  });
  const spec = (r: RenderResult, ns: string, job: string) =>
    at(ofType(r, FLINK).find((d) => at(d.inputs, "metadata", "namespace") === ns && at(d.inputs, "metadata", "name") === job)!.inputs, "spec") as Record<string, unknown>;

  it("one FlinkDeployment per opted-in (tenant, job), in the tenant's namespace", () => {
    const ids = (r: RenderResult) => ofType(r, FLINK).map((d) => `${at(d.inputs, "metadata", "namespace")}/${at(d.inputs, "metadata", "name")}`).sort();
    const expected = ["tenant-acme/anomalies", "tenant-acme/dlq-router", "tenant-acme/events-enriched", "tenant-acme/events-per-minute", "tenant-acme/lake-events", "tenant-globex/events-per-minute"];
    expect(ids(dev)).toEqual(expected);
    // In prod acme-eu lists no job but uses the lake, so it runs the lake job only.
    expect(ids(prod)).toEqual([...expected.slice(0, 5), "tenant-acme-eu/lake-events", expected[5]].sort());
  });

  it("creates the topics the tenant's jobs read and write, the reference table compacted", () => {
    const topics = ofType(dev, "kubernetes:kafka.strimzi.io/v1:KafkaTopic").map((t) => at(t.inputs, "metadata", "name"));
    expect(topics).toEqual(expect.arrayContaining(["acme.events-per-minute", "acme.anomalies", "acme.events-enriched", "acme.reference", "globex.events-per-minute"]));
    expect(topics).not.toContain("globex.anomalies");
    const reference = ofType(dev, "kubernetes:kafka.strimzi.io/v1:KafkaTopic").find((t) => at(t.inputs, "metadata", "name") === "acme.reference")!;
    expect(at(reference.inputs, "spec", "config", "cleanup.policy")).toBe("compact");
  });

  it("runs exactly-once with RocksDB incremental checkpoints, Kubernetes HA and savepoint upgrades", () => {
    for (const r of [dev, prod]) {
      const s = spec(r, "tenant-acme", "anomalies");
      expect(s.flinkConfiguration).toMatchObject({
        "execution.checkpointing.mode": "EXACTLY_ONCE",
        "state.backend.type": "rocksdb",
        "execution.checkpointing.incremental": "true",
        "high-availability.type": "kubernetes",
        "metrics.reporter.prom.factory.class": "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
      });
      expect(at(s, "job", "upgradeMode")).toBe("savepoint");
      expect(at(s, "flinkConfiguration", "kubernetes.operator.periodic.savepoint.interval")).toBe("6h");
    }
  });

  it("dev vs prod: autoscaler and a standby JobManager only in prod; parallelism bounded by config", () => {
    const d = spec(dev, "tenant-acme", "events-per-minute");
    const p = spec(prod, "tenant-acme", "events-per-minute");
    expect(at(d, "flinkConfiguration", "job.autoscaler.enabled")).toBeUndefined();
    expect(at(p, "flinkConfiguration", "job.autoscaler.enabled")).toBe("true");
    expect([at(d, "jobManager", "replicas"), at(p, "jobManager", "replicas")]).toEqual([1, 2]);
    // acme.events has 20 partitions; dev caps parallelism at 8, prod at 64.
    expect([at(d, "job", "parallelism"), at(p, "job", "parallelism")]).toEqual([8, 20]);
    expect(at(spec(prod, "tenant-globex", "events-per-minute"), "job", "parallelism")).toBe(5);
  });

  it("each job reads only its tenant's credentials and writes state only under its tenant's prefix", () => {
    for (const r of [dev, prod]) {
      for (const d of ofType(r, FLINK)) {
        const ns = String(at(d.inputs, "metadata", "namespace"));
        const tenant = ns.replace(/^tenant-/, "");
        const s = at(d.inputs, "spec") as Record<string, unknown>;
        for (const key of ["execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "high-availability.storageDir"]) {
          expect(String(at(s, "flinkConfiguration", key))).toMatch(new RegExp(`^s3://[^/]+/tenants/${tenant}/flink/`));
        }
        const env = at(s, "podTemplate", "spec", "containers", 0, "env") as { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string } } }[];
        for (const e of env.filter((x) => x.name !== "LAKE_LOCATION")) {
          expect(e.value, `${ns} ${e.name} must come from a Secret`).toBeUndefined();
          expect(["kafka-credentials", "object-store-credentials"]).toContain(e.valueFrom!.secretKeyRef.name);
        }
      }
    }
  });

  it("on AWS a tenant's jobs share one role that trusts only its Flink service account and reaches only its prefix", () => {
    const roles = ofType(prod, "aws:iam/role:Role").filter((r) => r.name.startsWith("globex-"));
    expect(roles.map((r) => r.name)).toEqual(["globex-flink"]);
    const trust = JSON.parse(String(roles[0].inputs.assumeRolePolicy));
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain("system:serviceaccount:tenant-globex:flink");
    const policy = JSON.parse(String(ofType(prod, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "globex-flink")!.inputs.policy));
    expect(policy.Statement[0].Resource[0]).toMatch(/\/tenants\/globex\/flink\/\*$/);
    for (const d of ofType(prod, FLINK).filter((x) => at(x.inputs, "metadata", "namespace") === "tenant-globex")) expect(at(d.inputs, "spec", "serviceAccount")).toBe("flink");
  });

  it("scripts name only their tenant's topics and never contain a password", () => {
    for (const m of manifestsOf(dev).filter((m) => at(m, "kind") === "ConfigMap" && String(at(m, "metadata", "name")).startsWith("flink-sql-"))) {
      const ns = String(at(m, "metadata", "namespace"));
      const tenant = ns.replace(/^tenant-/, "");
      const sql = Object.values(at(m, "data") as Record<string, string>).join("\n");
      const topics = [...sql.matchAll(/'topic' = '([^']+)'/g)].map((x) => x[1]);
      expect(topics.length).toBeGreaterThan(0);
      for (const t of topics) expect(t.startsWith(`${tenant}.`)).toBe(true);
      expect(sql).toContain("${KAFKA_PASSWORD}");
      for (const name of ["acme", "globex"]) expect(sql).not.toContain(fakeSecretValue(`${name}-kafka-password`, 32));
    }
  });
});
