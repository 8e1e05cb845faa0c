import { describe, expect, it } from "vitest";
import { providerSettingsFromEngine, rawConfigFromEngine } from "../config/load";
import { validateConfig } from "../config/validate";

const KNOWN = { flinkJobs: { "events-per-minute": ["events", "events-per-minute"], anomalies: ["events", "anomalies"] }, druidSpecs: { events: "events", anomalies: "anomalies" } };
const tenant = { name: "acme", peakEventsPerSecond: 20000, retentionDays: 30, topics: ["events"] };
const kafka = { image: "registry.example.com/kafka:1" };
const valid = { environment: "dev", cloud: "local", kafka, tenants: [tenant] };

function problems(raw: unknown): readonly string[] {
  const r = validateConfig(raw, KNOWN, {});
  return r.ok ? [] : r.problems;
}

describe("stack config validation", () => {
  it("accepts the minimal valid config", () => {
    expect(validateConfig(valid, KNOWN, {}).ok).toBe(true);
  });

  it.each([
    ["an unknown top-level key", { ...valid, tenant: [] }, "analytics-platform:tenant: unknown key"],
    ["an unknown tenant key (typo)", { ...valid, tenants: [{ ...tenant, retentionDay: 3 }] }, "analytics-platform:tenants[0].retentionDay: unknown key"],
    ["an unknown nested key", { ...valid, kafka: { ...kafka, storage: { sise: "1Gi" } } }, "analytics-platform:kafka.storage.sise: unknown key"],
    ["a missing environment", { cloud: "local", tenants: [] }, "analytics-platform:environment: is required"],
    ["an unknown environment", { ...valid, environment: "staging" }, "analytics-platform:environment: must be one of \"dev\", \"prod\""],
    ["a missing tenant field", { ...valid, tenants: [{ name: "acme", peakEventsPerSecond: 1, topics: [] }] }, "analytics-platform:tenants[0].retentionDays: is required"],
    ["zero retention", { ...valid, tenants: [{ ...tenant, retentionDays: 0 }] }, "analytics-platform:tenants[0].retentionDays: must be >= 1"],
    ["negative peak rate", { ...valid, tenants: [{ ...tenant, peakEventsPerSecond: -5 }] }, "analytics-platform:tenants[0].peakEventsPerSecond: must be >= 1"],
    ["a fractional peak rate", { ...valid, tenants: [{ ...tenant, peakEventsPerSecond: 1.5 }] }, "analytics-platform:tenants[0].peakEventsPerSecond: must be integer"],
    ["a string where a number belongs", { ...valid, tenants: [{ ...tenant, retentionDays: "30" }] }, "analytics-platform:tenants[0].retentionDays: must be integer"],
    ["an upper-case tenant name", { ...valid, tenants: [{ ...tenant, name: "Acme" }] }, "analytics-platform:tenants[0].name: must be a DNS label"],
    ["a tenant name with a dot", { ...valid, tenants: [{ ...tenant, name: "ac.me" }] }, "analytics-platform:tenants[0].name: must be a DNS label"],
    ["a tenant name ending in '-'", { ...valid, tenants: [{ ...tenant, name: "acme-" }] }, "analytics-platform:tenants[0].name: must be a DNS label"],
    ["a tenant name too long for a namespace", { ...valid, tenants: [{ ...tenant, name: "a".repeat(41) }] }, "analytics-platform:tenants[0].name: must NOT have more than 40 characters"],
    ["a topic name that is not a Kubernetes name", { ...valid, tenants: [{ ...tenant, topics: ["Events_1"] }] }, "analytics-platform:tenants[0].topics[0]: must be lowercase"],
    ["the reserved dlq topic", { ...valid, tenants: [{ ...tenant, topics: ["dlq"] }] }, "analytics-platform:tenants[0].topics[0]: 'dlq' is reserved"],
    ["a repeated topic", { ...valid, tenants: [{ ...tenant, topics: ["events", "events"] }] }, "analytics-platform:tenants[0].topics[1]: duplicates item 0"],
    ["aws without its settings", { ...valid, cloud: "aws" }, "analytics-platform:aws: is required"],
    ["a malformed OIDC provider", { ...valid, cloud: "aws", aws: { region: "eu-west-1", oidcProviderArn: "nope", oidcProviderUrl: "oidc.example.com/id/1" } }, "analytics-platform:aws.oidcProviderArn: must be an IAM OIDC provider ARN"],
    ["a chart repository that is not a URL", { ...valid, charts: { strimzi: { repository: "strimzi.io" } } }, "analytics-platform:charts.strimzi.repository: must be an http(s):// or oci:// URL"],
    ["an unknown chart", { ...valid, charts: { strimsi: { version: "1" } } }, "analytics-platform:charts.strimsi: unknown key"],
    ["install: false on a chart that is not an operator's", { ...valid, charts: { trino: { install: false } } }, "analytics-platform:charts.trino.install: unknown key"],
    ["a chart's install that is not a boolean", { ...valid, charts: { strimzi: { install: "no" } } }, "analytics-platform:charts.strimzi.install: must be boolean"],
    ["a bad storage size", { ...valid, kafka: { storage: { size: "lots" } } }, "analytics-platform:kafka.storage.size: must be a size such as 100Gi"],
    ["zero brokers", { ...valid, kafka: { brokers: 0 } }, "analytics-platform:kafka.brokers: must be >= 1"],
  ])("rejects %s, naming its config path", (_what, raw, expected) => {
    const found = problems(raw);
    expect(found.some((p) => p.startsWith(expected)), `got: ${found.join(" | ")}`).toBe(true);
  });

  it("requires the Kafka image while tiered storage is on: Strimzi's own has no plugin", () => {
    expect(problems({ ...valid, kafka: {} })).toEqual([
      "analytics-platform:kafka.image: is required while tiered storage is on: a Kafka image with the Aiven plugin (kafka-image/Dockerfile)",
    ]);
    expect(problems({ ...valid, kafka: { tieredStorage: { enabled: false } } })).toEqual([]);
  });

  it("rejects duplicate tenant names, pointing at the second entry", () => {
    expect(problems({ ...valid, tenants: [tenant, { ...tenant, topics: [] }] })).toEqual([
      "analytics-platform:tenants[1].name: duplicate tenant name 'acme' (also tenants[0])",
    ]);
  });

  it("rejects prod settings that break durability", () => {
    const prod = { ...valid, environment: "prod", kafka: { ...kafka, brokers: 2, controllers: 1 }, observability: { alerting: { chatWebhookUrl: "https://chat.example.com/hook" } } };
    expect(problems(prod)).toEqual([
      "analytics-platform:kafka.brokers: must be >= 3 in prod (replication factor 3)",
      "analytics-platform:kafka.controllers: must be 3 or 5 in prod (a single controller is not HA)",
    ]);
  });

  it("requires an on-call chat in prod, where the platform stack deploys observability", () => {
    const prod = { ...valid, environment: "prod" };
    expect(problems(prod)).toEqual([
      "analytics-platform:observability.alerting.chatWebhookUrl: is required in prod (the on-call chat's webhook; pulumi config set --secret --path 'observability.alerting.chatWebhookUrl' URL)",
    ]);
    expect(problems({ ...prod, observability: { enabled: false } })).toEqual([]);
    expect(problems({ ...valid, observability: { alerting: { chatChannel: "#oncall" } } })).toEqual([
      "analytics-platform:observability.alerting.chatChannel: only applies with chatWebhookUrl",
    ]);
    expect(problems({ ...valid, observability: { alerting: { chatWebhookUrl: "http://chat.example.com/hook" } } })).toEqual([
      "analytics-platform:observability.alerting.chatWebhookUrl: must be an https:// URL",
    ]);
  });

  it("reports every problem at once", () => {
    const found = problems({
      environment: "qa",
      cloud: "local",
      tenants: [{ ...tenant, retentionDays: 0 }, { ...tenant, name: "Bad", peakEventsPerSecond: 0, extra: true }],
    });
    expect(found).toEqual(expect.arrayContaining([
      expect.stringMatching(/^analytics-platform:environment: /),
      expect.stringMatching(/^analytics-platform:tenants\[0\]\.retentionDays: /),
      expect.stringMatching(/^analytics-platform:tenants\[1\]\.name: /),
      expect.stringMatching(/^analytics-platform:tenants\[1\]\.peakEventsPerSecond: /),
      expect.stringMatching(/^analytics-platform:tenants\[1\]\.extra: unknown key/),
      // A rule's finding, listed with the schema's.
      expect.stringMatching(/^analytics-platform:kafka\.image: is required while tiered storage is on/),
    ]));
    expect(found.length).toBe(6);
  });

  it("lists the schema's problems and the rules' together: aws.network with a malformed aws.oidcProviderArn", () => {
    const aws = { region: "eu-west-1", oidcProviderArn: "nope", oidcProviderUrl: "oidc.example.com/id/1" };
    const found = problems({ ...valid, cloud: "aws", aws, tenants: [{ ...tenant, datasources: ["events"] }, { ...tenant, name: "acme" }] });
    expect(found).toEqual([
      expect.stringMatching(/^analytics-platform:aws\.oidcProviderArn: must be an IAM OIDC provider ARN/),
      "analytics-platform:tenants[1].name: duplicate tenant name 'acme' (also tenants[0])",
      "analytics-platform:aws.network: is required when a tenant has datasources (Druid's metadata database runs in RDS)",
      "aws:region: is required with cloud: aws (eu-west-1, as analytics-platform:aws.region; the provider would otherwise take the shell's AWS_REGION)",
    ]);
  });

  it("a rule that cannot read a malformed part is left to the schema's message, and the others still run", () => {
    const found = problems({ ...valid, tenants: "acme", kafka: { brokers: 2 } });
    expect(found).toEqual([
      "analytics-platform:tenants: must be array",
      "analytics-platform:kafka.image: is required while tiered storage is on: a Kafka image with the Aiven plugin (kafka-image/Dockerfile)",
    ]);
  });

  it("refuses an empty tenant list, unless the stack says it deploys the shared layers alone", () => {
    expect(problems({ ...valid, tenants: [] })).toEqual([
      "analytics-platform:tenants: is empty: list at least one tenant, or set deployment: platform to deploy the shared layers alone",
    ]);
    expect(problems({ ...valid, deployment: "tenants", platformStack: "org/analytics-platform/prod", tenants: [] })).toHaveLength(1);
    expect(problems({ ...valid, deployment: "platform", tenants: [] })).toEqual([]);
  });

  it("refuses a peak rate its topics cannot carry within maxPartitionsPerTopic, naming the tenant", () => {
    const huge = { ...tenant, name: "globex", peakEventsPerSecond: 1e12 };
    expect(problems({ ...valid, tenants: [tenant, huge] })).toEqual([
      "analytics-platform:tenants[1].peakEventsPerSecond: tenant 'globex' needs 1000000000 partitions per topic at 1000 events/s each, over kafka.maxPartitionsPerTopic (200): at most 200000 events/s; raise the limit or split the tenant",
    ]);
    expect(problems({ ...valid, tenants: [{ ...huge, peakEventsPerSecond: 200_000 }] })).toEqual([]);
    expect(problems({ ...valid, kafka: { ...kafka, maxPartitionsPerTopic: 400 }, tenants: [{ ...huge, peakEventsPerSecond: 400_000 }] })).toEqual([]);
  });

  it("requires the AWS provider's region to be the platform's", () => {
    const aws = { region: "eu-west-1", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/x", oidcProviderUrl: "oidc.example.com/id/1" };
    const onAws = { ...valid, cloud: "aws", aws };
    const inRegion = (region?: string) => { const r = validateConfig(onAws, KNOWN, region === undefined ? {} : { awsRegion: region }); return r.ok ? [] : r.problems; };
    expect(inRegion("eu-west-1")).toEqual([]);
    expect(inRegion("us-east-1")).toEqual([
      "aws:region: is us-east-1 but analytics-platform:aws.region is eu-west-1: resources would be created in one region and looked for in the other",
    ]);
    expect(inRegion(undefined)).toEqual([expect.stringMatching(/^aws:region: is required with cloud: aws/)]);
  });
});

describe("reading config from the engine", () => {
  it("keeps only this project's keys and parses structured values", () => {
    expect(rawConfigFromEngine({
      "analytics-platform:environment": "dev",
      "analytics-platform:tenants": JSON.stringify([tenant]),
      "aws:region": "eu-west-1",
    })).toEqual({ environment: "dev", tenants: [tenant] });
  });

  it("reads the AWS provider's region, which the rules compare with ours", () => {
    expect(providerSettingsFromEngine({ "aws:region": "eu-west-1", "analytics-platform:cloud": "aws" })).toEqual({ awsRegion: "eu-west-1" });
    expect(providerSettingsFromEngine({})).toEqual({});
  });
});
