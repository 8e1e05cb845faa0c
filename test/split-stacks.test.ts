import { beforeAll, describe, expect, it } from "vitest";
import { RenderResult, tenantOf } from "../offline/render";
import { at, ofType, one, render, stackConfig } from "./harness";

const PLATFORM_STACK = "acme-corp/analytics-platform/prod";
const config = stackConfig("prod");
const allTenants = config["analytics-platform:tenants"] as { name: string }[];

let platform: RenderResult;
let tenantStack: RenderResult;
beforeAll(async () => {
  platform = await render("prod", stackConfig("prod", { deployment: "platform" }));
  // A tenant stack owning two of the tenants, reading what the platform stack exported.
  tenantStack = await render("prod-tenants-1", stackConfig("prod", {
    deployment: "tenants",
    platformStack: PLATFORM_STACK,
    tenants: allTenants.filter((t) => t.name !== "globex"),
  }), { [PLATFORM_STACK]: platform.outputs });
});

describe("split across stacks", () => {
  it("the platform stack creates the shared layers and no tenant", () => {
    expect(ofType(platform, "analytics-platform:platform:Platform")).toHaveLength(1);
    expect(ofType(platform, "analytics-platform:tenant:Tenant")).toEqual([]);
    // Its only topic is the schema registry's own: no tenant's.
    expect(ofType(platform, "kubernetes:kafka.strimzi.io/v1:KafkaTopic").map((t) => at(t.inputs, "spec", "topicName"))).toEqual(["_schemas"]);
    // It still knows every tenant: Trino's users and rules and Druid's credentials are generated from the list.
    const trino = at(one(platform, "kubernetes:helm.sh/v3:Release", "trino").inputs, "values", "auth", "groups");
    expect(String(trino)).toContain("tenant-acme-eu:tenant-acme-eu");
  });

  it("the platform stack exports what tenants need: plain values in `shared`, credentials in `sharedSecrets`", () => {
    expect(platform.outputs.shared).toMatchObject({
      kafkaBootstrap: "platform-kafka-bootstrap.kafka.svc:9093",
      flinkStateBucket: expect.stringMatching(/^ap-prod-flink-state-/),
      flinkStateBucketArn: expect.stringMatching(/^arn:aws:s3:::ap-prod-flink-state-/),
      warehouseBucket: expect.stringMatching(/^ap-prod-lake-warehouse-/),
      kmsKeyArn: expect.stringMatching(/^arn:aws:kms:/),
    });
    expect(platform.outputs.sharedSecrets).toEqual({ objectStoreKeys: {}, trinoPasswords: { acme: "[secret]", "acme-eu": "[secret]" }, registryPasswords: { globex: "[secret]" } });
  });

  it("a tenant stack creates nothing shared: every resource belongs to one of its tenants, besides the reference", () => {
    const byUrn = new Map(tenantStack.resources.map((r) => [r.urn, r]));
    const outside = tenantStack.resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !tenantOf(r, byUrn));
    expect(outside.map((r) => r.type)).toEqual(["pulumi:pulumi:StackReference"]);
    expect(outside[0].inputs.name).toBe(PLATFORM_STACK);
    expect(ofType(tenantStack, "analytics-platform:tenant:Tenant").map((t) => t.name)).toEqual(["acme", "acme-eu"]);
    expect(ofType(tenantStack, "kubernetes:helm.sh/v3:Release")).toEqual([]);
    expect(ofType(tenantStack, "aws:s3/bucket:Bucket")).toEqual([]);
  });

  it("a tenant stack reads the platform's values: bootstrap servers, buckets, ARNs, key", () => {
    const shared = platform.outputs.shared as Record<string, string>;
    const flink = ofType(tenantStack, "kubernetes:flink.apache.org/v1beta1:FlinkDeployment").find((d) => at(d.inputs, "metadata", "name") === "anomalies")!;
    expect(at(flink.inputs, "spec", "flinkConfiguration", "execution.checkpointing.dir")).toBe(`s3://${shared.flinkStateBucket}/tenants/acme/flink/anomalies/checkpoints`);
    const policy = JSON.parse(String(one(tenantStack, "aws:iam/rolePolicy:RolePolicy", "acme-flink").inputs.policy));
    const resources: string[] = policy.Statement.flatMap((s: { Resource: string[] }) => s.Resource);
    expect(resources).toContain(`${shared.flinkStateBucketArn}/tenants/acme/flink/*`);
    expect(resources).toContain(shared.kmsKeyArn);
    expect(one(tenantStack, "aws:glue/catalogDatabase:CatalogDatabase", "acme-lake").inputs.locationUri).toBe(`s3://${shared.warehouseBucket}/tenants/acme/`);
  });

  it("the two stacks together hold the same tenant resources as one stack", async () => {
    const single = await render("prod", stackConfig("prod"));
    const tenantResources = (r: RenderResult, tenants: string[]) => {
      const byUrn = new Map(r.resources.map((x) => [x.urn, x]));
      return r.resources.filter((x) => tenants.includes(tenantOf(x, byUrn) ?? "")).map((x) => `${x.type}::${x.name}`).sort();
    };
    expect(tenantResources(tenantStack, ["acme", "acme-eu"])).toEqual(tenantResources(single, ["acme", "acme-eu"]));
  });

  it("a tenant stack must name its platform stack", async () => {
    const err = await render("t", stackConfig("prod", { deployment: "tenants" })).catch((e: unknown) => e);
    expect((err as { problems: string[] }).problems).toEqual(["analytics-platform:platformStack: is required with deployment: tenants (the platform stack to read)"]);
  });
});
