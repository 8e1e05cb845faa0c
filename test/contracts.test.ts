import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/validate";
import { contractProblems, gitVersions } from "../contracts/compatibility";
import { knownNames, loadCatalog } from "../jobs/catalog";
import { buildModel } from "../model/platform-model";

const catalog = loadCatalog();
const FILE = "schemas/globex/clicks.avsc";
const shipped = fs.readFileSync(FILE, "utf8");
const globex = { name: "globex", peakEventsPerSecond: 1000, retentionDays: 7, topics: ["events", "clicks"] };

/** A git repository holding the given versions of the clicks schema, one commit each, oldest first. */
function history(...versions: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "contracts-"));
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir, stdio: "pipe" });
  git("init", "-q");
  fs.mkdirSync(path.join(dir, path.dirname(FILE)), { recursive: true });
  versions.forEach((v, i) => {
    fs.writeFileSync(path.join(dir, FILE), v);
    git("add", "-A");
    git("commit", "-q", "-m", `v${i + 1}`);
  });
  return dir;
}

const withField = (schema: string, field: string) => schema.replace(`{ "name": "page", "type": "string" },`, `{ "name": "page", "type": "string" },\n    ${field},`);

describe("schemas as code", () => {
  it("registers a tenant topic's schema under its own subject, BACKWARD unless its contract says otherwise", () => {
    const config = (contracts?: Record<string, unknown>) => validateConfig({ environment: "dev", cloud: "local", kafka: { image: "kafka:1" }, tenants: [{ ...globex, contracts }] }, knownNames(catalog), {});
    const model = (contracts?: Record<string, unknown>) => {
      const r = config(contracts);
      if (!r.ok) throw new Error(r.problems.join("\n"));
      return buildModel(r.config, "dev", catalog).tenants[0].subjects;
    };
    expect(model()).toEqual([{ subject: "globex.clicks-value", topic: "globex.clicks", file: FILE, schemaType: "AVRO", schema: shipped, compatibility: "BACKWARD", pii: {} }]);
    expect(model({ clicks: { compatibility: "FULL_TRANSITIVE" } })[0].compatibility).toBe("FULL_TRANSITIVE");
    expect(model({ clicks: { pii: { entity_id: "hash", referrer: "drop" } } })[0].pii).toEqual({ entity_id: "hash", referrer: "drop" });
  });

  it("refuses a contract without a schema, a schema of a topic the tenant lacks, and an unknown mode, by config path", () => {
    const r = validateConfig({ environment: "dev", cloud: "local", tenants: [
      { ...globex, topics: ["events"], contracts: { events: { compatibility: "BACKWARDS" } } },
    ] }, knownNames(catalog), {});
    const problems = r.ok ? [] : r.problems;
    expect(problems).toContain("analytics-platform:tenants[0].contracts.events: no schema to govern: add schemas/globex/events.avsc");
    expect(problems).toContain("schemas/globex/clicks.avsc: 'clicks' is not a topic of tenant 'globex' (analytics-platform:tenants[0].topics: events)");
    expect(problems.some((p) => p.startsWith("analytics-platform:tenants[0].contracts.events.compatibility: must be one of"))).toBe(true);
  });

  it("refuses a PII field the schema does not have, and an action other than hash or drop", () => {
    const r = validateConfig({ environment: "dev", cloud: "local", kafka: { image: "kafka:1" }, tenants: [
      { ...globex, contracts: { clicks: { pii: { entity: "hash", page: "encrypt" } } } },
    ] }, knownNames(catalog), {});
    const problems = r.ok ? [] : r.problems;
    expect(problems).toContain("analytics-platform:tenants[0].contracts.clicks.pii.entity: not a field of schemas/globex/clicks.avsc (its fields: click_id, page, entity_id, event_time, referrer)");
    expect(problems.some((p) => p.startsWith("analytics-platform:tenants[0].contracts.clicks.pii.page: must be one of"))).toBe(true);
  });
});

describe("PII on the platform's events, masked before it leaves Kafka", () => {
  const flink = { flink: { webhook: "disabled", image: "runner:1" }, clusterNetwork: { podCidrs: ["10.244.0.0/16"], serviceCidrs: ["10.96.0.0/12"] } };
  const validate = (tenant: Record<string, unknown>, settings: Record<string, unknown> = flink) =>
    validateConfig({ environment: "dev", cloud: "local", kafka: { image: "kafka:1" }, ...settings, tenants: [{ ...globex, ...tenant }] }, knownNames(catalog), {});
  const problems = (tenant: Record<string, unknown>) => {
    const r = validate(tenant);
    return r.ok ? [] : r.problems;
  };

  it("a tenant declaring PII on its events gets the masking job, its masked topic, and its supervisors on that topic", () => {
    const r = validate({ contracts: { events: { pii: { entity_id: "hash" } } }, datasources: ["events"] });
    if (!r.ok) throw new Error(r.problems.join("\n"));
    const t = buildModel(r.config, "dev", catalog).tenants[0];
    expect(t.flinkJobs.map((j) => j.job)).toEqual(["events-masked", "dlq-router"]);
    expect(t.topics.map((x) => x.name)).toContain("globex.events-masked");
    expect(t.druidIngestions.map((d) => [d.spec, d.topic, (d.nativeSpec as { spec: { ioConfig: { topic: string } } }).spec.ioConfig.topic])).toEqual([["events", "globex.events-masked", "globex.events-masked"]]);
    expect(t.contracts["globex.events"]).toEqual({ pii: { entity_id: "hash" }, masked: "globex.events-masked" });
    // The lake job reads the masked copy too; the DLQ router keeps reading the raw events.
    const lake = validate({ contracts: { events: { pii: { entity_id: "hash" } } }, lake: true });
    if (!lake.ok) throw new Error(lake.problems.join("\n"));
    const scripts = Object.fromEntries(buildModel(lake.config, "dev", catalog).tenants[0].flinkJobs.map((j) => [j.job, j.script]));
    expect(scripts["lake-events"]).toContain("'topic' = 'globex.events-masked'");
    expect(scripts["dlq-router"]).toContain("'topic' = 'globex.events'");
    // Without PII its supervisors read the events themselves, and nothing masks.
    const plain = validate({ datasources: ["events"] });
    if (!plain.ok) throw new Error(plain.problems.join("\n"));
    const p = buildModel(plain.config, "dev", catalog).tenants[0];
    expect(p.druidIngestions[0].topic).toBe("globex.events");
    expect(p.flinkJobs).toEqual([]);
  });

  it("refuses a field the events do not have, a mode without a schema, PII on a schemaless topic nothing masks, and the masking job listed by hand", () => {
    expect(problems({ contracts: { events: { pii: { entity: "hash" } } } })).toEqual([
      "analytics-platform:tenants[0].contracts.events.pii.entity: not a field of the platform's events (event_id, event_type, entity_id, event_time)",
    ]);
    expect(problems({ contracts: { events: { pii: { entity_id: "hash" }, compatibility: "FULL" } } })).toEqual([
      "analytics-platform:tenants[0].contracts.events.compatibility: no schema to govern: add schemas/globex/events.avsc",
    ]);
    expect(problems({ topics: ["events", "clicks", "orders"], contracts: { orders: { pii: { email: "drop" } } } })).toEqual([
      "analytics-platform:tenants[0].contracts.orders.pii: no schema names the fields of 'orders': add schemas/globex/orders.avsc",
    ]);
    expect(problems({ jobs: ["events-masked"] })).toEqual([
      "analytics-platform:tenants[0].jobs[0]: 'events-masked' masks the PII a tenant declares on 'events' and runs once it does (contracts.events.pii); it is not listed",
    ]);
    // The masking job is a Flink job: the settings jobs need are needed.
    const r = validate({ contracts: { events: { pii: { entity_id: "hash" } } } }, {});
    expect(r.ok ? [] : r.problems).toContain("analytics-platform:flink.image: is required when a tenant runs jobs, uses the lake or masks PII (the SQL runner image)");
  });
});

describe("contract checks by Avro against the base branch", () => {
  const check = (repo: string, schema: string, compatibility: "BACKWARD" | "FORWARD" | "BACKWARD_TRANSITIVE") =>
    contractProblems([{ file: FILE, schema, compatibility, previous: gitVersions(FILE, "HEAD", compatibility.endsWith("_TRANSITIVE"), repo) }]);

  it("passes the shipped schema, a new one, and a field added with a default", () => {
    const repo = history(shipped);
    expect(check(repo, shipped, "BACKWARD")).toEqual([]);
    expect(gitVersions("schemas/globex/new.avsc", "HEAD", false, repo)).toEqual([]);
    expect(check(repo, withField(shipped, `{ "name": "device", "type": "string", "default": "unknown" }`), "BACKWARD")).toEqual([]);
  });

  it("fails a breaking change with the field that breaks it", () => {
    const problems = check(history(shipped), withField(shipped, `{ "name": "device", "type": "string" }`), "BACKWARD");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^schemas\/globex\/clicks\.avsc: breaks BACKWARD compatibility with its version HEAD .*field 'device'.*READER_FIELD_MISSING_DEFAULT_VALUE/);
  });

  it("FORWARD fails a removed field old readers need; a transitive mode checks every committed version", () => {
    const withoutPage = shipped.replace(`{ "name": "page", "type": "string" },\n`, "");
    expect(check(history(shipped), withoutPage, "FORWARD")[0]).toContain("field 'page'");
    // v2 adds `device` without a default: the same text again passes against v2, not against v1, which lacks it.
    const v2 = withField(shipped, `{ "name": "device", "type": "string" }`);
    const repo = history(shipped, v2);
    expect(check(repo, v2, "BACKWARD")).toEqual([]);
    expect(check(repo, v2, "BACKWARD_TRANSITIVE")[0]).toContain("field 'device'");
  });

  it("places a syntax error at its line", () => {
    expect(check(history(shipped), shipped.replace(`"type": "record",`, `"type": "record"`), "BACKWARD")[0]).toMatch(/^schemas\/globex\/clicks\.avsc:3:\d+: not a valid Avro schema/);
  });
});
