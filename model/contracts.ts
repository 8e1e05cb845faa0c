import { Compatibility, PiiAction, TenantConfig } from "../config/types";
import { FlinkJobDefinition, JobCatalog, piiMaskJobs } from "../jobs/catalog";
import { tenantNaming } from "./naming";

/** The fields of the platform's JSON events (`<tenant>.events`: what dlq-router checks and the shipped jobs read). */
export const EVENT_FIELDS: readonly string[] = ["event_id", "event_type", "entity_id", "event_time"];

/** The registry's default compatibility for a subject the config does not set (Karapace's and Confluent's too). */
export const DEFAULT_COMPATIBILITY: Compatibility = "BACKWARD";

/** One registered subject: a tenant topic's value schema and how it may change. */
export interface SubjectModel {
  /** The registry subject, by the topic-name strategy: `<topic>-value`. */
  readonly subject: string;
  readonly topic: string;
  /** Where the schema comes from (schemas/<tenant>/<topic>.avsc). */
  readonly file: string;
  readonly schemaType: "AVRO";
  readonly schema: string;
  readonly compatibility: Compatibility;
  /** The schema's personal-data fields and what is done to them before a serving store. */
  readonly pii: Readonly<Record<string, PiiAction>>;
}

/** The tenant's subjects: one per schema file of one of its topics (config validation refuses any other). */
export function tenantSubjects(t: TenantConfig, catalog: JobCatalog): SubjectModel[] {
  return [...catalog.schemas.values()]
    .filter((s) => s.tenant === t.name)
    .map((s) => ({
      subject: tenantNaming.valueSubject(t.name, s.topic),
      topic: tenantNaming.topic(t.name, s.topic),
      file: s.file,
      schemaType: s.schemaType,
      schema: s.text,
      compatibility: t.contracts?.[s.topic]?.compatibility ?? DEFAULT_COMPATIBILITY,
      pii: t.contracts?.[s.topic]?.pii ?? {},
    }));
}

/** The tenant's topics (bare names, as in its config) whose contract declares PII fields. */
export function piiTopics(t: TenantConfig): ReadonlySet<string> {
  return new Set(Object.entries(t.contracts ?? {}).filter(([, c]) => Object.keys(c.pii ?? {}).length > 0).map(([topic]) => topic));
}

/** A contract's PII as the masking job's PII_FIELDS: `field:action`, comma-separated (sql-runner PiiMask.fields). */
export function piiFieldList(pii: Readonly<Record<string, PiiAction>>): string {
  return Object.entries(pii).map(([f, action]) => `${f}:${action}`).join(",");
}

/** The masking job of a topic of the tenant: the catalog's piiMask job reading it, when the tenant declares PII there. */
export function maskingJob(t: TenantConfig, catalog: JobCatalog, topic: string): FlinkJobDefinition | undefined {
  const name = piiTopics(t).has(topic) ? piiMaskJobs(catalog)[topic] : undefined;
  return name === undefined ? undefined : catalog.flinkJobs.get(name);
}

/** The topic a serving store (a Druid supervisor) reads for a topic of the tenant: its masked copy, if it has one. */
export function servedTopic(t: TenantConfig, catalog: JobCatalog, topic: string): string {
  return maskingJob(t, catalog, topic)?.metadata.outputs?.[0] ?? topic;
}

/**
 * The tenant's data contracts as its namespace holds them (ConfigMap `data-contracts`, key `contracts.json`): per
 * topic its subject, compatibility and PII fields. Tools read it, and the policy pack judges what reaches the
 * serving stores against it. Jobs hash with `hashFunction` (sql-runner PiiHash) or mask whole JSON records with
 * `maskFunction` (PiiMask), keyed by `saltKey` of `saltSecret`.
 */
export const DATA_CONTRACTS = { configMap: "data-contracts", key: "contracts.json", saltSecret: "pii-salt", saltKey: "PII_SALT", hashFunction: "PII_HASH", maskFunction: "PII_MASK_JSON" } as const;

export type DataContracts = Readonly<Record<string, {
  /** With a schema: its subject and compatibility. */
  readonly subject?: string;
  readonly compatibility?: Compatibility;
  readonly pii: Readonly<Record<string, PiiAction>>;
  /** The topic a masking job writes with the PII masked, which the tenant's serving stores read. */
  readonly masked?: string;
}>>;

/** Per full topic name: its subject (with a schema), PII fields and masked copy; schemaless contracts declare PII only. */
export function tenantDataContracts(t: TenantConfig, catalog: JobCatalog, subjects: readonly SubjectModel[]): DataContracts {
  const prefix = tenantNaming.kafkaPrefix(t.name);
  const topics = new Set([...subjects.map((s) => s.topic.slice(prefix.length)), ...Object.keys(t.contracts ?? {})]);
  return Object.fromEntries([...topics].map((topic) => {
    const s = subjects.find((x) => x.topic === tenantNaming.topic(t.name, topic));
    const masked = maskingJob(t, catalog, topic)?.metadata.outputs?.[0];
    return [tenantNaming.topic(t.name, topic), {
      ...(s ? { subject: s.subject, compatibility: s.compatibility } : {}),
      pii: s?.pii ?? t.contracts?.[topic]?.pii ?? {},
      ...(masked ? { masked: tenantNaming.topic(t.name, masked) } : {}),
    }];
  }));
}
