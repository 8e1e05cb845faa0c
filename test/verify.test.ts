import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import yaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { TenantConfig } from "../config/types";
import { loadCatalog } from "../jobs/catalog";
import { RenderResult } from "../offline/render";
import { writeRender } from "../offline/render-output";
import { runHarness, verifyContext } from "../offline/verify";
import { render, stackConfig } from "./harness";

// The rendered plan on real engines (npm run verify's harness): a real KRaft cluster configured from the
// Kafka CR, the topics and users applied as Strimzi's operators would, tenant isolation judged by the brokers'
// authorizer, and every FlinkDeployment run by the project's runner against a reference of its output.

interface Check { layer: string; name: string; result: "pass" | "fail"; detail: string }
interface VerifyReport { passed: boolean; checks: Check[]; notRun: { what: string }[]; localEquivalents: unknown[] }

const catalog = loadCatalog();

async function verify(stack: "dev" | "prod", mutate?: (manifests: string) => void, only?: string[]): Promise<{ code: number; report: VerifyReport; output: string }> {
  const config = stackConfig(stack);
  const result: RenderResult = await render(stack, config);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `verify-test-${stack}-`));
  writeRender(result, dir);
  mutate?.(path.join(dir, "manifests"));
  const tenants = config["analytics-platform:tenants"] as TenantConfig[];
  const { code, output } = runHarness(dir, verifyContext(stack, tenants, catalog, result), { only, stdio: "pipe" });
  const report = JSON.parse(fs.readFileSync(path.join(dir, "verify.json"), "utf8")) as VerifyReport;
  fs.rmSync(dir, { recursive: true, force: true });
  return { code, report, output };
}

function edit(file: string, change: (doc: Record<string, unknown>) => void): void {
  const doc = yaml.load(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  change(doc);
  fs.writeFileSync(file, yaml.dump(doc));
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const failed = (r: VerifyReport) => r.checks.filter((c) => c.result === "fail").map((c) => `${c.layer}: ${c.name} — ${c.detail}`);
const named = (r: VerifyReport, pattern: RegExp) => r.checks.filter((c) => pattern.test(c.name));

describe.each(["dev", "prod"] as const)("verify on the %s stack", (stack) => {
  let run: Awaited<ReturnType<typeof verify>>;
  beforeAll(async () => {
    run = await verify(stack);
  }, 1_500_000);

  it("passes every check on the real engines", () => {
    expect(failed(run.report)).toEqual([]);
    expect(run.code).toBe(0);
  });

  it("creates every rendered topic and applies every user on the brokers", () => {
    expect(named(run.report, /^topic .* created as rendered$/).length).toBeGreaterThan(5);
    expect(named(run.report, /^user tenant-.* applied/).length).toBe((stackConfig(stack)["analytics-platform:tenants"] as unknown[]).length);
  });

  it("judges isolation for every ordered pair of tenants and each tenant's prefix probe", () => {
    const tenants = (stackConfig(stack)["analytics-platform:tenants"] as TenantConfig[]).map((t) => t.name);
    for (const a of tenants) {
      for (const b of [...tenants.filter((t) => t !== a), "(probe)"]) {
        expect(named(run.report, new RegExp(`^${escapeRe(a)} is denied ${escapeRe(b)}: `)).length, `${a} → ${b}`).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it("runs every shipped job but the lake's, and asserts its output after a forced failure", () => {
    const verdicts = named(run.report, /output equals the reference exactly/);
    expect(verdicts.map((c) => c.name.split(" ")[0]).sort()).toEqual(
      expect.arrayContaining(["tenant-acme/anomalies", "tenant-acme/dlq-router", "tenant-acme/events-enriched", "tenant-acme/events-per-minute", "tenant-globex/events-per-minute"]),
    );
    expect(run.report.notRun.map((n) => n.what)).toEqual(expect.arrayContaining(["tenant-acme/lake-events"]));
  });

  it("the masking job's real output holds the declared PII hashed with the tenant's salt and no original, and Druid reads that topic", () => {
    expect(named(run.report, /^tenant-globex\/events-masked output (equals the reference exactly|holds no original value)/).map((c) => c.result)).toEqual(["pass", "pass"]);
    expect(named(run.report, /^druid\/globex-events parses globex\.events-masked /).map((c) => c.result)).toEqual(["pass"]);
  });

  it("Druid's own input format parses every job output and the events topic its ingestions read, at the right time", () => {
    const checks = named(run.report, /^druid\/.* parses .* with Druid's own input format/);
    const ingestions = (stackConfig(stack)["analytics-platform:tenants"] as TenantConfig[]).flatMap((t) => (t.datasources ?? []).map((d) => `${t.name}-${d}`));
    expect(checks.map((c) => c.name.split(" ")[0].replace("druid/", "")).sort()).toEqual([...new Set(ingestions)].sort());
    for (const c of checks) expect(c.detail, c.name).toMatch(/^\d+ landed at their time, \d+ refused$/);
  });

  it("Trino's own access control answers the tenant matrix: each lake tenant its own, nobody another's", () => {
    const lake = run.report.checks.filter((c) => c.layer === "lake");
    const tenants = (stackConfig(stack)["analytics-platform:tenants"] as TenantConfig[]).filter((t) => t.lake === true).map((t) => t.name);
    expect(lake.map((c) => c.name)).toEqual(expect.arrayContaining([
      "Trino loads the rendered access rules (FileBasedSystemAccessControl, group file)",
      ...tenants.map((t) => expect.stringMatching(new RegExp(`^Trino's access control: ${escapeRe(t)}'s \\d+ questions answered as the platform requires$`))),
      expect.stringMatching(/^Trino denies every cross-tenant question \(\d+ asked\)$/),
      ...tenants.map((t) => expect.stringMatching(new RegExp(`^a Trino \\d+ coordinator runs ${escapeRe(t)}'s SQL under the rendered rules`))),
      "every Trino metric the alerts and dashboards use is on the coordinator's /metrics, read as prometheus",
    ]));
    expect(lake.every((c) => c.result === "pass")).toBe(true);
  });

  it("a real Prometheus scrapes the engines and evaluates the rendered alerts: quiet while healthy, the restart alert fires after the forced failure", () => {
    const monitoring = run.report.checks.filter((c) => c.layer === "monitoring");
    expect(monitoring.map((c) => c.name)).toEqual([
      expect.stringMatching(/^Prometheus .* scrapes every verify engine and evaluates every rendered alert rule$/),
      expect.stringMatching(/^no alert pending or firing while healthy: /),
      expect.stringMatching(/^FlinkJobRestarting fires for every job once the forced failure restarted it/),
    ]);
    expect(monitoring.filter((c) => c.result === "fail").map((c) => c.detail)).toEqual([]);
    // job_name is each FlinkDeployment's name, as the operator sets pipeline.name (not Flink's insert-into_… default),
    // with `-` as `_`: Flink's Prometheus reporter filters label values to [a-zA-Z0-9:_].
    const jobs = new Set(named(run.report, /output equals the reference exactly/).map((c) => c.name.split(" ")[0].split("/")[1].replace(/-/g, "_")));
    expect(monitoring[2].detail).toBe(`firing for [${[...jobs].sort().join(", ")}]`);
    expect(named(run.report, /^every Kafka metric the alerts and dashboards use is in a scrape of the nodes' JMX exporter/).map((c) => c.result)).toEqual(["pass"]);
    // What no engine here exposes is listed, never counted as passed.
    expect(run.report.notRun.map((n) => n.what)).toEqual(expect.arrayContaining([expect.stringMatching(/^kafka_exporter's .*kafka_consumergroup_lag.*KafkaConsumerLagHigh on a stopped job$/)]));
  });

  it("checks every running job's reporter for the Flink metrics the alerts and dashboards use", () => {
    const verdicts = named(run.report, /output equals the reference exactly/).map((c) => c.name.split(" ")[0]);
    const metrics = named(run.report, /exposes every Flink metric the alerts and dashboards use/);
    expect(metrics.map((c) => c.name.split(" ")[0]).sort()).toEqual(verdicts.sort());
    for (const c of metrics) expect(c.result, c.detail).toBe("pass");
  });
});

describe("verify fails on a plan the engines refuse", () => {
  it("lake rules without query rules let a tenant see and kill another's queries: Trino says so", async () => {
    const { code, report } = await verify("prod", (dir) => {
      const file = path.join(path.dirname(dir), "resources.json");
      const resources = JSON.parse(fs.readFileSync(file, "utf8")) as { name: string; inputs: { values: { accessControl: { rules: Record<string, string> } } } }[];
      const access = resources.find((r) => r.name === "trino")!.inputs.values.accessControl;
      const rules = JSON.parse(access.rules["rules.json"]) as Record<string, unknown>;
      delete rules.queries;
      access.rules["rules.json"] = JSON.stringify(rules);
      fs.writeFileSync(file, JSON.stringify(resources));
    }, ["lake"]);
    expect(code).toBe(1);
    expect(failed(report)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^lake: Trino denies every cross-tenant question .*acme view query queries of tenant-acme-eu: Trino says allow, expected deny/),
    ]));
    // The real coordinator lists acme's queries to acme-eu.
    expect(failed(report)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^lake: a Trino \d+ coordinator runs acme-eu's SQL .* GET \/v1\/query \(the users of the queries listed\): (admin,)?tenant-acme,tenant-acme-eu, expected returns tenant-acme-eu/),
    ]));
    // Only the lake layer ran: no broker was started for it.
    expect(report.checks.every((c) => c.layer === "lake")).toBe(true);
  }, 300_000);

  it("a Druid timestampSpec that does not fit what Flink writes leaves every record unparseable", async () => {
    const { code, report } = await verify("dev", (dir) => edit(path.join(dir, "druidingestion_druid_globex-events-per-minute.yaml"), (doc) => {
      const spec = (doc.spec as { ingestion: { nativeSpec: { spec: { dataSchema: { timestampSpec: { format: string } } } } } }).ingestion.nativeSpec;
      spec.spec.dataSchema.timestampSpec.format = "millis";
    }), ["kafka", "flink"]);
    expect(code).toBe(1);
    expect(failed(report)).toEqual([expect.stringMatching(/^druid: druid\/globex-events-per-minute parses globex\.events-per-minute .* — \d+ problems: record 0 unparseable: /)]);
  }, 900_000);

  it("a masking job passing records on unmasked: the masked records verify computes never come, and verify says so", async () => {
    const { code, report } = await verify("dev", (dir) => edit(path.join(dir, "configmap_tenant-globex_flink-sql-events-masked.yaml"), (doc) => {
      const data = doc.data as Record<string, string>;
      data["events-masked.sql"] = data["events-masked.sql"].replace(/PII_MASK_JSON\(payload, '[^']*'\)/, "payload");
    }), ["kafka", "flink"]);
    expect(code).toBe(1);
    // The masked records never come: the job is judged missing them (the first of which is named) and dropped.
    expect(failed(report)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^flink: tenant-globex\/events-masked: phase 1 outputs .* still missing \d+ rows, e\.g\. \{"event_id":"globex-\d+",.*"entity_id":"[0-9a-f]{64}"/),
    ]));
    expect(failed(report).filter((f) => !/events[-_]masked/.test(f))).toEqual([]);
  }, 900_000);

  it("an ACL prefix widened from 'acme.' to 'acme' lets acme reach what is not its own", async () => {
    const { code, report } = await verify("dev", (dir) => edit(path.join(dir, "kafkauser_kafka_tenant-acme.yaml"), (doc) => {
      for (const acl of (doc.spec as { authorization: { acls: { resource: { name: string } }[] } }).authorization.acls) acl.resource.name = "acme";
    }), ["kafka", "isolation"]);
    expect(code).toBe(1);
    expect(failed(report)).toEqual(expect.arrayContaining([expect.stringMatching(/^kafka-isolation: acme is denied \(probe\): write to acme_probe\.events — allowed/)]));
  }, 600_000);

  it("a metric an alert uses that the rendered JMX exporter rules never emit is named as missing from the scrape", async () => {
    const { code, report } = await verify("dev", (dir) => edit(path.join(dir, "configmap_kafka_platform-kafka-metrics.yaml"), (doc) => {
      const data = doc.data as Record<string, string>;
      const config = yaml.load(data["kafka-metrics-config.yml"]) as { rules: { pattern: string }[] };
      config.rules = config.rules.filter((r) => !r.pattern.includes("ReplicaManager"));
      data["kafka-metrics-config.yml"] = yaml.dump(config);
    }), ["kafka"]);
    expect(code).toBe(1);
    expect(failed(report)).toEqual([expect.stringMatching(/^kafka: every Kafka metric .* — in no scrape: kafka_server_replicamanager_underreplicatedpartitions$/)]);
  }, 600_000);

  it("a topic config value the brokers refuse fails that topic", async () => {
    const { code, report } = await verify("dev", (dir) => edit(path.join(dir, "kafkatopic_kafka_acme.events.yaml"), (doc) => {
      (doc.spec as { config: Record<string, unknown> }).config["cleanup.policy"] = "shred";
    }), ["kafka"]);
    expect(code).toBe(1);
    expect(failed(report)).toEqual([expect.stringMatching(/^kafka: topic acme\.events created as rendered — InvalidConfigurationException: .*shred/)]);
  }, 600_000);
});
