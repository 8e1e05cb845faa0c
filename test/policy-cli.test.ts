import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import AjvDraft04 from "ajv-draft-04";
import { beforeAll, describe, expect, it } from "vitest";
import type * as Sarif from "sarif";
import { checkPolicies, PackConfig, packVersion, PolicyReport } from "../offline/policy-check";
import { artifactUri, formatMarkdown, formatSarif } from "../offline/policy-report";
import { RenderedResource, RenderResult } from "../offline/render";
import { ResourceSource, stackFileSources } from "../offline/resource-sources";
import { allPolicies, PACK_NAME } from "../policies/all";
import { KAFKA, put, render, stackConfig, USER } from "./harness";

const PROD_LEVELS = JSON.parse(fs.readFileSync("policies/config/prod.json", "utf8")) as PackConfig;

const tsx = path.join("node_modules", ".bin", "tsx");
const policy = (...args: string[]) => spawnSync(tsx, ["scripts/policy.ts", ...args], { encoding: "utf8" });

let prod: RenderResult;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-"));
type Edit = (resources: { type: string; name: string; inputs: Record<string, unknown> }[]) => void;

/** A resources.json as `npm run render` writes it, hand-edited one way. */
function editedResources(file: string, edit: Edit): string {
  const resources = structuredClone(prod.resources) as unknown as Parameters<Edit>[0];
  edit(resources);
  const out = path.join(dir, file);
  fs.writeFileSync(out, JSON.stringify(resources));
  return out;
}
const inputsOf = (rs: Parameters<Edit>[0], type: string, name: string) => rs.find((r) => r.type.endsWith(type) && r.name === name)!.inputs;

beforeAll(async () => {
  prod = await render("prod", stackConfig("prod"));
});

describe("npm run policy", () => {
  it("passes the shipped prod stack (exit 0)", () => {
    const r = policy("--stack", "prod");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Policies:");
    expect(r.stdout).toContain("No policy violations.");
  });

  it.each<[string, string, Edit]>([
    ["a wildcard ACL", "kafka-user-no-wildcard-acl", (rs) => put(inputsOf(rs, ":KafkaUser", "acme-kafka-user"), ["spec", "authorization", "acls", 0, "resource", "name"], "*")],
    ["an unencrypted bucket", "s3-bucket-sse-kms", (rs) => put(inputsOf(rs, ":BucketServerSideEncryptionConfiguration", "platform-storage-kafka-tiered"), ["rules", 0, "applyServerSideEncryptionByDefault"], { sseAlgorithm: "AES256" })],
    ["a listener without TLS", "kafka-listeners-tls-authenticated", (rs) => put(inputsOf(rs, ":Kafka", "platform-kafka"), ["spec", "kafka", "listeners", 0, "tls"], false)],
    ["one tenant reading another's topic", "tenant-references-own-names", (rs) => put(inputsOf(rs, ":KafkaUser", "globex-kafka-user"), ["spec", "authorization", "acls", 0, "resource", "name"], "acme.")],
  ])("reports %s by name and exits 1", (_what, name, edit) => {
    const r = policy("--resources", editedResources(`${name}.json`, edit), "--format", "json");
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as { violations: { policy: string }[]; mandatory: number };
    expect(report.violations.map((v) => v.policy)).toEqual([name]);
  });

  it("writes SARIF 2.1.0 that validates against the schema, and markdown for a PR comment", () => {
    const file = editedResources("sarif.json", (rs) => put(inputsOf(rs, ":Kafka", "platform-kafka"), ["spec", "kafka", "listeners", 0, "tls"], false));
    const sarif = JSON.parse(policy("--resources", file, "--format", "sarif").stdout);
    const schema = JSON.parse(fs.readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
    const validate = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.runs[0].results).toHaveLength(1);
    expect(sarif.runs[0].results[0]).toMatchObject({ ruleId: "kafka-listeners-tls-authenticated", level: "error" });
    const md = policy("--resources", file, "--format", "markdown").stdout;
    expect(md).toContain("### ❌ Policy check: 1 mandatory violation(s)");
    expect(md).toContain("1. **`kafka-listeners-tls-authenticated`** (mandatory) on Kafka `kafka/platform`");
  });

  it("places a hand-edited resources.json's violation at that resource's entry in the file", () => {
    const file = path.join(dir, "pretty.json");
    const resources = structuredClone(prod.resources) as unknown as Parameters<Edit>[0];
    put(inputsOf(resources, ":Kafka", "platform-kafka"), ["spec", "kafka", "listeners", 0, "tls"], false);
    fs.writeFileSync(file, JSON.stringify(resources, null, 2));
    const sarif = JSON.parse(policy("--resources", file, "--format", "sarif").stdout) as Sarif.Log;
    const i = resources.findIndex((r) => r.type.endsWith(":Kafka"));
    const lines = fs.readFileSync(file, "utf8").split("\n");
    // The entry opens on the line before its "urn".
    const line = lines.findIndex((l) => l.includes(`"urn": ${JSON.stringify(prod.resources[i].urn)}`));
    expect(sarif.runs[0].results![0].locations![0].physicalLocation!.region!.startLine).toBe(line);
  });

  it("writes only the report to stdout with --format json: .npmrc silences npm's banner", () => {
    const npm = spawnSync("npm", ["run", "policy", "--", "--stack", "dev", "--format", "json"], { encoding: "utf8" });
    expect(npm.status, npm.stderr).toBe(0);
    expect(() => JSON.parse(npm.stdout)).not.toThrow();
  }, 120_000);
});

describe("reports a reviewer can act on", () => {
  const stackFile = "Pulumi.prod.yaml";
  const lineOf = (text: string) => fs.readFileSync(stackFile, "utf8").split("\n").indexOf(text) + 1;
  // One planted violation: globex's KafkaUser reaches acme's topics.
  let report: PolicyReport;
  let sources: Map<string, ResourceSource>;
  beforeAll(async () => {
    const planted = structuredClone(prod.resources) as unknown as RenderedResource[];
    put(planted.find((r) => r.type === USER && r.name === "globex-kafka-user")!.inputs, ["spec", "authorization", "acls", 0, "resource", "name"], "acme.");
    report = await checkPolicies(planted, allPolicies, PROD_LEVELS, { name: PACK_NAME, version: packVersion() });
    sources = stackFileSources(planted, prod.model, stackConfig("prod"), stackFile);
  });

  it("SARIF from --stack prod points the planted violation at the tenant's line, repository-relative", () => {
    const sarif = formatSarif(report, allPolicies, stackFile, sources);
    expect(sarif.runs[0].results).toHaveLength(1);
    const [result] = sarif.runs[0].results!;
    expect(result.ruleId).toBe("tenant-references-own-names");
    expect(result.locations![0].physicalLocation).toEqual({ artifactLocation: { uri: "Pulumi.prod.yaml" }, region: { startLine: lineOf("    - name: globex") } });
    expect(result.message.text).toMatch(/^KafkaUser kafka\/tenant-globex: /);
  });

  it("a job's resource points at the job file, with the tenant's entry that lists it", () => {
    const deployment = prod.resources.find((r) => r.type === "kubernetes:flink.apache.org/v1beta1:FlinkDeployment" && r.name === "acme-anomalies")!;
    const s = sources.get(deployment.urn)!;
    expect(s.primary).toMatchObject({ file: "flink-jobs/anomalies.sql", line: 1 });
    expect(s.related).toEqual([{ file: stackFile, line: lineOf("      jobs: [events-per-minute, anomalies, events-enriched, dlq-router]"), what: "tenants[0].jobs[1] (anomalies)" }]);
    const ingestion = prod.resources.find((r) => r.type === "kubernetes:druid.apache.org/v1alpha1:DruidIngestion" && r.name === "globex-ingestion-events-per-minute")!;
    expect(sources.get(ingestion.urn)!.primary.file).toBe("druid-specs/events-per-minute.json");
    // The platform's resources sit at their layer's key.
    expect(sources.get(prod.resources.find((r) => r.type === KAFKA)!.urn)!.primary.line).toBe(lineOf("  analytics-platform:kafka:"));
  });

  it("markdown names kind, namespace/name, URN, the place and the fix, and sums up by tenant", () => {
    const md = formatMarkdown(report, allPolicies, stackFile, sources);
    expect(md).toContain("By tenant: acme: clean · acme-eu: clean · globex: 1 mandatory · platform: clean");
    expect(md).toContain("1. **`tenant-references-own-names`** (mandatory) on KafkaUser `kafka/tenant-globex` of tenant `globex`");
    expect(md).toMatch(/ {3}- URN: `urn:pulumi:prod::analytics-platform::.*KafkaUser::globex-kafka-user`/);
    expect(md).toContain(`   - Where: \`Pulumi.prod.yaml:${lineOf("    - name: globex")}\` tenants[2] (globex)`);
    expect(md).toContain(`   - Fix: ${allPolicies.find((p) => p.name === "tenant-references-own-names")!.remediationSteps!.replace(/\s*\n\s*/g, " ")}`);
  });

  it("paths outside the repository stay absolute file URIs; inside, they are relative", () => {
    expect(artifactUri("flink-jobs/a b.sql", process.cwd())).toBe("flink-jobs/a%20b.sql");
    expect(artifactUri("/tmp/x/Pulumi.prod.yaml", process.cwd())).toBe("file:///tmp/x/Pulumi.prod.yaml");
  });
});
