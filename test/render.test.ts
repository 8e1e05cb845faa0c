import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../config/validate";
import { caCertGeneration, forbiddenVolumeMounts, KafkaNodePoolSpec } from "../crds/strimzi";
import { fakeSecretValue } from "../offline/mocks";
import { manifestsOf, RenderResult, tenantOf } from "../offline/render";
import { at, KAFKA, NODE_POOL, ofType, one, render, stackConfig, TOPIC, USER } from "./harness";

let dev: RenderResult;
let prod: RenderResult;

beforeAll(async () => {
  dev = await render("dev", stackConfig("dev"));
  prod = await render("prod", stackConfig("prod"));
});

describe("Kafka cluster", () => {
  it("every listener is TLS with authentication, and authorization is simple with only the platform admin as super user", () => {
    for (const r of [dev, prod]) {
      const spec = at(one(r, KAFKA, "platform-kafka").inputs, "spec", "kafka") as Record<string, unknown>;
      const listeners = spec.listeners as { tls: boolean; authentication?: { type: string } }[];
      expect(listeners.length).toBeGreaterThan(0);
      for (const l of listeners) {
        expect(l.tls).toBe(true);
        expect(["scram-sha-512", "tls"]).toContain(l.authentication?.type);
      }
      expect(spec.authorization).toEqual({ type: "simple", superUsers: ["CN=platform-admin"] });
    }
  });

  it("prod is durable: RF 3, min ISR 2, no unclean election, rack awareness, Cruise Control", () => {
    const spec = at(one(prod, KAFKA, "platform-kafka").inputs, "spec") as Record<string, unknown>;
    expect(at(spec, "kafka", "config")).toMatchObject({
      "default.replication.factor": 3,
      "min.insync.replicas": 2,
      "unclean.leader.election.enable": false,
    });
    expect(at(spec, "kafka", "rack", "topologyKey")).toBe("topology.kubernetes.io/zone");
    expect(spec.cruiseControl).toBeDefined();
    expect(at(dev.resources.find((r) => r.type === KAFKA)!.inputs, "spec", "cruiseControl")).toBeUndefined();
  });

  it("prod spreads each node pool over zones: Strimzi's rack awareness only requires the zone label on the node", () => {
    const pools = ofType(prod, NODE_POOL);
    expect(pools.length).toBeGreaterThan(1);
    for (const p of pools) {
      const name = String(at(p.inputs, "metadata", "name"));
      expect(at(p.inputs, "spec", "template", "pod", "topologySpreadConstraints"), name).toEqual([{
        maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { "strimzi.io/cluster": "platform", "strimzi.io/pool-name": name } },
      }]);
    }
    for (const p of ofType(dev, NODE_POOL)) expect(at(p.inputs, "spec", "template", "pod")).toBeUndefined();
  });

  it("leaves remote.log.storage.system.enable to Strimzi, which writes it (KafkaBrokerConfigurationBuilder.withTieredStorage)", () => {
    for (const r of [dev, prod]) {
      const kafka = at(one(r, KAFKA, "platform-kafka").inputs, "spec", "kafka") as Record<string, unknown>;
      expect(kafka.tieredStorage).toBeDefined();
      expect(Object.keys(kafka.config as object)).not.toContain("remote.log.storage.system.enable");
    }
  });

  it("the plugin is in the Kafka image, on a class path naming the core and the S3 backend; no mount Strimzi forbids", () => {
    for (const r of [dev, prod]) {
      const kafka = at(one(r, KAFKA, "platform-kafka").inputs, "spec", "kafka") as Record<string, unknown>;
      expect(kafka.image).toBe(at(stackConfig(r === dev ? "dev" : "prod"), "analytics-platform:kafka", "image"));
      expect(at(kafka, "tieredStorage", "remoteStorageManager", "classPath")).toBe("/opt/kafka/plugins/tiered-storage/core/*:/opt/kafka/plugins/tiered-storage/s3/*");
      for (const pool of ofType(r, NODE_POOL)) expect(forbiddenVolumeMounts(at(pool.inputs, "spec") as KafkaNodePoolSpec), pool.name).toEqual([]);
    }
    // The rule itself (Strimzi TemplateUtils): additional volumes only under /mnt.
    const mounted = (mountPath: string): KafkaNodePoolSpec => ({ replicas: 1, roles: ["broker"], storage: { type: "persistent-claim", size: "1Gi", deleteClaim: false }, template: { kafkaContainer: { volumeMounts: [{ name: "p", mountPath }] } } });
    expect(forbiddenVolumeMounts(mounted("/opt/kafka/plugins/tiered-storage"))).toEqual(["/opt/kafka/plugins/tiered-storage"]);
    expect(forbiddenVolumeMounts(mounted("/mnt/tiered-storage"))).toEqual([]);
    expect(forbiddenVolumeMounts(mounted("/mntx"))).toEqual(["/mntx"]);
  });

  it("the cluster CA is the platform's: Strimzi generates none, nothing is read at preview, tenants trust exactly it", () => {
    for (const r of [dev, prod]) {
      expect(at(one(r, KAFKA, "platform-kafka").inputs, "spec", "clusterCa")).toEqual({ generateCertificateAuthority: false });
      // A read of a Secret Strimzi has not written yet fails the first preview (pulumi/pulumi#16395).
      expect(r.resources.filter((x) => x.read).map((x) => x.name)).toEqual([]);
      const cert = one(r, "kubernetes:core/v1:Secret", "platform-kafka-cluster-ca-cert");
      expect(at(cert.inputs, "metadata")).toMatchObject({ name: "platform-cluster-ca-cert", namespace: "kafka", labels: { "strimzi.io/cluster": "platform", "strimzi.io/kind": "Kafka" } });
      expect(at(cert.inputs, "metadata", "annotations", "strimzi.io/ca-cert-generation")).toBe(caCertGeneration("2026-01-01T00:00:00Z"));
      const key = one(r, "kubernetes:core/v1:Secret", "platform-kafka-cluster-ca");
      expect(at(key.inputs, "metadata", "annotations", "strimzi.io/ca-key-generation")).toBe("0");
      expect(at(key.inputs, "stringData", "ca.key")).toBe("[secret]");
      expect(key.protect).toBe(r === prod);
      expect(one(r, KAFKA, "platform-kafka").dependsOn).toEqual(expect.arrayContaining([cert.urn, key.urn]));
      for (const t of ["acme", "globex"]) {
        expect(at(one(r, "kubernetes:core/v1:Secret", `${t}-kafka-credentials`).inputs, "data", "ca.crt")).toBe(at(cert.inputs, "data", "ca.crt"));
      }
    }
    expect(caCertGeneration("2026-01-01T00:00:00Z")).toBe("20454");
    expect(Number(caCertGeneration("2031-01-01T00:00:00Z"))).toBeGreaterThan(20454);
  });

  it("dev has one dual-role pool; prod separate controller and broker pools, protected", () => {
    expect(ofType(dev, NODE_POOL).map((p) => at(p.inputs, "spec", "roles"))).toEqual([["controller", "broker"]]);
    const prodPools = ofType(prod, NODE_POOL);
    expect(prodPools.map((p) => at(p.inputs, "spec", "roles"))).toEqual([["controller"], ["broker"]]);
    for (const p of prodPools) expect([p.protect, p.retainOnDelete]).toEqual([true, true]);
    expect(one(prod, KAFKA, "platform-kafka").protect).toBe(true);
    expect(one(dev, KAFKA, "platform-kafka").protect).toBe(false);
  });

  it("custom resources wait for the operator's CRDs, and the cluster is awaited until Ready", () => {
    const operator = one(prod, "kubernetes:helm.sh/v3:Release", "strimzi");
    for (const r of [...ofType(prod, KAFKA), ...ofType(prod, NODE_POOL)]) expect(r.dependsOn).toContain(operator.urn);
    const kafka = one(prod, KAFKA, "platform-kafka");
    expect(at(kafka.inputs, "metadata", "annotations", "pulumi.com/waitFor")).toBe("condition=Ready");
    for (const r of [...ofType(prod, TOPIC), ...ofType(prod, USER)]) expect(r.dependsOn).toContain(kafka.urn);
  });

  it("tiers to S3 with IRSA on aws, and to the in-cluster store with generated credentials on local", () => {
    const prodKafka = at(one(prod, KAFKA, "platform-kafka").inputs, "spec", "kafka");
    expect(at(prodKafka, "tieredStorage", "remoteStorageManager", "config", "storage.s3.bucket.name")).toMatch(/^ap-prod-kafka-tiered-/);
    expect(at(prodKafka, "template", "serviceAccount", "metadata", "annotations", "eks.amazonaws.com/role-arn")).toMatch(/^arn:aws:iam::/);
    const devKafka = at(one(dev, KAFKA, "platform-kafka").inputs, "spec", "kafka");
    expect(at(devKafka, "tieredStorage", "remoteStorageManager", "config", "storage.s3.endpoint.url")).toBe("http://minio.object-store.svc:9000");
    const env = at(one(dev, NODE_POOL, "platform-kafka-dual-role").inputs, "spec", "template", "kafkaContainer", "env") as { name: string; valueFrom: unknown }[];
    expect(env.map((e) => e.name)).toEqual(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    expect(env.every((e) => e.valueFrom !== undefined)).toBe(true);
  });
});

describe("AWS storage and identity", () => {
  it("the tiered-storage bucket is SSE-KMS, versioned, private, TLS-only and protected in prod", () => {
    expect(one(prod, "aws:kms/key:Key", "platform-storage").inputs.enableKeyRotation).toBe(true);
    const bucket = one(prod, "aws:s3/bucket:Bucket", "platform-storage-kafka-tiered");
    expect([bucket.protect, bucket.retainOnDelete]).toEqual([true, true]);
    const sse = one(prod, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "platform-storage-kafka-tiered");
    expect(at(sse.inputs, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm")).toBe("aws:kms");
    const pab = one(prod, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "platform-storage-kafka-tiered");
    expect(pab.inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    const policy = JSON.parse(String(one(prod, "aws:s3/bucketPolicy:BucketPolicy", "platform-storage-kafka-tiered").inputs.policy));
    expect(policy.Statement[0]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  });

  it("the Kafka role trusts only the brokers' service account and reaches only its bucket", () => {
    const trust = JSON.parse(String(one(prod, "aws:iam/role:Role", "platform-kafka-irsa").inputs.assumeRolePolicy));
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain("system:serviceaccount:kafka:platform-kafka");
    const policy = JSON.parse(String(one(prod, "aws:iam/rolePolicy:RolePolicy", "platform-kafka-irsa").inputs.policy));
    const resources = policy.Statement.flatMap((s: { Resource: string[] }) => s.Resource);
    expect(resources).not.toContain("*");
    expect(resources.filter((r: string) => r.startsWith("arn:aws:s3")).every((r: string) => r.includes("ap-prod-kafka-tiered-"))).toBe(true);
  });

  it("local needs no AWS resource at all", () => {
    expect(dev.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
  });
});

describe("tenants", () => {
  it("each tenant gets a labelled namespace, quota, limits and default-deny network policies", () => {
    for (const name of ["acme", "acme-eu", "globex"]) {
      const ns = one(prod, "kubernetes:core/v1:Namespace", `tenant-${name}`);
      expect(at(ns.inputs, "metadata", "labels", "analytics-platform.io/tenant")).toBe(name);
      expect(one(prod, "kubernetes:core/v1:ResourceQuota", `${name}-quota`)).toBeDefined();
      expect(one(prod, "kubernetes:core/v1:LimitRange", `${name}-limits`)).toBeDefined();
      const deny = one(prod, "kubernetes:networking.k8s.io/v1:NetworkPolicy", `${name}-default-deny`);
      expect(at(deny.inputs, "spec")).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    }
  });

  it("objects in a tenant namespace belong to that tenant's component and carry its label", () => {
    const byUrn = new Map(prod.resources.map((r) => [r.urn, r]));
    for (const r of prod.resources) {
      const ns = at(r.inputs, "metadata", "namespace");
      if (typeof ns !== "string" || !ns.startsWith("tenant-")) continue;
      const tenant = ns.slice("tenant-".length);
      expect(tenantOf(r, byUrn), r.urn).toBe(tenant);
      expect(at(r.inputs, "metadata", "labels", "analytics-platform.io/tenant")).toBe(tenant);
    }
  });

  it("topics are named <tenant>.<topic>, include the DLQ and are retained on delete in every environment", () => {
    const names = ofType(dev, TOPIC).map((t) => at(t.inputs, "metadata", "name"));
    // Listed topics, then those the tenant's jobs use (globex runs events-per-minute, and events-masked: it declares PII on its events), then the DLQ.
    expect(names.filter((n) => String(n).startsWith("globex."))).toEqual(["globex.events", "globex.clicks", "globex.events-per-minute", "globex.events-masked", "globex.dlq"]);
    expect(names).toEqual(expect.arrayContaining(["acme.events", "acme.dlq"]));
    for (const t of [...ofType(dev, TOPIC), ...ofType(prod, TOPIC)]) expect(t.retainOnDelete).toBe(true);
    for (const t of ofType(prod, TOPIC)) expect(t.protect).toBe(true);
  });

  it("each KafkaUser's ACLs stay inside its tenant's prefix and its password comes from a Secret", () => {
    // The platform's own users: its admin, and the schema registry's (test/schema-registry.test.ts).
    for (const u of ofType(prod, USER).filter((u) => !["platform-kafka-platform-admin", "platform-schema-registry-kafka-user"].includes(u.name))) {
      const tenant = String(at(u.inputs, "metadata", "labels", "analytics-platform.io/tenant"));
      const spec = at(u.inputs, "spec") as { authentication: unknown; authorization: { acls: { resource: { name: string; patternType: string } }[] } };
      expect(spec.authentication).toEqual({ type: "scram-sha-512", password: { valueFrom: { secretKeyRef: { name: `tenant-${tenant}-scram`, key: "password" } } } });
      for (const acl of spec.authorization.acls) expect(acl.resource).toMatchObject({ name: `${tenant}.`, patternType: "prefix" });
    }
  });

  it("no tenant's password appears in any input or manifest in plaintext", () => {
    for (const r of [dev, prod]) {
      const text = JSON.stringify(r.resources) + JSON.stringify(manifestsOf(r));
      for (const name of ["acme", "globex", "acme-eu"]) expect(text).not.toContain(fakeSecretValue(`${name}-kafka-password`, 32));
      const creds = manifestsOf(r).find((m) => at(m, "kind") === "Secret" && at(m, "metadata", "name") === "kafka-credentials")!;
      expect(at(creds, "stringData", "password")).toBe("[secret]");
    }
  });

  it("removing a tenant from config removes its resources but leaves every other tenant's untouched", async () => {
    const config = stackConfig("prod");
    const fewer = await render("prod", { ...config, "analytics-platform:tenants": (config["analytics-platform:tenants"] as { name: string }[]).filter((t) => t.name !== "globex") });
    const urns = (r: RenderResult) => new Set(r.resources.map((x) => x.urn));
    const before = urns(prod);
    const after = urns(fewer);
    expect([...after].every((u) => before.has(u))).toBe(true);
    const removed = [...before].filter((u) => !after.has(u));
    expect(removed).toEqual(expect.arrayContaining([expect.stringContaining("::globex"), expect.stringContaining("::tenant-globex")]));
    expect(removed.every((u) => u.includes("globex"))).toBe(true);
  });
});

describe("operators installed by another team (charts.<name>.install: false)", () => {
  const RELEASE = "kubernetes:helm.sh/v3:Release";
  const NAMESPACE = "kubernetes:core/v1:Namespace";
  const operators = { strimzi: "strimzi-system", "flink-operator": "flink-operator", "cert-manager": "cert-manager", "druid-operator": "druid-operator", cnpg: "cnpg-system" };
  const off = { install: false };

  it("installs each operator by default, and none of them, nor its namespace, when the stack says another team does", async () => {
    const external = await render("dev", stackConfig("dev", {
      charts: { strimzi: off, flinkOperator: off, certManager: off, druidOperator: off, cloudnativePg: off },
    }));
    for (const [release, ns] of Object.entries(operators)) {
      expect(one(dev, RELEASE, release)).toBeDefined();
      expect(one(dev, NAMESPACE, ns)).toBeDefined();
      expect(ofType(external, RELEASE).map((r) => r.name)).not.toContain(release);
      expect(ofType(external, NAMESPACE).map((r) => r.name)).not.toContain(ns);
    }
    // The rest of the platform is unchanged: same custom resources, none waiting on a release that is not there.
    const custom = (r: RenderResult) => r.resources.filter((x) => x.type.includes(".io/") || x.type.includes(".org/")).map((x) => x.urn).sort();
    expect(custom(external)).toEqual(custom(dev));
    const present = new Set(external.resources.map((r) => r.urn));
    expect(external.resources.flatMap((r) => r.dependsOn).filter((d) => !present.has(d))).toEqual([]);
    expect(one(dev, KAFKA, "platform-kafka").dependsOn).toContain(one(dev, RELEASE, "strimzi").urn);
  });
});

describe("invalid config", () => {
  it("throws ConfigError listing each problem and registers nothing", async () => {
    const bad = stackConfig("dev", { tenants: [{ name: "acme", peakEventsPerSecond: 1, retentionDays: 0, topics: [] }, { name: "acme", retentionDays: 1, topics: [] }] });
    const err = await render("dev", bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe("ConfigError");
    expect((err as ConfigError).problems).toEqual(expect.arrayContaining([
      "analytics-platform:tenants[0].retentionDays: must be >= 1",
      "analytics-platform:tenants[1].peakEventsPerSecond: is required",
    ]));
  });
});

describe("npm run render", () => {
  const tsx = path.join("node_modules", ".bin", "tsx");

  it("writes manifests and resources.json with parents, dependencies and options", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
    const stdout = execFileSync(tsx, ["scripts/render.ts", "--stack", "dev", "--out", out], { encoding: "utf8" });
    expect(stdout).toMatch(/stack dev: \d+ resources/);
    expect(stdout).toMatch(/by tenant:\n\s+\d+\s+acme\n\s+\d+\s+acme-eu\n\s+\d+\s+globex/);
    const resources = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8"));
    const topic = resources.find((r: { type: string; name: string }) => r.type === TOPIC && r.name === "acme-topic-acme.events");
    expect(topic).toMatchObject({ retainOnDelete: true, protect: false, parent: expect.stringContaining("::acme") });
    expect(topic.dependsOn).toEqual([expect.stringContaining("::platform-kafka")]);
    expect(fs.readdirSync(path.join(out, "manifests"))).toContain("kafkatopic_kafka_acme.events.yaml");
  });

  it("never deletes what it did not write: a folder of the user's is refused, an earlier render replaced file by file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-out-"));
    fs.writeFileSync(path.join(dir, "notes.md"), "mine");
    const refused = spawnSync(tsx, ["scripts/render.ts", "--stack", "dev", "--out", dir], { encoding: "utf8" });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/is not empty and holds no earlier render/);
    expect(fs.readdirSync(dir)).toEqual(["notes.md"]);
    const out = path.join(dir, "render");
    expect(spawnSync(tsx, ["scripts/render.ts", "--stack", "dev", "--out", out], { encoding: "utf8" }).status).toBe(0);
    fs.writeFileSync(path.join(out, "manifests", "mine.yaml"), "kept: true\n");
    expect(spawnSync(tsx, ["scripts/render.ts", "--stack", "dev", "--out", out], { encoding: "utf8" }).status).toBe(0);
    expect(fs.readFileSync(path.join(out, "manifests", "mine.yaml"), "utf8")).toBe("kept: true\n");
    expect(fs.existsSync(path.join(out, "manifests", "kafka_kafka_platform.yaml"))).toBe(true);
  }, 120_000);

  it("exits 1 on invalid config, lists the problems with their paths and writes nothing", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-bad-"));
    const file = path.join(dir, "Pulumi.bad.yaml");
    fs.writeFileSync(file, fs.readFileSync("Pulumi.dev.yaml", "utf8").replace("retentionDays: 7", "retentionDays: -1"));
    const out = path.join(dir, "out");
    const r = spawnSync(tsx, ["scripts/render.ts", "--config-file", file, "--out", out], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("analytics-platform:tenants[1].retentionDays: must be >= 1");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);
  });
});
