import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/validate";
import { knownNames, loadCatalog } from "../jobs/catalog";
import { buildModel, tenantAcls } from "../model/platform-model";

const tenants = [
  { name: "acme", peakEventsPerSecond: 20000, retentionDays: 30, topics: ["events"] },
  { name: "acme-eu", peakEventsPerSecond: 500, retentionDays: 7, topics: ["events", "clicks"] },
];
const aws = { region: "eu-west-1", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/x", oidcProviderUrl: "oidc.example.com/id/1" };
const catalog = loadCatalog();
const model = (environment: "dev" | "prod", extra: Record<string, unknown> = {}) =>
  buildModel(parseConfig({ environment, cloud: "aws", aws, kafka: { image: "kafka:1" }, tenants, observability: { alerting: { chatWebhookUrl: "https://chat.example.com/hook" } }, ...extra }, knownNames(catalog), { awsRegion: aws.region }), environment, catalog);

/** Does a Kafka ACL resource pattern match a concrete name? */
function matches(pattern: { name: string; patternType: string }, name: string): boolean {
  return pattern.patternType === "prefix" ? name.startsWith(pattern.name) : pattern.name === name;
}

describe("platform model", () => {
  it("dev runs one dual-role node pool with replication factor 1", () => {
    const k = model("dev").kafka;
    expect(k.nodePools.map((p) => [p.name, p.roles, p.replicas])).toEqual([["dual-role", ["controller", "broker"], 1]]);
    expect([k.replicationFactor, k.minInsyncReplicas, k.rackAware, k.cruiseControl, k.deleteClaim]).toEqual([1, 1, false, false, true]);
  });

  it("prod separates controllers and brokers, RF 3, min ISR 2, rack awareness and Cruise Control", () => {
    const m = model("prod");
    expect(m.kafka.nodePools.map((p) => [p.name, p.roles, p.replicas])).toEqual([
      ["controllers", ["controller"], 3],
      ["brokers", ["broker"], 3],
    ]);
    expect([m.kafka.replicationFactor, m.kafka.minInsyncReplicas, m.kafka.rackAware, m.kafka.cruiseControl, m.kafka.deleteClaim]).toEqual([3, 2, true, true, false]);
    expect(m.protect).toBe(true);
  });

  it("names and sizes each tenant's topics, with a dead-letter topic always", () => {
    const [acme, acmeEu] = model("prod").tenants;
    expect(acme.namespace).toBe("tenant-acme");
    expect(acme.topics.map((t) => [t.name, t.partitions, t.replicas])).toEqual([["acme.events", 20, 3], ["acme.dlq", 5, 3]]);
    expect(acmeEu.topics.map((t) => t.name)).toEqual(["acme-eu.events", "acme-eu.clicks", "acme-eu.dlq"]);
  });

  it("keeps less on broker disks than in total when tiered storage is on", () => {
    const cfg = model("prod").tenants[0].topics[0].config;
    expect(cfg["retention.ms"]).toBe(30 * 86_400_000);
    expect(cfg["local.retention.ms"]).toBe(24 * 3_600_000);
    expect(cfg["remote.storage.enable"]).toBe(true);
    expect(cfg["min.insync.replicas"]).toBe(2);
  });

  it("leaves tiered settings off topics when tiered storage is disabled", () => {
    const cfg = model("dev", { kafka: { tieredStorage: { enabled: false } } }).tenants[0].topics[0].config;
    expect(cfg).not.toHaveProperty("remote.storage.enable");
    expect(cfg).not.toHaveProperty("local.retention.ms");
  });

  it("applies chart overrides for mirrors and keeps the pinned defaults otherwise", () => {
    const m = model("dev", { charts: { strimzi: { repository: "oci://mirror.example.com/strimzi" } } });
    expect(m.charts.strimzi).toMatchObject({ repository: "oci://mirror.example.com/strimzi", version: "1.2.0" });
  });

  it("pins Apache charts at archive.apache.org: downloads.apache.org keeps only current releases", () => {
    const m = model("dev");
    for (const c of Object.values(m.charts)) expect(c.repository, c.chart).not.toMatch(/downloads\.apache\.org/);
    expect(m.charts.flinkOperator.repository).toBe(`https://archive.apache.org/dist/flink/flink-kubernetes-operator-${m.charts.flinkOperator.version}/`);
  });
});

describe("tenant isolation in ACLs", () => {
  const m = model("prod");
  const names = (t: (typeof m.tenants)[number]) => [...t.topics.map((x) => x.name), `${t.name}.consumer-group`, `${t.name}.txn-1`];

  it("every ACL of a tenant is a prefix ending in '.' of its own name", () => {
    for (const t of m.tenants) {
      for (const acl of t.kafkaUser.acls) {
        expect(acl.resource.patternType).toBe("prefix");
        expect(acl.resource.name).toBe(`${t.name}.`);
      }
    }
  });

  it("acme's ACLs match nothing of acme-eu, and the other way round", () => {
    const [acme, acmeEu] = m.tenants;
    for (const [owner, other] of [[acme, acmeEu], [acmeEu, acme]] as const) {
      for (const acl of owner.kafkaUser.acls) {
        for (const name of names(other)) expect(matches(acl.resource, name), `${owner.name} ACL ${acl.resource.name} vs ${name}`).toBe(false);
      }
      for (const name of names(owner).filter((n) => !n.includes("consumer") && !n.includes("txn"))) {
        expect(owner.kafkaUser.acls.some((a) => a.resource.type === "topic" && matches(a.resource, name))).toBe(true);
      }
    }
  });

  it("grants no cluster-wide or wildcard operation", () => {
    for (const acl of tenantAcls("acme")) {
      expect(acl.resource.name).not.toBe("*");
      expect(acl.operations).not.toContain("All");
      expect(acl.operations).not.toContain("Create");
      expect(acl.operations).not.toContain("Delete");
    }
  });
});
