import { LakeConfig, TenantConfig } from "../config/types";
import { LAKE_DEFAULTS, RETENTION_DEFAULTS } from "./defaults";
import { tenantNaming } from "./naming";

/** The places that keep a tenant's data, each for its own number of days. */
export const RETENTION_LAYERS = ["kafka", "dlq", "druid", "lake", "lakeSnapshots"] as const;
export type RetentionLayer = (typeof RETENTION_LAYERS)[number];

/**
 * How long every layer keeps a tenant's data. One number, the tenant's `retentionDays`, sets them all; a layer
 * may keep less by an override (`tenants[i].retention.<layer>`), never more: `retentionDays` is the tenant's promise
 * to the people its data is about.
 */
export interface TenantRetention {
  /** The tenant's `retentionDays`. */
  readonly days: number;
  /** Kafka topics' `retention.ms` (remote tier included). */
  readonly kafka: number;
  /** The dead-letter topic: it holds whole raw events. */
  readonly dlq: number;
  /** Druid load rules, then drop; the coordinator then kills the dropped segments in deep storage. */
  readonly druid: number;
  /** Iceberg rows older than this are deleted (by event date) by the lake's maintenance run. */
  readonly lake: number;
  /** Iceberg snapshots older than this expire, and with them the files only they reference. */
  readonly lakeSnapshots: number;
  /** The layers an override sets. */
  readonly overridden: readonly RetentionLayer[];
}

/** Every layer's days from the tenant's config; the lake's snapshots default to the lake's setting, never past the tenant's. */
export function tenantRetention(t: TenantConfig, lake: LakeConfig | undefined): TenantRetention {
  const o = t.retention ?? {};
  const days = t.retentionDays;
  const defaults: Record<RetentionLayer, number> = {
    kafka: days,
    dlq: days,
    druid: days,
    lake: days,
    lakeSnapshots: Math.min(days, lake?.snapshotRetentionDays ?? LAKE_DEFAULTS.snapshotRetentionDays),
  };
  const resolved = Object.fromEntries(RETENTION_LAYERS.map((l) => [l, o[l] ?? defaults[l]])) as Record<RetentionLayer, number>;
  return { days, ...resolved, overridden: RETENTION_LAYERS.filter((l) => o[l] !== undefined) };
}

/** Overrides that would keep data past the tenant's `retentionDays`, as messages keyed by layer. */
export function retentionOverrideProblems(t: TenantConfig): { readonly layer: RetentionLayer; readonly message: string }[] {
  const o = t.retention ?? {};
  return RETENTION_LAYERS.flatMap((layer) => {
    const days = o[layer];
    return days !== undefined && days > t.retentionDays
      ? [{ layer, message: `${days} days is longer than tenant '${t.name}' keeps its data (retentionDays: ${t.retentionDays}); an override may only shorten a layer` }]
      : [];
  });
}

/** One S3 lifecycle rule: objects under `prefix` expire `days` after they are written. */
export interface ExpirationRule {
  readonly id: string;
  readonly prefix: string;
  readonly days: number;
  /** Days a deleted object's old version is kept (versioned buckets); unset: the bucket-wide rule decides. */
  readonly deletedVersionDays?: number;
}

const backstop = (tenant: string, prefix: string, days: number): ExpirationRule =>
  ({ id: `retention-${tenant}`, prefix, days: days + RETENTION_DEFAULTS.backstopGraceDays, deletedVersionDays: RETENTION_DEFAULTS.deletedVersionDays });

/**
 * Backstops in object storage: each engine deletes a tenant's expired objects itself (Kafka's remote log
 * manager, Druid's kill of dropped segments, Iceberg's snapshot expiry); these rules remove what an engine
 * missed, `backstopGraceDays` after the engine should have. An object is written no earlier than the data it
 * holds arrives, so no live object is older than its layer's days (late-arriving data only makes it younger).
 */
export const tenantExpirations = {
  /** Tiered Kafka segments: the Aiven plugin keys them `<topic>-<topicId>/…` with no key prefix configured. */
  kafkaTiered: (tenant: string, r: TenantRetention): ExpirationRule => backstop(tenant, tenantNaming.kafkaPrefix(tenant), Math.max(r.kafka, r.dlq)),
  /** Druid segments: `<baseKey>/<dataSource>/…` (Druid's DataSegmentPusher.getDefaultStorageDir). */
  druidSegments: (tenant: string, baseKey: string, r: TenantRetention): ExpirationRule =>
    backstop(tenant, `${baseKey}/${tenantNaming.druidDatasource(tenant, "")}`, r.druid),
  /** Iceberg tables under the tenant's prefix: a deleted row's file lives on until its last snapshot expires. */
  lakeTables: (tenant: string, r: TenantRetention): ExpirationRule => backstop(tenant, tenantNaming.storagePrefix(tenant), r.lake + r.lakeSnapshots),
} as const;

/** S3 takes at most 1,000 rules in a bucket's lifecycle configuration (AWS S3 User Guide, "Lifecycle configuration elements"). */
export const S3_LIFECYCLE_MAX_RULES = 1000;

/** The lifecycle rules of one bucket: the bucket's own first, then tenants' backstops while they fit. */
export interface BucketExpirations {
  readonly rules: readonly ExpirationRule[];
  /** Tenants whose backstop did not fit: their engines' own deletion still applies. */
  readonly omitted: readonly string[];
}

/**
 * Fits tenants' backstops beside a bucket's `fixedRules` (the bucket-wide rules count too) under S3's limit,
 * shortest retention first: a backstop matters most where data must go soonest.
 */
export function fitExpirations(fixedRules: number, own: readonly ExpirationRule[], tenants: readonly { readonly tenant: string; readonly rule: ExpirationRule }[]): BucketExpirations {
  const room = Math.max(0, S3_LIFECYCLE_MAX_RULES - fixedRules - own.length);
  const sorted = [...tenants].sort((a, b) => a.rule.days - b.rule.days || a.tenant.localeCompare(b.tenant));
  const kept = new Set(sorted.slice(0, room).map((t) => t.tenant));
  return {
    rules: [...own, ...tenants.filter((t) => kept.has(t.tenant)).map((t) => t.rule)],
    omitted: tenants.filter((t) => !kept.has(t.tenant)).map((t) => t.tenant),
  };
}

/** What of a tenant decides its backstops. */
interface TenantStores {
  readonly name: string;
  readonly retention: TenantRetention;
  readonly druidIngestions: readonly unknown[];
  readonly lake?: unknown;
}

/**
 * Every bucket's lifecycle rules from the tenants: Kafka's tier for each tenant, Druid's segments for each that
 * ingests, the warehouse for each lake tenant (beside `lakeOwn`, the warehouse's own rules).
 */
export function tenantBucketExpirations(
  tenants: readonly TenantStores[],
  bucketWideRules: number,
  druidBaseKey: string,
  lakeOwn: readonly ExpirationRule[],
): { readonly kafka: BucketExpirations; readonly druid: BucketExpirations; readonly lake: BucketExpirations } {
  const of = (ts: readonly TenantStores[], rule: (t: TenantStores) => ExpirationRule) => ts.map((t) => ({ tenant: t.name, rule: rule(t) }));
  return {
    kafka: fitExpirations(bucketWideRules, [], of(tenants, (t) => tenantExpirations.kafkaTiered(t.name, t.retention))),
    druid: fitExpirations(bucketWideRules, [], of(tenants.filter((t) => t.druidIngestions.length > 0), (t) => tenantExpirations.druidSegments(t.name, druidBaseKey, t.retention))),
    lake: fitExpirations(bucketWideRules, lakeOwn, of(tenants.filter((t) => t.lake !== undefined), (t) => tenantExpirations.lakeTables(t.name, t.retention))),
  };
}
