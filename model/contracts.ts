import { Compatibility, TenantConfig } from "../config/types";
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
    }));
}
