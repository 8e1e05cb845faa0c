import { StackConfig, TenantConfig } from "../config/types";
import { LAKE_DEFAULTS } from "./defaults";
import { platformNaming, tenantNaming } from "./naming";
import { TenantRetention, tenantRetention } from "./retention";
import { MS_PER_DAY } from "./sizing";

export interface LakeTenantModel {
  readonly tenant: string;
  readonly schema: string;
  readonly user: string;
  readonly group: string;
  /** Object-store prefix of the tenant's tables. */
  readonly prefix: string;
  /** Its `lake` days bound the rows, its `lakeSnapshots` days the snapshots. */
  readonly retention: TenantRetention;
}

export interface LakeModel {
  readonly enabled: boolean;
  readonly namespace: string;
  /** aws: Glue Data Catalog; local: an Iceberg REST catalog (Nessie) in the cluster. */
  readonly catalog: "glue" | "rest";
  readonly restCatalogUri: string;
  /** Ports in the lake namespace a lake tenant's pods reach: Trino, and on local the jobs' Nessie catalog. */
  readonly tenantEgressPorts: readonly number[];
  readonly trinoWorkers: number;
  /** Container resources and JVM memory of Trino's coordinator and of each worker. */
  readonly trinoCoordinator: TrinoNodeModel;
  readonly trinoWorker: TrinoNodeModel;
  /** Task retries with exchange spooling in object storage (prod). */
  readonly faultTolerant: boolean;
  /** Nessie's volume (local); undefined: the cluster's default storage class. */
  readonly storageClass?: string;
  readonly tenants: readonly LakeTenantModel[];
  readonly trinoUrl: string;
}

export interface TrinoNodeModel {
  readonly cpu: string;
  /** Container memory request and limit, GiB. */
  readonly memoryGi: number;
  /** `-Xmx`, as the chart's jvm.maxHeapSize. */
  readonly maxHeapSize: string;
  /** query.max-memory-per-node. */
  readonly maxMemoryPerNode: string;
}

/**
 * Trino's memory from the container limit. The chart's heap defaults to 8G whatever the limit (the kernel
 * kills the pod); Trino refuses to start unless query.max-memory-per-node plus memory.heap-headroom-per-node
 * (30% of the heap by default) fits in the heap (trino-main LocalMemoryManager). Heap: 75% of the limit,
 * leaving room for metaspace, threads and direct buffers; query memory: 60% of the heap.
 */
export function trinoNode(cpu: string, memoryGi: number): TrinoNodeModel {
  const heapMi = Math.floor(memoryGi * 1024 * 0.75);
  return { cpu, memoryGi, maxHeapSize: `${heapMi}M`, maxMemoryPerNode: `${Math.floor(heapMi * 0.6)}MB` };
}

export function buildLake(config: StackConfig): LakeModel {
  const prod = config.environment === "prod";
  const namespace = platformNaming.lakeNamespace;
  return {
    enabled: config.tenants.some((t) => t.lake === true),
    namespace,
    catalog: config.cloud === "aws" ? "glue" : "rest",
    restCatalogUri: `http://nessie.${namespace}.svc:${LAKE_DEFAULTS.nessiePort}/iceberg`,
    tenantEgressPorts: config.cloud === "aws" ? [LAKE_DEFAULTS.trinoPort] : [LAKE_DEFAULTS.trinoPort, LAKE_DEFAULTS.nessiePort],
    trinoWorkers: config.lake?.trinoWorkers ?? (prod ? 3 : 1),
    trinoCoordinator: prod ? trinoNode("2", 8) : trinoNode("500m", 2),
    trinoWorker: prod ? trinoNode("4", 16) : trinoNode("500m", 2),
    faultTolerant: prod,
    storageClass: config.lake?.storageClass,
    tenants: config.tenants.filter((t) => t.lake === true).map((t) => lakeTenant(t, config)),
    trinoUrl: `https://trino.${namespace}.svc:${LAKE_DEFAULTS.trinoPort}`,
  };
}

/** A tenant's place in the lake. */
export function lakeTenant(t: TenantConfig, config: StackConfig): LakeTenantModel {
  return {
    tenant: t.name,
    schema: tenantNaming.lakeSchema(t.name),
    user: tenantNaming.trinoUser(t.name),
    group: tenantNaming.trinoGroup(t.name),
    prefix: tenantNaming.storagePrefix(t.name),
    retention: tenantRetention(t, config.lake),
  };
}

/** Iceberg's `history.expire.max-snapshot-age-ms` of the tenant's tables: what an expiry run without arguments keeps. */
export function snapshotMaxAgeMs(t: LakeTenantModel): number {
  return t.retention.lakeSnapshots * MS_PER_DAY;
}

/** Trino's file-based access control rules (first matching rule wins; no match denies). */
export interface TrinoRules {
  readonly catalogs: readonly { readonly group?: string; readonly catalog?: string; readonly allow: "all" | "read-only" | "none" }[];
  readonly schemas: readonly { readonly group?: string; readonly catalog?: string; readonly schema?: string; readonly owner: boolean }[];
  readonly tables: readonly { readonly group?: string; readonly catalog?: string; readonly schema?: string; readonly table?: string; readonly privileges: readonly string[] }[];
  /** Who may run, see and kill whose queries; without it everyone sees and kills every query, SQL text included. */
  readonly queries: readonly { readonly group?: string; readonly queryOwner?: string; readonly allow: readonly ("execute" | "kill" | "view")[] }[];
  /**
   * Cluster information and management (nodes, shutdown, /metrics): admins, and Prometheus reading. Trino's own
   * key name. Its rules match users or roles, never groups (plugin-toolkit SystemInformationRule: allow, user,
   * role): an unknown field fails the rules' loading, and with it the coordinator's start.
   */
  readonly system_information: readonly { readonly user?: string; readonly role?: string; readonly allow: readonly ("read" | "write")[] }[];
  /**
   * Who may set catalog session properties. Without this section everyone may, and the lake's retention floors
   * (expire_snapshots_min_retention, remove_orphan_files_min_retention) are session properties: any tenant could
   * expire another's snapshots at once (Trino 478's own access control, judged in verify and trino-check's tests).
   */
  readonly catalog_session_properties: readonly { readonly group?: string; readonly allow: boolean }[];
  /** Who may CALL connector procedures (Iceberg's take any table as an argument). Without the section nobody may. */
  readonly procedures: readonly { readonly group?: string; readonly privileges: readonly ("EXECUTE" | "GRANT_EXECUTE")[] }[];
}

/** The `system` schemas JDBC and ODBC drivers read for metadata (they filter what they list by the other rules). */
export const TRINO_METADATA_SCHEMAS = "(jdbc|metadata|information_schema)";

export const LAKE_CATALOG = "lake";
export const DRUID_CATALOG = "druid";
/** The Druid connector exposes every datasource as a table of one schema. */
export const DRUID_SCHEMA = "druid";

/**
 * Rules from the tenant list: platform admins may do everything; each tenant's group may read its own
 * lake schema and, in the Druid catalog, only the tables of its own datasources. Names are literal
 * regular expressions (tenant names hold only [a-z0-9-]), matched whole by Trino.
 */
export function trinoAccessRules(tenants: readonly LakeTenantModel[]): TrinoRules {
  const admins = LAKE_DEFAULTS.adminGroup;
  return {
    catalogs: [
      { group: admins, allow: "all" },
      ...tenants.map((t) => ({ group: t.group, catalog: `(${LAKE_CATALOG}|${DRUID_CATALOG})`, allow: "read-only" as const })),
      // Trino appends its own `system` rule after these (FileBasedSystemAccessControl): the catch-all deny below
      // would shadow it and break drivers' metadata calls, so it is stated here, limited to the metadata schemas.
      { catalog: "system", allow: "read-only" },
      { allow: "none" },
    ],
    schemas: [
      { group: admins, owner: true },
      ...tenants.flatMap((t) => [
        { group: t.group, catalog: LAKE_CATALOG, schema: t.schema, owner: false },
        { group: t.group, catalog: DRUID_CATALOG, schema: DRUID_SCHEMA, owner: false },
      ]),
      { catalog: "system", schema: TRINO_METADATA_SCHEMAS, owner: false },
    ],
    tables: [
      { group: admins, privileges: ["SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP", "GRANT_SELECT"] },
      ...tenants.flatMap((t) => [
        { group: t.group, catalog: LAKE_CATALOG, schema: t.schema, privileges: ["SELECT"] },
        { group: t.group, catalog: DRUID_CATALOG, schema: DRUID_SCHEMA, table: `${tenantNaming.druidDatasource(t.tenant, "")}.*`, privileges: ["SELECT"] },
      ]),
      { catalog: "system", schema: TRINO_METADATA_SCHEMAS, privileges: ["SELECT"] },
      { privileges: [] },
    ],
    // Everyone may run queries and always sees and kills their own (Trino's rule); only admins others'.
    queries: [{ group: admins, allow: ["execute", "kill", "view"] }, { allow: ["execute"] }],
    // /metrics is a management resource: Trino serves it only to who may read system information
    // (ResourceSecurityDynamicFeature, checkCanReadSystemInformation).
    system_information: [{ user: LAKE_DEFAULTS.adminUser, allow: ["read", "write"] }, { user: LAKE_DEFAULTS.metricsUser, allow: ["read"] }],
    catalog_session_properties: [{ group: admins, allow: true }, { allow: false }],
    procedures: [{ group: admins, privileges: ["EXECUTE"] }, { privileges: [] }],
  };
}

/** Trino's group file: one line per group. */
export function trinoGroups(tenants: readonly LakeTenantModel[]): string {
  return [`${LAKE_DEFAULTS.adminGroup}:${LAKE_DEFAULTS.adminUser}`, ...tenants.map((t) => `${t.group}:${t.user}`)].join("\n");
}


/** Where the lake's retention run finds Trino's CA and its script. */
export const LAKE_RETENTION_RUN = {
  caDir: "/etc/trino-ca",
  scriptDir: "/etc/lake-retention",
  script: "retention.sh",
  passwordDir: "/etc/lake-retention-password",
  /** The only writable place: the root filesystem is read-only. */
  workDir: "/work",
  schedule: "17 3 * * *",
} as const;

/** The smallest `retention_threshold` the run passes, which the lake catalog must allow. */
export function lakeMinRetentionDays(tenants: readonly LakeTenantModel[]): number {
  return Math.min(LAKE_DEFAULTS.snapshotRetentionDays, ...tenants.map((t) => t.retention.lakeSnapshots));
}

/**
 * The lake catalog's floors for expire_snapshots and remove_orphan_files: Trino refuses a shorter
 * `retention_threshold` than these (7d by default; trino-iceberg IcebergConfig, IcebergMetadata.validateTableExecuteParameters).
 */
export function lakeRetentionFloors(tenants: readonly LakeTenantModel[]): string[] {
  const days = `${lakeMinRetentionDays(tenants)}d`;
  return [`iceberg.expire-snapshots.min-retention=${days}`, `iceberg.remove-orphan-files.min-retention=${days}`];
}

/**
 * The daily retention run, a shell script for the Trino image (its CLI, GNU date), run as the lake admin.
 * For each lake tenant: delete rows whose event date is past its `lake` days, then expire snapshots and remove
 * orphan files past its `lakeSnapshots` days, which deletes the files those rows were in. The cut-off is a date
 * literal on the identity partition column, so Trino deletes whole files in metadata (IcebergMetadata.applyDelete)
 * instead of writing position deletes that would leave the rows in their files. Trino never expires snapshots by
 * itself: the table's history.expire.max-snapshot-age-ms is only a default for engines that do.
 */
export function lakeRetentionScript(tenants: readonly LakeTenantModel[], trinoUrl: string, adminUser: string): string {
  const statements = tenants.flatMap((t) => {
    const table = `${LAKE_CATALOG}.${t.schema}.events`;
    const threshold = `'${t.retention.lakeSnapshots}d'`;
    return [
      `DELETE FROM ${table} WHERE event_date < '$(before ${t.retention.lake})';`,
      `ALTER TABLE ${table} EXECUTE expire_snapshots(retention_threshold => ${threshold});`,
      `ALTER TABLE ${table} EXECUTE remove_orphan_files(retention_threshold => ${threshold});`,
    ];
  });
  return [
    "#!/bin/sh",
    "set -eu",
    `before() { date -u -d "@$(( $(date -u +%s) - $1 * 86400 ))" +%F; }`,
    `cat > ${LAKE_RETENTION_RUN.workDir}/retention.sql <<SQL`,
    ...statements,
    "SQL",
    // --password reads TRINO_PASSWORD from the environment (trino-cli ClientOptions); a failed statement fails the run.
    `TRINO_PASSWORD=$(cat ${LAKE_RETENTION_RUN.passwordDir}/TRINO_PASSWORD)`,
    "export TRINO_PASSWORD",
    `exec trino --server ${trinoUrl} --user ${adminUser} --password --truststore-path ${LAKE_RETENTION_RUN.caDir}/ca.crt --file ${LAKE_RETENTION_RUN.workDir}/retention.sql`,
    "",
  ].join("\n");
}
