import * as auto from "@pulumi/pulumi/automation";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "node:crypto";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../components/program";
import { manifestsOf, RenderResult, tenantOf } from "../offline/render";
import { applyNamespacesFirst, ControlPlane, identity, installCrds, KubeObject, kubeList, readToolchain, startControlPlane, withJobPodsSucceeding } from "./control-plane";
import { Engine, readEngineTools, startEngine } from "./engine";
import { render, stackConfig } from "./harness";

/**
 * The dev stack's tenants under the real Pulumi engine (the CLI built from pulumi/pkg), the real Kubernetes
 * provider and a real kube-apiserver with the operators' CRDs (test/control-plane.ts). The platform is split off
 * as the README's "Splitting tenants across stacks" describes: its rendered objects are applied with kubectl, and
 * a platform stack in the same backend exports the values the platform render exports. What runs under the engine
 * is the program itself, `deployment: tenants`. No operator runs, and nothing here waits on an operator's status:
 * the tenant layer waits on no status (the provider awaits no custom resource), so there is no status writer.
 * Random passwords come from a stand-in provider (test/engine/random-provider.ts): pulumi-random cannot be built.
 */
const PROJECT = "analytics-platform";
const PLATFORM_STACK = "dev-platform";
const PLATFORM_REF = `organization/${PROJECT}/${PLATFORM_STACK}`;
const CRDS = path.resolve("../shared/reference/crds");
const TOPIC = "kafka.strimzi.io/v1/KafkaTopic";

const tenantsOf = (config: Record<string, unknown>): { name: string }[] => config["analytics-platform:tenants"] as { name: string }[];

/** Replaces every leaf of the platform render's `sharedSecrets` (placeholders) with a fresh value. */
function freshSecrets(value: unknown): unknown {
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, freshSecrets(v)]));
  return crypto.randomBytes(16).toString("hex");
}

/** The Kubernetes objects a stack holds, by identity, from its exported state. */
async function liveObjects(stack: auto.Stack): Promise<string[]> {
  const state = await stack.exportStack();
  const resources = (state.deployment as { resources?: { type: string; outputs?: Partial<KubeObject> }[] }).resources ?? [];
  return resources
    .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:") && r.outputs?.kind)
    .map((r) => identity(r.outputs as KubeObject))
    .sort();
}

describe("the dev stack's tenants under the real Pulumi engine, on a real kube-apiserver", () => {
  let cp: ControlPlane;
  let engine: Engine;
  let platform: RenderResult;
  let tenants: auto.Stack;
  const config = stackConfig("dev", { deployment: "tenants", platformStack: PLATFORM_REF });
  const program = async () => main();
  /** `kubectl get` of objects: which of them exist. */
  const existing = (objects: readonly KubeObject[]): string[] => {
    const got = cp.kubectl(["get", "-f", "-", "--ignore-not-found", "-o", "json"], kubeList(objects));
    if (got.status !== 0) throw new Error(got.stderr);
    const parsed = JSON.parse(got.stdout || "{\"items\":[]}") as { items?: KubeObject[] } & KubeObject;
    return (parsed.items ?? [parsed]).map(identity).sort();
  };
  const rendered = async (c: Record<string, unknown>): Promise<RenderResult> => render("dev", c, { [PLATFORM_REF]: platform.outputs });

  beforeAll(async () => {
    const tools = readEngineTools();
    cp = await startControlPlane(readToolchain());
    installCrds(cp, CRDS);

    platform = await render("dev", stackConfig("dev", { deployment: "platform" }));
    const objects = (manifestsOf(platform) as unknown as KubeObject[]).filter((o) => o.apiVersion !== "postgresql.cnpg.io/v1");
    for (const applied of applyNamespacesFirst(cp, objects)) {
      if (applied.status !== 0) throw new Error(`applying the platform: ${applied.stderr}`);
    }
    engine = await startEngine(tools, cp, PROJECT);
    const exported = { shared: platform.outputs.shared, sharedSecrets: pulumi.secret(freshSecrets(platform.outputs.sharedSecrets)) };
    const platformStack = await engine.stack(PLATFORM_STACK, async () => exported, {});
    await platformStack.up();
    tenants = await engine.stack("dev", program, config);
  }, 600_000);

  afterAll(async () => {
    await cp?.stop();
    engine?.remove();
  });

  it("previews on an empty cluster, reading nothing but the platform stack", async () => {
    const reads: string[] = [];
    const preview = await tenants.preview({
      onEvent: (e) => {
        const m = e.resourcePreEvent?.metadata;
        if (m && (m.op === "read" || m.op === "read-replacement")) reads.push(m.type);
      },
    });
    expect(preview.changeSummary.create).toBeGreaterThan(10);
    expect(reads).toEqual(["pulumi:pulumi:StackReference"]);
  }, 300_000);

  it("up: the API server accepts every object, and the objects present are the offline render's", async () => {
    // globex registers its schema: a Job, which the provider waits for.
    const up = await withJobPodsSucceeding(cp, () => tenants.up());
    expect(up.summary.result).toBe("succeeded");
    const offline = manifestsOf(await rendered(config)) as unknown as KubeObject[];
    expect(await liveObjects(tenants)).toEqual(offline.map(identity).sort());
    expect(existing(offline)).toEqual(offline.map(identity).sort());
  }, 600_000);

  it("a second up is a no-op", async () => {
    await expect(tenants.preview({ expectNoChanges: true })).resolves.toBeDefined();
  }, 300_000);

  it("reversing the tenant list is a no-op", async () => {
    await engine.configure(tenants, { ...config, "analytics-platform:tenants": [...tenantsOf(config)].reverse() });
    await expect(tenants.preview({ expectNoChanges: true })).resolves.toBeDefined();
  }, 300_000);

  it("`preview --policy-pack` runs policies/ in the real analyzer and reports a planted violation", async () => {
    const planted = async () => {
      const outputs = main();
      new k8s.core.v1.ConfigMap("planted", { metadata: { namespace: "tenant-acme" }, data: { password: "a-literal-password" } });
      return outputs;
    };
    // The dev stack's own policy config, as README "Policy pack" pairs them: in dev every policy is advisory.
    const policy = { policyPacks: [engine.policyPack], policyPackConfigs: [path.resolve("policies/config/dev.json")] };
    const violating = await engine.stack("dev", planted, config);
    const reported = await violating.preview(policy);
    expect(reported.stdout).toContain("[advisory]  no-plaintext-secrets  (kubernetes:core/v1:ConfigMap: planted)");
    expect(reported.stdout).toContain("$.data.password is a literal password");
    // The program as it is passes the same pack with nothing to report.
    const clean = await tenants.preview(policy);
    expect(clean.stdout).toContain("Loading policy packs");
    expect(clean.stdout).not.toMatch(/\[(advisory|mandatory)\]/);
  }, 300_000);

  it("removing a tenant deletes its namespace, Kafka user and credentials, and keeps its topics", async () => {
    const leaving = tenantsOf(config)[tenantsOf(config).length - 1].name;
    const before = await rendered(config);
    const byUrn = new Map(before.resources.map((r) => [r.urn, r]));
    const its = manifestsOf({ resources: before.resources.filter((r) => tenantOf(r, byUrn) === leaving) }) as unknown as KubeObject[];
    const topics = its.filter((o) => `${o.apiVersion}/${o.kind}` === TOPIC);
    expect(topics.length).toBeGreaterThan(0);
    expect(its.map((o) => o.kind)).toEqual(expect.arrayContaining(["Namespace", "KafkaUser", "Secret"]));

    const fewer = { ...config, "analytics-platform:tenants": tenantsOf(config).filter((t) => t.name !== leaving) };
    await engine.configure(tenants, fewer);
    const up = await tenants.up();
    expect(up.summary.result).toBe("succeeded");
    expect(existing(its)).toEqual(topics.map(identity).sort());
  }, 600_000);

  it("destroy leaves nothing behind but the topics, retained on purpose", async () => {
    const remaining = manifestsOf(await rendered(config)) as unknown as KubeObject[];
    await tenants.destroy();
    const left = existing(remaining);
    expect(left).toEqual(remaining.filter((o) => `${o.apiVersion}/${o.kind}` === TOPIC).map(identity).sort());
    expect(left.length).toBeGreaterThan(0);
  }, 600_000);
});
