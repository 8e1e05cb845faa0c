import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import AjvDraft04 from "ajv-draft-04";
import { beforeAll, describe, expect, it } from "vitest";
import { RenderResult } from "../offline/render";
import { put, render, stackConfig } from "./harness";

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
    expect(md).toContain("| mandatory | `kafka-listeners-tls-authenticated` |");
  });
});
