import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CheckovFinding, judgeFindings, readWaivers, scanStack, StackScan } from "../offline/checkov";
import { writeRender } from "../offline/render-output";
import { render, stackConfig } from "./harness";

const WAIVERS = "policies/checkov-waivers.yaml";
const checkov = process.env.CHECKOV!;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "checkov-"));

/** Renders a stack as `npm run render` writes it, optionally adding one manifest. */
async function rendered(stack: "dev" | "prod", extra?: { file: string; text: string }): Promise<string> {
  const out = path.join(dir, `${stack}${extra ? `-${path.parse(extra.file).name}` : ""}`);
  writeRender(await render(stack, stackConfig(stack)), out);
  if (extra) fs.writeFileSync(path.join(out, "manifests", extra.file), extra.text);
  return out;
}

describe("checkov over the rendered plan (real checkov, scripts/checkov.sh)", () => {
  let scans: StackScan[];
  beforeAll(async () => {
    scans = [scanStack(checkov, "dev", await rendered("dev")), scanStack(checkov, "prod", await rendered("prod"))];
  }, 300_000);

  it("finds nothing the waivers file does not cover, and every waiver covers something", () => {
    const { unwaived, stale, waived } = judgeFindings(scans, readWaivers(WAIVERS));
    expect(unwaived.map((u) => `${u.stack}${u.finding.file_path}: ${u.finding.check_id}`)).toEqual([]);
    expect(stale).toEqual([]);
    expect(waived.length).toBeGreaterThan(0);
    // Its Kubernetes checks ran on both stacks and parsed every file.
    for (const s of scans) expect(s.frameworks.find((f) => f.name === "kubernetes")).toMatchObject({ parsingErrors: 0, passed: expect.any(Number) });
  });

  it("a Role with wildcard verbs is a finding no waiver covers", async () => {
    const role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: everything, namespace: tenant-acme}\nrules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n";
    const scan = scanStack(checkov, "dev", await rendered("dev", { file: "role_tenant-acme_everything.yaml", text: role }));
    const { unwaived } = judgeFindings([scan, scans[1]], readWaivers(WAIVERS));
    expect(unwaived.map((u) => `${u.finding.check_id} ${u.finding.resource}`)).toContain("CKV_K8S_49 Role.tenant-acme.everything");
  }, 300_000);

  // checkov's detectors pass `DB_PASSWORD: hunter2-prod` in a ConfigMap (the pack's no-plaintext-secrets does not); they know key shapes.
  it("an AWS access key in a ConfigMap is a secrets finding no waiver covers", async () => {
    const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: tenant-acme}\ndata:\n  AWS_ACCESS_KEY_ID: AKIAZ3MSJV7WQGXN4PLE\n";
    const scan = scanStack(checkov, "dev", await rendered("dev", { file: "configmap_tenant-acme_app.yaml", text: cm }));
    const { unwaived } = judgeFindings([scan, scans[1]], readWaivers(WAIVERS));
    expect(unwaived.map((u) => `${u.finding.check_id} ${u.finding.file_path}`)).toEqual(expect.arrayContaining([expect.stringMatching(/^CKV_SECRET_\d+ \/manifests\/configmap_tenant-acme_app\.yaml$/)]));
  }, 300_000);

  it("an empty folder is an error, never a clean scan", () => {
    const empty = fs.mkdtempSync(path.join(dir, "empty-"));
    expect(() => scanStack(checkov, "dev", empty)).toThrow(/checkov found no Kubernetes objects/);
  });
});

describe("waivers", () => {
  const finding = (check: string, line: string, resource = "abc"): CheckovFinding =>
    ({ check_id: check, check_name: "x", file_path: "/resources.json", file_line_range: [3, 4], resource, code_block: [[3, line]] });
  const scan = (stack: string, findings: CheckovFinding[]): StackScan => ({ stack, dir: stack, frameworks: [], findings });

  it("cover by check and key, or check and resource, in the stacks they name; an unused one is stale", () => {
    const waivers = [
      { check: "CKV_SECRET_6", key: "passwordKey", reason: "a key name in a Secret, not a value" },
      { check: "CKV_K8S_21", resource: "Role.default.x", stacks: ["prod"], reason: "only prod keeps this in default" },
      { check: "CKV_SECRET_2", key: "nothing", reason: "matches nothing at all in the scan" },
    ];
    const j = judgeFindings([
      scan("dev", [finding("CKV_SECRET_6", '   "passwordKey": "adm****",\n'), finding("CKV_SECRET_6", '   "password": "hunter2",\n'), finding("CKV_K8S_21", "kind: Role", "Role.default.x")]),
      scan("prod", [finding("CKV_K8S_21", "kind: Role", "Role.default.x")]),
    ], waivers);
    expect(j.waived.map((w) => `${w.stack} ${w.finding.check_id}`)).toEqual(["dev CKV_SECRET_6", "prod CKV_K8S_21"]);
    expect(j.unwaived.map((u) => `${u.stack} ${u.finding.check_id}`)).toEqual(["dev CKV_SECRET_6", "dev CKV_K8S_21"]);
    expect(j.stale.map((s) => s.index)).toEqual([2]);
  });

  it("a resource with `*` covers that part of any name, and no more", () => {
    const waivers = [{ check: "CKV_K8S_43", resource: "Job.tenant-*.schema-registration", reason: "every tenant's registration Job, pinned by tag" }];
    const j = judgeFindings([scan("dev", [
      finding("CKV_K8S_43", "kind: Job", "Job.tenant-acme.schema-registration"),
      finding("CKV_K8S_43", "kind: Job", "Job.tenant-acme.other.schema-registration"),
      finding("CKV_K8S_43", "kind: Job", "Job.kafka.schema-registration"),
    ])], waivers);
    expect(j.waived.map((w) => w.finding.resource)).toEqual(["Job.tenant-acme.schema-registration"]);
    expect(j.unwaived.map((u) => u.finding.resource)).toEqual(["Job.tenant-acme.other.schema-registration", "Job.kafka.schema-registration"]);
  });

  it("refuses an entry without a reason, or one that would waive a whole check, each at its line", () => {
    const text = "waivers:\n  - check: CKV_SECRET_6\n    key: passwordKey\n  - check: CKV_K8S_49\n    reason: every Role may use wildcards, says nobody\n";
    expect(() => readWaivers("w.yaml", text)).toThrow(/^w\.yaml:2: waivers\[0\]: must have required property 'reason'\nw\.yaml:4: waivers\[1\]: must have required property 'key'/);
  });
});
