import { Compatibility, PiiAction, TenantConfig } from "../config/types";
import { JobCatalog } from "../jobs/catalog";
import { tenantNaming } from "./naming";

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

/**
 * The tenant's data contracts as its namespace holds them (ConfigMap `data-contracts`, key `contracts.json`): per
 * topic its subject, compatibility and PII fields. Tools read it, and the policy pack judges what reaches the
 * serving stores against it. Jobs hash with `hashFunction` (sql-runner PiiHash), keyed by `saltKey` of `saltSecret`.
 */
export const DATA_CONTRACTS = { configMap: "data-contracts", key: "contracts.json", saltSecret: "pii-salt", saltKey: "PII_SALT", hashFunction: "PII_HASH" } as const;

export type DataContracts = Readonly<Record<string, { readonly subject: string; readonly compatibility: Compatibility; readonly pii: Readonly<Record<string, PiiAction>> }>>;

export function dataContracts(subjects: readonly SubjectModel[]): DataContracts {
  return Object.fromEntries(subjects.map((s) => [s.topic, { subject: s.subject, compatibility: s.compatibility, pii: s.pii }]));
}
