import { beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../config/validate";
import { FlinkJobDefinition, knownNames, loadCatalog, piiMaskJobs } from "../jobs/catalog";
import { substitute, templatePosition } from "../jobs/placeholders";
import { plannerProblems, SAMPLE_RUNTIME_ENV, sampleScripts, tenantJobProblems } from "../jobs/sql-validation";
import { buildFlink, buildTenantJobs, jsonFormatOptions, SHADED_SCRAM_LOGIN_MODULE, transactionTimeoutProblem } from "../model/flink";
import { StackConfig, TenantConfig } from "../config/types";
import { flinkDeploymentRequests, flinkMemoryMi } from "../model/sizing";
import { fakeSecretValue } from "../offline/mocks";
import { manifestsOf, RenderResult } from "../offline/render";
import { BlockList } from "node:net";
import { cidrProblem, httpsEgressPeers } from "../model/network";
import { at, ofType, one, render, stackConfig } from "./harness";

const FLINK = "kubernetes:flink.apache.org/v1beta1:FlinkDeployment";
const catalog = loadCatalog();

describe("job catalog", () => {
  it("discovers every job in flink-jobs/ with its metadata", () => {
    expect([...catalog.flinkJobs.keys()]).toEqual(["anomalies", "dlq-router", "events-enriched", "events-masked", "events-per-minute", "lake-events"]);
    expect(catalog.flinkJobs.get("events-masked")!.metadata).toMatchObject({ piiMask: true, inputs: ["events"], outputs: ["events-masked"] });
    expect(catalog.flinkJobs.get("lake-events")!.metadata.lake).toBe(true);
    expect(catalog.flinkJobs.get("anomalies")!.metadata).toMatchObject({ inputs: ["events"], outputs: ["anomalies"], parameters: { ANOMALY_THRESHOLD: "1000" } });
  });

});

describe("placeholders", () => {
  it("fills deploy-time placeholders, keeps runtime ones for the runner, and reports the rest with their line", () => {
    const r = substitute("a ${TENANT}\nb ${KAFKA_PASSWORD}\nc ${TYPO}", { TENANT: "acme" });
    expect(r.text).toBe("a acme\nb ${KAFKA_PASSWORD}\nc ${TYPO}");
    expect(r.unresolved).toEqual([{ name: "TYPO", line: 3 }]);
  });

  it("maps a column of the filled text back to the template, naming the placeholder a column falls inside", () => {
    const template = "x ${A} y ${BB} z";
    const r = substitute(template, { A: "1", BB: "longer value" });
    expect(r.text).toBe("x 1 y longer value z");
    const at = (filledColumn: number) => templatePosition(r.fills, 1, filledColumn);
    expect(at(1)).toEqual({ column: 1 });
    expect(at(3)).toEqual({ column: 3, inside: "A" });
    expect(at(5)).toEqual({ column: template.indexOf("y") + 1 });
    expect(at(10)).toEqual({ column: template.indexOf("${BB}") + 1, inside: "BB" });
    expect(at(r.text.indexOf("z") + 1)).toEqual({ column: template.indexOf("z") + 1 });
    expect(templatePosition(r.fills, 2, 4)).toEqual({ column: 4 });
  });
});

describe("SQL validation by Flink's planner", () => {
  const job = (name: string, sql: string): FlinkJobDefinition => ({ name, file: `flink-jobs/${name}.sql`, sql, metadata: { description: "x", inputs: ["events"], outputs: ["x"] } });
  const planned = (j: FlinkJobDefinition) => {
    const { scripts, unresolved } = sampleScripts(j);
    expect(unresolved).toEqual([]);
    return scripts;
  };
  // Real-world forms a grammar of our own refused: CREATE TABLE … LIKE, and a statement set after block comments.
  const like = job("like", [
    "CREATE TABLE src (id STRING, ts TIMESTAMP_LTZ(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)",
    "WITH (${KAFKA_SOURCE}, 'topic' = '${TOPIC_PREFIX}events', ${EVENTS_FORMAT});",
    "CREATE TABLE dst WITH (${KAFKA_EXACTLY_ONCE_SINK}, 'topic' = '${TOPIC_PREFIX}x', ${JSON_FORMAT}) LIKE src (EXCLUDING ALL);",
    "/* block comment; with a semicolon */",
    "/* another */ EXECUTE STATEMENT SET",
    "BEGIN",
    "  INSERT INTO dst SELECT id, ts FROM src;",
    "  INSERT INTO dst SELECT id, ts FROM src WHERE id <> '';",
    "END;",
  ].join("\n"));
  const broken = job("broken", [
    "CREATE TABLE events (id STRING) WITH (",
    "  ${KAFKA_SOURCE}, 'topic' = '${TOPIC_PREFIX}events', ${EVENTS_FORMAT});",
    "CREATE TABLE out_t (id STRING) WITH (${KAFKA_EXACTLY_ONCE_SINK}, 'topic' = '${TOPIC_PREFIX}x', ${JSON_FORMAT});",
    "INSERT INTO out_t",
    "SELECT idd FROM events;",
    "INSERT INTO out_t SELECT id FROM events WHERE;",
    "CREATE TABLE t2 (id STRING) WITH (${KAFKA_SOURCE}, 'topic' = '${TOPIC_PREFIX}events' == 'x', ${EVENTS_FORMAT});",
    "EXECUTE STATEMENT SET BEGIN",
    "  /* indented, after a comment */ INSERT INTO out_t SELECT nope FROM events;",
    "END;",
  ].join("\n"));
  let problems: string[];
  beforeAll(() => {
    problems = plannerProblems([...[...catalog.flinkJobs.values()].flatMap(planned), ...planned(like), ...planned(broken)]);
  }, 180_000);

  it("plans every shipped job, lake job included, with no problem", () => {
    expect(problems.filter((p) => !p.startsWith("flink-jobs/broken.sql"))).toEqual([]);
  });

  it("accepts CREATE TABLE … LIKE and EXECUTE STATEMENT SET after block comments", () => {
    expect(problems.filter((p) => p.startsWith("flink-jobs/like.sql"))).toEqual([]);
  });

  it("reports real errors at their lines in the job file, next to placeholders too", () => {
    const found = problems.filter((p) => p.startsWith("flink-jobs/broken.sql"));
    expect(found).toHaveLength(4);
    expect(found).toEqual(expect.arrayContaining([
      expect.stringMatching(/^flink-jobs\/broken\.sql:5: .*Column 'idd' not found/),
      expect.stringMatching(/^flink-jobs\/broken\.sql:6: .*Encountered "<EOF>"/),
      // Columns too are the file's: after a placeholder, and on an indented statement's first line.
      expect.stringMatching(new RegExp(`^flink-jobs/broken\\.sql:7: .*Encountered "=" at line 7, column ${broken.sql.split("\n")[6].indexOf("== ") + 1}\\.`)),
      expect.stringMatching(new RegExp(`^flink-jobs/broken\\.sql:9: .*From line 9, column ${broken.sql.split("\n")[8].indexOf("nope") + 1} to .*Column 'nope' not found`)),
    ]));
  });

  it("masks the runtime values it filled, so no credential reaches a message", () => {
    expect(problems.join("\n")).not.toContain(SAMPLE_RUNTIME_ENV.KAFKA_PASSWORD);
  });

  it("reports an unresolved placeholder as file:line, per tenant", () => {
    const j = { file: "flink-jobs/x.sql", unresolved: [{ name: "THRESHOLD", line: 7 }] };
    expect(tenantJobProblems([{ name: "acme", flinkJobs: [j] }])).toEqual(["flink-jobs/x.sql:7: unresolved placeholder ${THRESHOLD} (tenant acme)"]);
  });
});

describe("job opt-in config", () => {
  const base = { environment: "dev", cloud: "local", kafka: { image: "kafka:1" }, flink: { webhook: "disabled", image: "runner:1" }, clusterNetwork: { podCidrs: ["10.244.0.0/16"], serviceCidrs: ["10.96.0.0/12"] } };
  const known = knownNames(catalog);

  it("rejects an unknown job name, naming the entry", () => {
    const r = validateConfig({ ...base, tenants: [{ name: "acme", peakEventsPerSecond: 1, retentionDays: 1, topics: [], jobs: ["events-per-minute", "nope"] }] }, known, {});
    expect(r.ok ? [] : r.problems).toEqual([expect.stringMatching(/^analytics-platform:tenants\[0\]\.jobs\[1\]: unknown Flink job 'nope' in tenant 'acme'/)]);
  });

  it("requires an explicit webhook choice, runner image and the cluster's ranges once a tenant runs jobs", () => {
    const r = validateConfig({ environment: "dev", cloud: "local", kafka: { image: "kafka:1" }, tenants: [{ name: "acme", peakEventsPerSecond: 1, retentionDays: 1, topics: [], jobs: ["anomalies"] }] }, known, {});
    expect(r.ok ? [] : r.problems).toEqual([
      "analytics-platform:flink.webhook: is required when a tenant runs jobs, uses the lake or masks PII ('cert-manager' or 'disabled')",
      "analytics-platform:flink.image: is required when a tenant runs jobs, uses the lake or masks PII (the SQL runner image)",
      "analytics-platform:clusterNetwork: is required when a tenant runs jobs, uses the lake or masks PII (the cluster's podCidrs and serviceCidrs)",
    ]);
  });

  it("reads IPv6 ranges with an embedded IPv4 tail instead of failing on them", () => {
    expect(cidrProblem("::ffff:10.0.0.0/104")).toBeUndefined();
    expect(cidrProblem("::ffff:10.0.0.1/104")).toMatch(/host bits set/);
  });

  it("rejects ranges Kubernetes would refuse in an IPBlock, each with its path", () => {
    const tenants = [{ name: "acme", peakEventsPerSecond: 1, retentionDays: 1, topics: [], jobs: ["anomalies"] }];
    const r = validateConfig({ ...base, clusterNetwork: { podCidrs: ["10.244.0.1/16", "10.0.0.0/33"], serviceCidrs: ["10.96.0.0/12"], httpsCidrs: ["300.1.1.0/24", "fd00::/8"] }, tenants }, known, {});
    expect(r.ok ? [] : r.problems).toEqual([
      "analytics-platform:clusterNetwork.podCidrs[0]: '10.244.0.1/16' has host bits set (write the network address)",
      "analytics-platform:clusterNetwork.podCidrs[1]: '10.0.0.0/33': the prefix length must be 0 to 32",
      "analytics-platform:clusterNetwork.httpsCidrs[0]: '300.1.1.0/24' is not an IPv4 or IPv6 address range",
    ]);
  });
});

/** Whether an egress rule's peers admit `address` as a CNI evaluates IPBlocks: inside `cidr`, outside every `except`. */
function admits(peers: readonly { ipBlock: { cidr: string; except?: readonly string[] } }[], address: string): boolean {
  const family = address.includes(":") ? "ipv6" : "ipv4";
  const within = (cidr: string) => {
    if ((cidr.includes(":") ? "ipv6" : "ipv4") !== family) return false;
    const list = new BlockList();
    const [net, prefix] = cidr.split("/");
    list.addSubnet(net, Number(prefix), family);
    return list.check(address, family);
  };
  return peers.some((p) => within(p.ipBlock.cidr) && !(p.ipBlock.except ?? []).some(within));
}

describe("tenants' HTTPS egress", () => {
  it("reaches the API server and the internet, never the cluster's pods or services, except what httpsCidrs names", () => {
    const peers = httpsEgressPeers({ podCidrs: ["10.0.0.0/16", "fd00:10::/56"], serviceCidrs: ["172.20.0.0/16"], httpsCidrs: ["10.0.1.0/24"] });
    expect(admits(peers, "52.95.0.10")).toBe(true); // S3's public range
    expect(admits(peers, "10.0.7.23")).toBe(false); // another tenant's pod (VPC CNI)
    expect(admits(peers, "172.20.0.1")).toBe(false); // a Service
    expect(admits(peers, "fd00:10::5")).toBe(false);
    expect(admits(peers, "2a05:d018::1")).toBe(true);
    expect(admits(peers, "10.0.1.12")).toBe(true); // the API server's private endpoint, listed
    // No IPv6 range configured: no IPv6 block at all, so a dual-stack cluster's unlisted pods are not open.
    expect(httpsEgressPeers({ podCidrs: ["10.244.0.0/16"], serviceCidrs: ["10.96.0.0/12"] }).map((p) => p.ipBlock.cidr)).toEqual(["0.0.0.0/0"]);
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

  it("one FlinkDeployment per opted-in (tenant, job), in the tenant's namespace, with the DLQ router of what they read", () => {
    const ids = (r: RenderResult) => ofType(r, FLINK).map((d) => `${at(d.inputs, "metadata", "namespace")}/${at(d.inputs, "metadata", "name")}`).sort();
    const acme = ["tenant-acme/anomalies", "tenant-acme/dlq-router", "tenant-acme/events-enriched", "tenant-acme/events-per-minute", "tenant-acme/lake-events"];
    // globex lists only events-per-minute: the jobs skip bad events, dlq-router is where they go.
    // globex declares PII on its events: the masking job writes the copy its Druid supervisors read.
    const globex = ["tenant-globex/dlq-router", "tenant-globex/events-masked", "tenant-globex/events-per-minute"];
    expect(ids(dev)).toEqual([...acme, ...globex]);
    // In prod acme-eu lists no job but uses the lake: the lake job, and the router of the events it reads.
    expect(ids(prod)).toEqual([...acme, "tenant-acme-eu/dlq-router", "tenant-acme-eu/lake-events", ...globex].sort());
  });

  it("a tenant declaring PII on its events runs the masking job, and only a job that masks gets the tenant's salt, from its Secret", () => {
    const env = (d: Record<string, unknown>) => at(d, "podTemplate", "spec", "containers", 0, "env") as { name: string; valueFrom?: unknown }[];
    for (const r of [dev, prod]) {
      const salted = ofType(r, FLINK).filter((d) => env(at(d.inputs, "spec") as Record<string, unknown>).some((e) => e.name === "PII_SALT"));
      expect(salted.map((d) => `${at(d.inputs, "metadata", "namespace")}/${at(d.inputs, "metadata", "name")}`)).toEqual(["tenant-globex/events-masked"]);
      expect(env(at(salted[0].inputs, "spec") as Record<string, unknown>)).toContainEqual({ name: "PII_SALT", valueFrom: { secretKeyRef: { name: "pii-salt", key: "PII_SALT" } } });
    }
    const config = Object.fromEntries(Object.entries(stackConfig("dev")).map(([k, v]) => [k.replace(/^analytics-platform:/, ""), v])) as unknown as StackConfig;
    const acme = { ...config.tenants.find((t) => t.name === "acme")!, lake: false };
    const jobs = (t: TenantConfig) => buildTenantJobs(t, catalog, buildFlink(config, piiMaskJobs(catalog)), "kafka:9093", () => 3, undefined as never);
    const masked = jobs({ ...acme, contracts: { events: { pii: { entity_id: "hash", event_type: "drop" } } } });
    expect(masked.filter((j) => j.salted).map((j) => j.job)).toEqual(["events-masked"]);
    expect(masked.find((j) => j.job === "events-masked")!.script).toContain("PII_MASK_JSON(payload, 'entity_id:hash,event_type:drop')");
    expect(jobs(acme).map((j) => j.job)).not.toContain("events-masked");
    expect(jobs(acme).some((j) => j.salted)).toBe(false);
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

  it("logs in with the SCRAM module the runner image has: the Kafka SQL jar's shaded one", () => {
    // flink-sql-connector-kafka relocates org.apache.kafka under org.apache.flink.kafka.shaded; verify runs it.
    for (const d of ofType(dev, "kubernetes:core/v1:ConfigMap").filter((c) => String(at(c.inputs, "metadata", "name")).startsWith("flink-sql-"))) {
      const sql = Object.values(at(d.inputs, "data") as Record<string, string>)[0];
      expect(sql).toContain(`'properties.sasl.jaas.config' = '${SHADED_SCRAM_LOGIN_MODULE} required`);
      expect(sql).not.toContain("'org.apache.kafka.common.security");
    }
  });

  it("asks the brokers for transactions no longer than they allow, and long enough to outlive a restart", () => {
    // Flink's KafkaSink asks for 1 h by default; the broker's transaction.max.timeout.ms (15 min) refuses it.
    const broker = at(ofType(dev, "kubernetes:kafka.strimzi.io/v1:Kafka")[0].inputs, "spec", "kafka", "config", "transaction.max.timeout.ms");
    expect(broker).toBe(900_000);
    const sql = Object.values(at(ofType(dev, "kubernetes:core/v1:ConfigMap").find((c) => at(c.inputs, "metadata", "name") === "flink-sql-events-per-minute")!.inputs, "data") as Record<string, string>)[0];
    expect(sql).toContain(`'properties.transaction.timeout.ms' = '${broker}'`);
    expect(transactionTimeoutProblem(60)).toBeUndefined();
    expect(transactionTimeoutProblem(600)).toMatch(/must stay below 600 s/);
    const r = validateConfig({ environment: "dev", cloud: "local", kafka: { image: "kafka:1" }, flink: { webhook: "disabled", image: "r:1", checkpointIntervalSeconds: 900 }, clusterNetwork: { podCidrs: ["10.244.0.0/16"], serviceCidrs: ["10.96.0.0/12"] },
      tenants: [{ name: "acme", peakEventsPerSecond: 1, retentionDays: 1, topics: [], jobs: ["anomalies"] }] }, knownNames(catalog), {});
    expect(r.ok ? [] : r.problems).toEqual([expect.stringMatching(/^analytics-platform:flink\.checkpointIntervalSeconds: must stay below 600 s/)]);
  });

  it("a tenant's HTTPS egress excludes the stack's pod and service ranges", () => {
    for (const [r, pod, apiServer] of [[dev, "10.244.3.7", "172.18.0.2"], [prod, "10.0.7.23", "10.0.1.12"]] as const) {
      const rule = at(one(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "acme-allow-https-egress").inputs, "spec", "egress", 0) as { to: { ipBlock: { cidr: string; except?: string[] } }[]; ports: unknown[] };
      expect(rule.ports).toEqual([{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 6443 }]);
      expect(admits(rule.to, pod), `${r.stack}: another tenant's pod`).toBe(false);
      expect(admits(rule.to, apiServer), `${r.stack}: the API server`).toBe(true);
    }
  });

  it("one timestamp format, ISO-8601 UTC, and an idle timeout, for every job", () => {
    for (const d of ofType(dev, FLINK)) {
      const s = at(d.inputs, "spec") as Record<string, unknown>;
      expect(at(s, "flinkConfiguration", "table.exec.source.idle-timeout")).toBe("30 s");
      expect(at(s, "flinkConfiguration", "table.local-time-zone")).toBe("UTC");
    }
    for (const job of catalog.flinkJobs.values()) {
      // Every JSON table of every job takes the pipeline's format (placeholders), none its own; a job may read and write bytes.
      expect(job.sql, job.file).not.toMatch(/'(value\.)?format' = 'json'/);
      const tables = job.sql.match(/CREATE TABLE/g)?.length ?? 0;
      const raw = job.sql.match(/'format' = 'raw'/g)?.length ?? 0;
      expect(job.sql.match(/\$\{(EVENTS_FORMAT|JSON_FORMAT|JSON_VALUE_FORMAT)\}/g)?.length ?? 0, job.file).toBeGreaterThanOrEqual(raw < tables ? 1 : 0);
    }
    expect(jsonFormatOptions()).toBe("'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601'");
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
          expect(["kafka-credentials", "object-store-credentials", "pii-salt"]).toContain(e.valueFrom!.secretKeyRef.name);
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

  it("every tenant namespace's quota holds what its FlinkDeployments request (JobManagers and TaskManagers)", () => {
    for (const r of [dev, prod]) {
      for (const quota of ofType(r, "kubernetes:core/v1:ResourceQuota")) {
        const ns = String(at(quota.inputs, "metadata", "namespace"));
        const hard = at(quota.inputs, "spec", "hard") as Record<string, string>;
        const want = ofType(r, FLINK).filter((d) => at(d.inputs, "metadata", "namespace") === ns).map((d) => {
          const s = at(d.inputs, "spec") as { job: { parallelism: number }; flinkConfiguration: Record<string, string>; jobManager: { replicas: number; resource: { cpu: number; memory: string } }; taskManager: { resource: { cpu: number; memory: string } } };
          return flinkDeploymentRequests(s.job.parallelism, Number(s.flinkConfiguration["taskmanager.numberOfTaskSlots"]), s.jobManager.replicas, s.jobManager.resource, s.taskManager.resource);
        });
        const sum = (k: "cpu" | "memoryMi" | "pods") => want.reduce((n, w) => n + w[k], 0);
        expect(sum("cpu"), `${ns} cpu`).toBeLessThanOrEqual(Number(hard["requests.cpu"]));
        expect(sum("memoryMi"), `${ns} memory`).toBeLessThanOrEqual(Number(hard["requests.memory"].replace(/Gi$/, "")) * 1024);
        expect(sum("pods"), `${ns} pods`).toBeLessThanOrEqual(Number(hard.pods));
      }
    }
  });

  it("the autoscaler cannot grow a tenant's jobs past its namespace quota", () => {
    for (const quota of ofType(prod, "kubernetes:core/v1:ResourceQuota")) {
      const ns = String(at(quota.inputs, "metadata", "namespace"));
      const hard = at(quota.inputs, "spec", "hard") as Record<string, string>;
      let cpu = 0;
      let memoryMi = 0;
      let pods = 0;
      for (const d of ofType(prod, FLINK).filter((x) => at(x.inputs, "metadata", "namespace") === ns)) {
        const s = at(d.inputs, "spec") as { flinkConfiguration: Record<string, string>; jobManager: { replicas: number; resource: { cpu: number; memory: string } }; taskManager: { resource: { cpu: number; memory: string } } };
        const c = s.flinkConfiguration;
        expect(c["job.autoscaler.enabled"]).toBe("true");
        // The autoscaler's own check (ScalingExecutor): TaskManagers counted as slots ÷ slots-per-TM rounded
        // down, so at its quota it may run one TaskManager more than the quota pays for.
        const tms = Math.floor(Number(c["job.autoscaler.quota.cpu"]) / s.taskManager.resource.cpu) + 1;
        expect(Number(c["job.autoscaler.quota.memory"].replace(/m$/, "")), d.name).toBe((tms - 1) * flinkMemoryMi(s.taskManager.resource.memory));
        cpu += s.jobManager.replicas * s.jobManager.resource.cpu + tms * s.taskManager.resource.cpu;
        memoryMi += s.jobManager.replicas * flinkMemoryMi(s.jobManager.resource.memory) + tms * flinkMemoryMi(s.taskManager.resource.memory);
        pods += s.jobManager.replicas + tms;
      }
      expect(cpu, `${ns} cpu`).toBeLessThanOrEqual(Number(hard["requests.cpu"]));
      expect(memoryMi, `${ns} memory`).toBeLessThanOrEqual(Number(hard["requests.memory"].replace(/Gi$/, "")) * 1024);
      expect(pods, `${ns} pods`).toBeLessThanOrEqual(Number(hard.pods));
    }
  });

  it("savepoints the history drops are disposed, files included, and the history keeps the count it says", () => {
    for (const d of ofType(prod, FLINK)) {
      const c = at(d.inputs, "spec", "flinkConfiguration") as Record<string, string>;
      expect(c["kubernetes.operator.savepoint.dispose-on-delete"]).toBe("true");
      // The count applies only within max.age: 10 savepoints 6 h apart need 60 h.
      expect(Number(c["kubernetes.operator.savepoint.history.max.age"].replace(/h$/, ""))).toBe(
        Number(c["kubernetes.operator.savepoint.history.max.count"]) * Number(c["kubernetes.operator.periodic.savepoint.interval"].replace(/h$/, "")));
    }
  });

  it("the jobs' Role lets the JobManager own its TaskManager pods: update on deployments/finalizers", () => {
    const role = ofType(dev, "kubernetes:rbac.authorization.k8s.io/v1:Role").find((r) => r.name === "acme-flink")!;
    const rules = at(role.inputs, "rules") as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    expect(rules.some((r) => r.apiGroups.includes("apps") && r.resources.includes("deployments/finalizers") && r.verbs.includes("update"))).toBe(true);
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
