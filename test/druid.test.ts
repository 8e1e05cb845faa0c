import { beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../config/validate";
import { knownNames, loadCatalog } from "../jobs/catalog";
import { druidSpecProblems, sampleSpecProblems } from "../jobs/druid-specs";
import { druidProblems } from "../jobs/druid-validation";
import { substituteJson } from "../jobs/placeholders";
import { druidConsumerProperties, druidRetentionRules } from "../model/druid";
import { druidTaskCountFor } from "../model/sizing";
import { segmentCacheSize } from "../components/druid/druid-cluster";
import { DruidNodeSpec, DruidSpec, effectiveEnv } from "../crds/druid";
import { fakeSecretValue } from "../offline/mocks";
import { manifestsOf, RenderResult } from "../offline/render";
import { at, ofType, one, render, stackConfig } from "./harness";

const DRUID = "kubernetes:druid.apache.org/v1alpha1:Druid";
const INGESTION = "kubernetes:druid.apache.org/v1alpha1:DruidIngestion";
const catalog = loadCatalog();

/** A supervisor spec in the shape of Druid's Kafka ingestion documentation. */
const documented = () => ({
  type: "kafka",
  spec: {
    dataSchema: {
      dataSource: "metrics-kafka",
      timestampSpec: { column: "timestamp", format: "auto" },
      dimensionsSpec: { dimensions: [], dimensionExclusions: ["timestamp", "value"] },
      metricsSpec: [{ name: "count", type: "count" }, { name: "value_sum", fieldName: "value", type: "doubleSum" }],
      granularitySpec: { type: "uniform", segmentGranularity: "HOUR", queryGranularity: "NONE" },
    },
    ioConfig: { topic: "metrics", inputFormat: { type: "json" }, consumerProperties: { "bootstrap.servers": "localhost:9092" }, taskCount: 1, replicas: 1, taskDuration: "PT1H" },
    tuningConfig: { type: "kafka", maxRowsPerSegment: 5000000 },
  },
});

/** The flat form of Druid's Kafka ingestion docs: dataSchema, ioConfig and tuningConfig beside type. */
const flat = () => ({ type: "kafka", ...documented().spec });

describe("supervisor spec validation", () => {
  it("accepts a spec as Druid's documentation writes it, wrapped in spec or flat", () => {
    expect(druidSpecProblems("doc.json", documented())).toEqual([]);
    expect(druidSpecProblems("flat.json", flat())).toEqual([]);
    // Druid takes both (`spec` wins); neither is refused.
    expect(druidSpecProblems("both.json", { ...documented(), ...flat() })).toEqual([]);
    expect(druidSpecProblems("neither.json", { type: "kafka" })).toEqual(["neither.json: $: must hold dataSchema and ioConfig, under spec or beside type"]);
  });

  // Druid 33.0.0's own KafkaSupervisorSpec deserialization (harness/druid-check), what `npm run validate` runs.
  it("Druid's own classes accept every shipped spec as deployed and the documented forms", () => {
    const filled = [...catalog.druidSpecs.values()].map((def) => ({
      file: def.file,
      spec: substituteJson(def.spec, { TENANT: "t", DATASOURCE: "t_x", TOPIC_PREFIX: "t.", KAFKA_CONSUMER_PROPERTIES: druidConsumerProperties("t", "b:9093"), TASK_COUNT: 2, TASK_REPLICAS: 1 }).value,
    }));
    expect(druidProblems([...filled, { file: "doc.json", spec: documented() }, { file: "flat.json", spec: flat() }])).toEqual([]);
  }, 120_000);

  it("Druid's own classes refuse what Druid refuses, and report the typos Druid would ignore, by JSON path", () => {
    const typo = flat() as Record<string, unknown> & { ioConfig: Record<string, unknown> };
    typo.ioConfig = { ...typo.ioConfig, taskCont: 2 };
    const unknownFormat = documented();
    (unknownFormat.spec.ioConfig.inputFormat as { type: string }).type = "jsonx";
    const notANumber = documented();
    (notANumber.spec.ioConfig as { taskCount: unknown }).taskCount = "x";
    const problems = druidProblems([{ file: "typo.json", spec: typo }, { file: "format.json", spec: unknownFormat }, { file: "count.json", spec: notANumber }]);
    expect(problems).toEqual([
      "typo.json: $.ioConfig.taskCont: unknown property, which Druid ignores (on KafkaSupervisorIOConfig)",
      expect.stringMatching(/^format\.json: \$\.spec\.ioConfig\.inputFormat: .*'jsonx'/),
      expect.stringMatching(/^count\.json: \$\.spec\.ioConfig\.taskCount: .*"x"/),
    ]);
  }, 120_000);

  it.each([
    ["a missing dataSource", (s: ReturnType<typeof documented>) => { delete (s.spec.dataSchema as Partial<typeof s.spec.dataSchema>).dataSource; }, "$.spec.dataSchema.dataSource: is required"],
    ["an unknown granularity", (s: ReturnType<typeof documented>) => { s.spec.dataSchema.granularitySpec.segmentGranularity = "fortnight"; }, "$.spec.dataSchema.granularitySpec.segmentGranularity: must be a Druid granularity"],
    ["a timestampSpec without column", (s: ReturnType<typeof documented>) => { s.spec.dataSchema.timestampSpec = { format: "auto" } as typeof s.spec.dataSchema.timestampSpec; }, "$.spec.dataSchema.timestampSpec.column: is required"],
    ["a non-positive taskCount", (s: ReturnType<typeof documented>) => { s.spec.ioConfig.taskCount = 0; }, "$.spec.ioConfig.taskCount: must be >= 1"],
    ["no bootstrap servers", (s: ReturnType<typeof documented>) => { s.spec.ioConfig.consumerProperties = {} as typeof s.spec.ioConfig.consumerProperties; }, "$.spec.ioConfig.consumerProperties.bootstrap.servers: is required"],
    ["a malformed taskDuration", (s: ReturnType<typeof documented>) => { s.spec.ioConfig.taskDuration = "1 hour"; }, "$.spec.ioConfig.taskDuration: must match pattern"],
    ["a type other than kafka", (s: ReturnType<typeof documented>) => { (s as { type: string }).type = "kinesis"; }, "$.type: must be equal to constant"],
  ])("rejects %s with its JSON path", (_what, breakIt, expected) => {
    const spec = documented();
    breakIt(spec);
    const problems = druidSpecProblems("bad.json", spec);
    expect(problems.some((p) => p.startsWith(`bad.json: ${expected}`)), problems.join(" | ")).toBe(true);
  });

  it("every shipped spec is valid once filled for a tenant", () => {
    for (const def of catalog.druidSpecs.values()) {
      const problems = sampleSpecProblems(def.file, def.spec, {
        TENANT: "t", DATASOURCE: "t_x", TOPIC_PREFIX: "t.", KAFKA_CONSUMER_PROPERTIES: druidConsumerProperties("t", "b:9093"), TASK_COUNT: 1, TASK_REPLICAS: 1,
      });
      expect(problems, def.file).toEqual([]);
    }
  });
});

describe("placeholders in specs", () => {
  it("a whole-string placeholder takes any value; others are filled as text; the rest are reported by JSON path", () => {
    const r = substituteJson({ a: "${N}", b: "${P}x", c: ["${O}", "${MISSING}"] }, { N: 3, P: "acme.", O: { k: 1 } });
    expect(r.value).toEqual({ a: 3, b: "acme.x", c: [{ k: 1 }, "${MISSING}"] });
    expect(r.unresolved).toEqual([{ name: "MISSING", path: "$.c[1]" }]);
  });

  it("consumer properties name the tenant's JAAS variable, never a password", () => {
    const p = druidConsumerProperties("acme-eu", "b:9093");
    expect(p).toMatchObject({ "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512" });
    expect(p).not.toHaveProperty("sasl.jaas.config");
    expect(at(p, "druid.dynamic.config.provider", "variables", "sasl.jaas.config")).toBe("KAFKA_JAAS_ACME_EU");
  });
});

describe("sizing and retention", () => {
  it("one task per four partitions, between 1 and the maximum", () => {
    expect(druidTaskCountFor(20, 4, 16)).toBe(5);
    expect(druidTaskCountFor(1, 4, 16)).toBe(1);
    expect(druidTaskCountFor(200, 4, 16)).toBe(16);
  });

  const hot = { name: "hot", replicas: 3, replicants: 2, storage: "1Gi" };
  const cold = { name: "cold", replicas: 2, replicants: 1, storage: "1Gi" };
  it("keeps the newest days hot, the rest of the retention cold, then drops", () => {
    expect(druidRetentionRules(30, [hot, cold], 7)).toEqual([
      { type: "loadByPeriod", period: "P7D", includeFuture: true, tieredReplicants: { hot: 2 } },
      { type: "loadByPeriod", period: "P30D", includeFuture: true, tieredReplicants: { cold: 1 } },
      { type: "dropForever" },
    ]);
  });
  it("with retention within the hot window, or one tier, loads one period then drops", () => {
    expect(druidRetentionRules(5, [hot, cold], 7)).toEqual([{ type: "loadByPeriod", period: "P5D", includeFuture: true, tieredReplicants: { hot: 2 } }, { type: "dropForever" }]);
    expect(druidRetentionRules(30, [{ ...hot, name: "_default_tier", replicants: 1 }], 7)[0]).toMatchObject({ period: "P30D", tieredReplicants: { _default_tier: 1 } });
  });
  it("sizes the segment cache at 90% of the volume", () => {
    expect(segmentCacheSize("500Gi")).toBe("450GiB");
    expect(segmentCacheSize("2Ti")).toBe("1843GiB");
  });
});

describe("datasource opt-in config", () => {
  const known = knownNames(catalog);
  const base = { environment: "dev", cloud: "local", kafka: { image: "kafka:1" }, flink: { webhook: "disabled", image: "r:1" }, clusterNetwork: { podCidrs: ["10.244.0.0/16"], serviceCidrs: ["10.96.0.0/12"] } };
  const tenant = { name: "acme", peakEventsPerSecond: 1, retentionDays: 1, topics: ["events"] };
  const problems = (raw: unknown) => { const r = validateConfig(raw, known, { awsRegion: "eu-west-1" }); return r.ok ? [] : r.problems; };

  it("rejects an unknown datasource, naming the entry", () => {
    expect(problems({ ...base, tenants: [{ ...tenant, datasources: ["evnts"] }] })).toEqual([expect.stringMatching(/^analytics-platform:tenants\[0\]\.datasources\[0\]: unknown Druid spec 'evnts'/)]);
  });
  it("rejects a datasource whose topic the tenant does not have", () => {
    expect(problems({ ...base, tenants: [{ ...tenant, datasources: ["anomalies"] }] })).toEqual([
      "analytics-platform:tenants[0].datasources[0]: 'anomalies' ingests topic 'acme.anomalies', which tenant 'acme' neither lists nor gets from its jobs",
    ]);
    expect(problems({ ...base, tenants: [{ ...tenant, jobs: ["anomalies"], datasources: ["anomalies"] }] })).toEqual([]);
  });
  it("requires the AWS network for the RDS database", () => {
    const aws = { region: "eu-west-1", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/x", oidcProviderUrl: "oidc.example.com/id/1" };
    expect(problems({ ...base, cloud: "aws", aws, tenants: [{ ...tenant, datasources: ["events"] }] })).toEqual([
      "analytics-platform:aws.network: is required when a tenant has datasources (Druid's metadata database runs in RDS)",
    ]);
  });
});

describe("rendered Druid", () => {
  let dev: RenderResult;
  let prod: RenderResult;
  beforeAll(async () => {
    dev = await render("dev", stackConfig("dev"));
    prod = await render("prod", stackConfig("prod"));
  });
  const druidSpec = (r: RenderResult) => at(one(r, DRUID, "platform-druid").inputs, "spec") as Record<string, unknown>;
  const props = (r: RenderResult) => String(druidSpec(r)["common.runtime.properties"]);

  it("one ZooKeeper-less cluster with basic security and the Prometheus emitter, awaited until ready", () => {
    for (const r of [dev, prod]) {
      expect(ofType(r, DRUID)).toHaveLength(1);
      const p = props(r);
      for (const line of ["druid.zk.service.enabled=false", "druid.discovery.type=k8s", "druid.serverview.type=http", "druid.indexer.runner.type=httpRemote", "druid.auth.authenticatorChain=[\"basic\"]", "druid.emitter=prometheus", "druid.metadata.storage.type=postgresql"]) {
        expect(p).toContain(line);
      }
      expect(at(one(r, DRUID, "platform-druid").inputs, "metadata", "annotations", "pulumi.com/waitFor")).toBe("jsonpath={.status.druidNodeStatus.druidNodeConditionType}=DruidClusterReady");
      for (const node of Object.values(druidSpec(r).nodes as Record<string, unknown>)) {
        expect(at(node, "podDisruptionBudgetSpec")).toEqual({ maxUnavailable: 1 });
        expect(at(node, "resources", "requests", "memory")).toBeDefined();
      }
    }
  });

  it("dev has one historical tier; prod hot and cold tiers, more replicas, and KMS on deep storage", () => {
    const nodes = (r: RenderResult) => druidSpec(r).nodes as Record<string, { replicas: number; "runtime.properties": string }>;
    expect(Object.keys(nodes(dev))).toContain("historicals");
    expect(Object.keys(nodes(prod))).toEqual(expect.arrayContaining(["historicals-hot", "historicals-cold"]));
    expect(nodes(prod)["historicals-hot"]["runtime.properties"]).toContain("druid.server.tier=hot");
    expect([nodes(dev).brokers.replicas, nodes(prod).brokers.replicas]).toEqual([1, 2]);
    expect(props(prod)).toMatch(/druid\.storage\.sse\.type=kms\ndruid\.storage\.sse\.kms\.keyId=arn:aws:kms:/);
    expect(props(dev)).toContain("druid.s3.endpoint.url=http://minio.object-store.svc:9000");
  });

  it("the metadata store is an encrypted, private, protected RDS on aws and a CloudNativePG Cluster on local", () => {
    const rds = one(prod, "aws:rds/instance:Instance", "platform-druid-metadata");
    expect(rds.inputs).toMatchObject({ storageEncrypted: true, publiclyAccessible: false, deletionProtection: true, multiAz: true, password: "[secret]" });
    expect([rds.protect, rds.retainOnDelete]).toEqual([true, true]);
    expect(props(prod)).toMatch(/connectURI=jdbc:postgresql:\/\/.+\.rds\.amazonaws\.com:5432\/druid\?sslmode=require/);
    expect(ofType(dev, "aws:rds/instance:Instance")).toEqual([]);
    expect(one(dev, "kubernetes:helm.sh/v3:Release", "cnpg").inputs).toMatchObject({ chart: "cloudnative-pg", namespace: "cnpg-system" });
    const cluster = one(dev, "kubernetes:postgresql.cnpg.io/v1:Cluster", "platform-druid-metadata");
    expect(at(cluster.inputs, "spec", "bootstrap", "initdb")).toEqual({ database: "druid", owner: "druid", secret: { name: "druid-metadata" } });
    expect(at(cluster.inputs, "metadata", "annotations", "pulumi.com/waitFor")).toBe("condition=Ready");
    // initdb takes the owner's credentials from a basic-auth Secret with username and password.
    const secret = one(dev, "kubernetes:core/v1:Secret", "platform-druid-metadata-password").inputs;
    expect(at(secret, "type")).toBe("kubernetes.io/basic-auth");
    expect(Object.keys(dev.secretValues.get("druid/druid-metadata")!).sort()).toEqual(["password", "username"]);
    expect(dev.secretValues.get("druid/druid-metadata")!.username).toBe("druid");
    expect(props(dev)).toContain("connectURI=jdbc:postgresql://druid-metadata-rw:5432/druid?sslmode=require");
    // Created once the database is Ready: a component in dependsOn waits for all its children.
    expect(one(dev, DRUID, "platform-druid").dependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/DruidMetadataStore::platform-druid-metadata$/)]));
    // Bitnami's images are gone from docker.io/bitnami (bitnami/containers#83267): nothing may pull them.
    expect(JSON.stringify(dev.resources.map((r) => r.inputs))).not.toMatch(/bitnami/);
  });

  it("one DruidIngestion per (tenant, datasource), after the cluster is ready", () => {
    const ids = (r: RenderResult) => ofType(r, INGESTION).map((i) => `${at(i.inputs, "spec", "ingestion", "nativeSpec", "spec", "dataSchema", "dataSource")} <- ${at(i.inputs, "spec", "ingestion", "nativeSpec", "spec", "ioConfig", "topic")}`).sort();
    const expected = ["acme_anomalies <- acme.anomalies", "acme_events <- acme.events", "acme_events-hourly <- acme.events", "acme_events-per-minute <- acme.events-per-minute", "globex_events <- globex.events-masked", "globex_events-per-minute <- globex.events-per-minute"];
    expect(ids(dev)).toEqual(expected);
    expect(ids(prod)).toEqual(expected);
    const cluster = one(prod, DRUID, "platform-druid");
    for (const i of ofType(prod, INGESTION)) expect(i.dependsOn).toContain(cluster.urn);
  });

  it("retention follows each tenant's retentionDays; tasks follow its partitions", () => {
    const ingestion = (r: RenderResult, name: string) => ofType(r, INGESTION).find((i) => at(i.inputs, "metadata", "name") === name)!;
    expect(at(ingestion(prod, "globex-events").inputs, "spec", "ingestion", "rules")).toEqual([
      { type: "loadByPeriod", period: "P7D", includeFuture: true, tieredReplicants: { hot: 2 } },
      { type: "loadByPeriod", period: "P14D", includeFuture: true, tieredReplicants: { cold: 1 } },
      { type: "dropForever" },
    ]);
    // acme.events: 20 partitions -> 5 tasks; globex.events: 5 partitions -> 2.
    expect(at(ingestion(prod, "acme-events").inputs, "spec", "ingestion", "nativeSpec", "spec", "ioConfig", "taskCount")).toBe(5);
    expect(at(ingestion(prod, "globex-events").inputs, "spec", "ingestion", "nativeSpec", "spec", "ioConfig", "taskCount")).toBe(2);
  });

  it("a tenant's supervisors read only its topics with its own credentials", () => {
    for (const r of [dev, prod]) {
      for (const i of ofType(r, INGESTION)) {
        const tenant = String(at(i.inputs, "metadata", "labels", "analytics-platform.io/tenant"));
        const io = at(i.inputs, "spec", "ingestion", "nativeSpec", "spec", "ioConfig") as Record<string, unknown>;
        expect(String(io.topic).startsWith(`${tenant}.`)).toBe(true);
        expect(String(at(i.inputs, "spec", "ingestion", "nativeSpec", "spec", "dataSchema", "dataSource")).startsWith(`${tenant}_`)).toBe(true);
        expect(at(io, "consumerProperties", "druid.dynamic.config.provider", "variables", "sasl.jaas.config")).toBe(`KAFKA_JAAS_${tenant.toUpperCase().replace(/-/g, "_")}`);
      }
      // The overlord (coordinators here) runs the supervisors, which list the topics' partitions; middle managers run the tasks.
      for (const node of ["coordinators", "middlemanagers"]) {
        const env = at(druidSpec(r), "nodes", node, "env") as { name: string; valueFrom: { secretKeyRef: { name: string } } }[];
        expect(env.filter((e) => e.name.startsWith("KAFKA_JAAS_")).map((e) => [e.name, e.valueFrom.secretKeyRef.name]), node).toEqual([["KAFKA_JAAS_ACME", "kafka-acme"], ["KAFKA_JAAS_GLOBEX", "kafka-globex"]]);
        expect(at(druidSpec(r), "nodes", node, "volumeMounts"), node).toEqual(expect.arrayContaining([expect.objectContaining({ name: "kafka-ca", mountPath: "/druid/kafka-ca" })]));
      }
      for (const node of ["brokers", "routers"]) expect(JSON.stringify(at(druidSpec(r), "nodes", node))).not.toContain("KAFKA_JAAS_");
    }
  });

  it("every pod gets the env k8s discovery and the properties need, although a node's env replaces the cluster's", () => {
    for (const r of [dev, prod]) {
      const spec = druidSpec(r) as unknown as DruidSpec;
      for (const [key, node] of Object.entries(spec.nodes)) {
        const names = effectiveEnv(spec, node).map((e) => e.name);
        // PodInfo (druid-kubernetes-extensions) reads POD_NAME and POD_NAMESPACE at start-up.
        expect(names, key).toEqual(expect.arrayContaining(["POD_NAME", "POD_NAMESPACE", "METADATA_PASSWORD", "DRUID_ADMIN_PASSWORD", "DRUID_INTERNAL_PASSWORD"]));
        if (r === dev) expect(names, key).toEqual(expect.arrayContaining(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]));
      }
      // K8sDruidNodeAnnouncer patches /metadata/annotations/…: the pods need at least one annotation.
      expect(Object.keys(spec.podAnnotations).length).toBeGreaterThan(0);
    }
    // The operator's rule itself: the node's env, when set, is all the pod gets.
    const cluster = { env: [{ name: "A", value: "1" }] } as unknown as DruidSpec;
    expect(effectiveEnv(cluster, { env: [{ name: "B", value: "2" }] } as unknown as DruidNodeSpec).map((e) => e.name)).toEqual(["B"]);
    expect(effectiveEnv(cluster, {} as DruidNodeSpec).map((e) => e.name)).toEqual(["A"]);
  });

  it("every pod declares the metrics port its PodMonitor scrapes, by name", () => {
    for (const r of [dev, prod]) {
      const monitor = ofType(r, "kubernetes:monitoring.coreos.com/v1:PodMonitor").find((m) => at(m.inputs, "metadata", "name") === "druid")!;
      const port = at(monitor.inputs, "spec", "podMetricsEndpoints", 0, "port");
      expect(port).toBe("metrics");
      for (const [key, node] of Object.entries((druidSpec(r) as unknown as DruidSpec).nodes)) {
        expect(node.ports, key).toEqual([{ name: port, containerPort: 9090, protocol: "TCP" }]);
      }
    }
  });

  /** `key=value` lines of a properties text. */
  const properties = (text: string) => new Map(text.split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  const mebibytes = (q: string) => { const m = /^(\d+)(Mi|Gi)$/.exec(q)!; return Number(m[1]) * (m[2] === "Gi" ? 1024 : 1); };

  it("middle managers hold every supervisor's reading and publishing tasks, and their peons' memory", () => {
    for (const r of [dev, prod]) {
      const io = ofType(r, INGESTION).map((i) => at(i.inputs, "spec", "ingestion", "nativeSpec", "spec", "ioConfig") as { taskCount: number; replicas: number });
      // Druid's capacity planning (ingestion/supervisor.md): taskCount × replicas read while as many publish.
      const needed = 2 * io.reduce((n, x) => n + x.taskCount * x.replicas, 0);
      const mm = at(druidSpec(r), "nodes", "middlemanagers") as DruidNodeSpec;
      const p = properties(mm["runtime.properties"]);
      const capacity = Number(p.get("druid.worker.capacity"));
      expect(mm.replicas * capacity, r.stack).toBeGreaterThanOrEqual(needed);
      const opts = JSON.parse(p.get("druid.indexer.runner.javaOptsArray")!) as string[];
      const flag = (prefix: string) => Number(/(\d+)m$/.exec(opts.find((o) => o.startsWith(prefix))!)![1]);
      const heap = flag("-Xmx");
      const direct = flag("-XX:MaxDirectMemorySize=");
      // DruidProcessingModule.verifyDirectMemory: a peon with less direct memory than this refuses to start.
      const fork = (k: string) => Number(p.get(`druid.indexer.fork.property.druid.processing.${k}`));
      expect(direct * 1024 * 1024).toBeGreaterThanOrEqual(fork("buffer.sizeBytes") * (fork("numMergeBuffers") + fork("numThreads") + 1));
      const ownHeap = Number(/-Xmx(\d+)m/.exec(String(mm["jvm.options"]))![1]);
      const limit = mebibytes(String(at(mm, "resources", "limits", "memory")));
      expect(limit, r.stack).toBeGreaterThanOrEqual(ownHeap + capacity * (heap + direct));
    }
    // dev: supervisors of 5+5+5+5+1+1 tasks, 1 replica: 44 slots on 3 middle managers of 15.
    expect([dev, prod].map((r) => [at(druidSpec(r), "nodes", "middlemanagers", "replicas"), properties(String(at(druidSpec(r), "nodes", "middlemanagers", "runtime.properties"))).get("druid.worker.capacity")]))
      .toEqual([[3, "15"], [6, "16"]]);
  });

  it("peons push their metrics to the Pushgateway Prometheus scrapes; they do not inherit the exporter's port", () => {
    for (const r of [dev, prod]) {
      const p = properties(String(at(druidSpec(r), "nodes", "middlemanagers", "runtime.properties")));
      expect(p.get("druid.indexer.fork.property.druid.emitter.prometheus.strategy")).toBe("pushgateway");
      expect(p.get("druid.indexer.fork.property.druid.emitter.prometheus.pushGatewayAddress")).toBe("http://pushgateway.monitoring.svc:9091");
      expect(p.get("druid.indexer.fork.property.druid.emitter.prometheus.deletePushGatewayMetricsOnShutdown")).toBe("true");
      const gateway = one(r, "kubernetes:helm.sh/v3:Release", "pushgateway");
      expect(at(gateway.inputs, "chart")).toBe("prometheus-pushgateway");
      expect(at(gateway.inputs, "values", "fullnameOverride")).toBe("pushgateway");
      const monitor = ofType(r, "kubernetes:monitoring.coreos.com/v1:PodMonitor").find((m) => at(m.inputs, "metadata", "name") === "druid-peons")!;
      expect(at(monitor.inputs, "spec", "podMetricsEndpoints", 0)).toMatchObject({ port: "metrics", honorLabels: true });
    }
  });

  it("two overlords keep their tasks in the metadata store, not in the leader's memory", () => {
    for (const r of [dev, prod]) {
      expect(properties(String(at(druidSpec(r), "nodes", "coordinators", "runtime.properties"))).get("druid.indexer.storage.type")).toBe("metadata");
    }
  });

  it("the operator runs the image the chart's pin does not: v1.3.1 (chart 0.3.9 ships v1.3.0)", () => {
    for (const r of [dev, prod]) expect(at(one(r, "kubernetes:helm.sh/v3:Release", "druid-operator").inputs, "values", "image", "tag")).toBe("v1.3.1");
  });

  it("every process logs at info: the operator's common ConfigMap hides the image's log4j2.xml, so the spec brings one", () => {
    for (const r of [dev, prod]) {
      const xml = String(druidSpec(r)["log4j.config"]);
      expect(xml).toMatch(/<Root level="info">\s*<AppenderRef ref="Console"\/>/);
      expect(xml).toContain('<Console name="Console" target="SYSTEM_OUT">');
    }
  });

  it("the cluster starts before a tenant's Kafka Secret exists (split stacks create it in the tenants' stack)", () => {
    for (const r of [dev, prod]) {
      for (const node of ["coordinators", "middlemanagers"]) {
        const env = at(druidSpec(r), "nodes", node, "env") as { name: string; valueFrom?: { secretKeyRef?: { optional?: boolean } } }[];
        for (const e of env.filter((x) => x.name.startsWith("KAFKA_JAAS_"))) expect(e.valueFrom?.secretKeyRef?.optional, `${node} ${e.name}`).toBe(true);
      }
    }
  });

  it("deep storage writes no object ACLs, which would need s3:PutObjectAcl the role lacks", () => {
    for (const r of [dev, prod]) expect(props(r)).toContain("druid.storage.disableAcl=true");
  });

  it("no password appears in any Druid manifest", () => {
    for (const r of [dev, prod]) {
      const text = JSON.stringify(manifestsOf(r));
      for (const name of ["platform-druid-admin", "platform-druid-internal", "platform-druid-metadata-password", "acme-kafka-password"]) {
        expect(text).not.toContain(fakeSecretValue(name, 32));
      }
    }
  });
});
