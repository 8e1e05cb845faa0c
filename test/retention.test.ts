import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../config/validate";
import { knownNames, loadCatalog } from "../jobs/catalog";
import { RETENTION_DEFAULTS } from "../model/defaults";
import { LAKE_RETENTION_RUN } from "../model/lake";
import { trinoCommand } from "../offline/jvm";
import { fitExpirations, S3_LIFECYCLE_MAX_RULES, tenantExpirations, tenantRetention } from "../model/retention";
import { MS_PER_DAY } from "../model/sizing";
import { RenderResult } from "../offline/render";
import { at, ofType, one, render, stackConfig, TOPIC } from "./harness";

const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const INGESTION = "kubernetes:druid.apache.org/v1alpha1:DruidIngestion";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

const acme = { name: "acme", peakEventsPerSecond: 1000, retentionDays: 30, topics: ["events"] };

describe("one retention number per tenant", () => {
  it("sets every layer from retentionDays; the lake's snapshots never outlive it", () => {
    expect(tenantRetention(acme, undefined)).toEqual({ days: 30, kafka: 30, dlq: 30, druid: 30, lake: 30, lakeSnapshots: 7, overridden: [] });
    expect(tenantRetention({ ...acme, retentionDays: 3 }, { snapshotRetentionDays: 7 }).lakeSnapshots).toBe(3);
  });

  it("lets a layer keep less, and says which layers were overridden", () => {
    const r = tenantRetention({ ...acme, retention: { dlq: 3, druid: 14 } }, undefined);
    expect([r.kafka, r.dlq, r.druid, r.lake]).toEqual([30, 3, 14, 30]);
    expect(r.overridden).toEqual(["dlq", "druid"]);
  });

  it("refuses an override that keeps data longer than retentionDays, and a layer it does not know, by config path", () => {
    const catalog = loadCatalog();
    const result = validateConfig({ environment: "dev", cloud: "local", tenants: [{ ...acme, retention: { druid: 31, lakes: 3 } }] }, knownNames(catalog), {});
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toContain("analytics-platform:tenants[0].retention.lakes: unknown key");
    expect(problems).toContain(
      "analytics-platform:tenants[0].retention.druid: 31 days is longer than tenant 'acme' keeps its data (retentionDays: 30); an override may only shorten a layer");
  });
});

describe("object-store backstops", () => {
  const r = tenantRetention({ ...acme, retention: { dlq: 3 } }, undefined);

  it("cover each engine's own deletion by a grace period, and really delete within a day in versioned buckets", () => {
    const grace = RETENTION_DEFAULTS.backstopGraceDays;
    expect(tenantExpirations.kafkaTiered("acme", r)).toEqual({ id: "retention-acme", prefix: "acme.", days: 30 + grace, deletedVersionDays: 1 });
    expect(tenantExpirations.druidSegments("acme", "segments", r).prefix).toBe("segments/acme_");
    expect(tenantExpirations.lakeTables("acme", r)).toMatchObject({ prefix: "tenants/acme/", days: 30 + 7 + grace });
  });

  it("never put more rules in a bucket than S3 takes: shortest retention first, the rest named", () => {
    const tenants = Array.from({ length: S3_LIFECYCLE_MAX_RULES }, (_, i) => ({ tenant: `t${i}`, rule: { id: `retention-t${i}`, prefix: `t${i}.`, days: 1000 - i } }));
    const fitted = fitExpirations(2, [{ id: "own", prefix: "x/", days: 1 }], tenants);
    expect(fitted.rules.length + 2).toBe(S3_LIFECYCLE_MAX_RULES);
    expect(fitted.rules[0].id).toBe("own");
    expect(fitted.omitted).toEqual(["t0", "t1", "t2"]);
  });
});

describe("the render keeps each tenant's data as long as its retention says, in every layer", () => {
  let prod: RenderResult;
  let overridden: RenderResult;
  const retentionOverride = { kafka: 20, dlq: 2, druid: 10, lake: 25, lakeSnapshots: 3 };

  beforeAll(async () => {
    prod = await render("prod", stackConfig("prod"));
    const tenants = (stackConfig("prod")["analytics-platform:tenants"] as { name: string }[])
      .map((t) => (t.name === "acme" ? { ...t, retention: retentionOverride } : t));
    overridden = await render("prod", stackConfig("prod", { tenants }));
  });

  const topicRetentionDays = (r: RenderResult, name: string) => Number(at(one(r, TOPIC, `${name.split(".")[0]}-topic-${name}`).inputs, "spec", "config", "retention.ms")) / MS_PER_DAY;
  const druidDays = (r: RenderResult, name: string) => {
    const rules = at(one(r, INGESTION, name).inputs, "spec", "ingestion", "rules") as { type: string; period?: string }[];
    return rules.filter((x) => x.type === "loadByPeriod").map((x) => x.period);
  };
  const backstop = (r: RenderResult, bucket: string) =>
    (at(one(r, LIFECYCLE, `platform-storage-${bucket}`).inputs, "rules") as { id: string; filter: { prefix: string }; expiration: { days: number }; noncurrentVersionExpiration?: { noncurrentDays: number } }[])
      .filter((x) => x.id === "retention-acme");
  const retentionScript = (r: RenderResult) => String(at(one(r, CONFIG_MAP, "platform-lake-retention").inputs, "data", "retention.sh"));
  const lakeJobScript = (r: RenderResult) => JSON.stringify(at(one(r, CONFIG_MAP, "acme-lake-events-sql").inputs, "data"));
  const coordinatorProperties = (r: RenderResult) =>
    String(at(one(r, "kubernetes:druid.apache.org/v1alpha1:Druid", "platform-druid").inputs, "spec", "nodes", "coordinators", "runtime.properties"));

  it("retentionDays alone: Kafka, DLQ, Druid, the lake's rows and S3 all hold 30 days for acme", () => {
    expect(topicRetentionDays(prod, "acme.events")).toBe(30);
    expect(topicRetentionDays(prod, "acme.dlq")).toBe(30);
    for (const ingestion of ofType(prod, INGESTION).filter((x) => x.name.startsWith("acme-"))) expect(druidDays(prod, ingestion.name).at(-1)).toBe("P30D");
    expect(retentionScript(prod)).toMatch(/DELETE FROM lake\.acme\.events WHERE event_date < '\$\(before 30\)';/);
    expect(retentionScript(prod)).toContain("ALTER TABLE lake.acme.events EXECUTE expire_snapshots(retention_threshold => '7d');");
    expect(lakeJobScript(prod)).toContain(`'history.expire.max-snapshot-age-ms' = '${7 * MS_PER_DAY}'`);
    expect(backstop(prod, "kafka-tiered").map((x) => [x.filter.prefix, x.expiration.days, x.noncurrentVersionExpiration?.noncurrentDays])).toEqual([["acme.", 37, 1]]);
    expect(backstop(prod, "druid-deep-storage").map((x) => [x.filter.prefix, x.expiration.days])).toEqual([["segments/acme_", 37]]);
  });

  it("overrides reach their layer and no other tenant's", () => {
    expect(topicRetentionDays(overridden, "acme.events")).toBe(20);
    expect(topicRetentionDays(overridden, "acme.dlq")).toBe(2);
    expect(topicRetentionDays(overridden, "globex.events")).toBe(14);
    expect(druidDays(overridden, "acme-ingestion-events").at(-1)).toBe("P10D");
    expect(retentionScript(overridden)).toMatch(/event_date < '\$\(before 25\)'/);
    expect(retentionScript(overridden)).toContain("expire_snapshots(retention_threshold => '3d')");
    expect(retentionScript(overridden)).toMatch(/DELETE FROM lake\.acme_eu\.events WHERE event_date < '\$\(before 90\)'/);
    expect(lakeJobScript(overridden)).toContain(`'history.expire.max-snapshot-age-ms' = '${3 * MS_PER_DAY}'`);
    expect(backstop(overridden, "kafka-tiered")[0].expiration.days).toBe(20 + RETENTION_DEFAULTS.backstopGraceDays);
    expect(backstop(overridden, "lake-warehouse")[0].expiration.days).toBe(25 + 3 + RETENTION_DEFAULTS.backstopGraceDays);
  });

  it("the lake's retention run, run by sh with GNU date, hands the CLI statements Trino's own parser accepts", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lake-retention-"));
    const dirs = { caDir: "ca", scriptDir: "script", passwordDir: "password", workDir: "work", bin: "bin" };
    for (const d of Object.values(dirs)) fs.mkdirSync(path.join(dir, d));
    let script = retentionScript(overridden);
    // Longest first: the script's folder is a prefix of the password's.
    for (const key of ["passwordDir", "scriptDir", "caDir", "workDir"] as const) script = script.split(LAKE_RETENTION_RUN[key]).join(path.join(dir, dirs[key]));
    fs.writeFileSync(path.join(dir, dirs.passwordDir, "TRINO_PASSWORD"), "s3cret");
    // Stands in for Trino's CLI: records its arguments, the password it was given and the file it would run.
    fs.writeFileSync(path.join(dir, dirs.bin, "trino"), `#!/bin/sh\necho "$@" > ${dir}/args\necho "$TRINO_PASSWORD" > ${dir}/password-seen\nwhile [ "$1" != --file ]; do shift; done\ncp "$2" ${dir}/ran.sql\n`, { mode: 0o755 });
    const run = spawnSync("sh", ["-c", script], { encoding: "utf8", env: { PATH: `${path.join(dir, dirs.bin)}:/usr/bin:/bin` } });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "password-seen"), "utf8").trim()).toBe("s3cret");
    expect(fs.readFileSync(path.join(dir, "args"), "utf8")).toMatch(/^--server https:\/\/trino\.lake\.svc:8443 --user admin --password --truststore-path \S+\/ca\.crt --file /);
    const sql = fs.readFileSync(path.join(dir, "ran.sql"), "utf8");
    const cutoff = new Date(Date.now() - 25 * MS_PER_DAY).toISOString().slice(0, 10);
    expect(sql).toContain(`DELETE FROM lake.acme.events WHERE event_date < '${cutoff}';`);
    const { command, args } = trinoCommand("io.analyticsplatform.trinocheck.SqlCheck");
    const parsed = spawnSync(command, [...args, path.join(dir, "ran.sql")], { encoding: "utf8" });
    expect(parsed.stdout).toBe("");
    expect(parsed.status).toBe(0);
  }, 120_000);

  it("Trino allows the shortest snapshot threshold the run passes (its 7-day floor would refuse 3d)", () => {
    const values = (r: RenderResult) => JSON.stringify(at(one(r, "kubernetes:helm.sh/v3:Release", "trino").inputs, "values", "catalogs", "lake"));
    expect(values(prod)).toContain("iceberg.expire-snapshots.min-retention=7d");
    expect(values(overridden)).toContain("iceberg.expire-snapshots.min-retention=3d");
    expect(values(overridden)).toContain("iceberg.remove-orphan-files.min-retention=3d");
  });

  it("Druid deletes what its rules drop, and keeps task logs no longer than the shortest tenant's Druid days", () => {
    expect(coordinatorProperties(prod)).toContain("druid.coordinator.kill.on=true");
    expect(coordinatorProperties(prod)).toContain(`druid.indexer.logs.kill.durationToRetain=${7 * MS_PER_DAY}`);
    expect(coordinatorProperties(overridden)).toContain("druid.coordinator.kill.bufferPeriod=P1D");
  });
});

describe("npm run render's summary", () => {
  it("shows every layer's days per tenant, marking overrides", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-retention-"));
    const file = path.join(dir, "Pulumi.retention.yaml");
    fs.writeFileSync(file, fs.readFileSync("Pulumi.dev.yaml", "utf8").replace("    retentionDays: 30\n", "    retentionDays: 30\n      retention: { dlq: 3 }\n"));
    const r = spawnSync(path.resolve("node_modules/.bin/tsx"), ["scripts/render.ts", "--config-file", file, "--out", path.join(dir, "out")], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^ {2}tenant +kafka +dlq +druid +lake +lakeSnapshots$/m);
    expect(r.stdout).toMatch(/^ {2}acme +30 +3\* +30 +30 +7$/m);
    expect(r.stdout).toMatch(/^ {2}globex +7 +7 +7 +7 +7$/m);
  }, 120_000);
});
