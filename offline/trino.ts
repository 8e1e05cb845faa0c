import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TenantConfig } from "../config/types";
import { supervisorParts } from "../jobs/druid-specs";
import { LAKE_DEFAULTS } from "../model/defaults";
import { TENANT_LABEL } from "../model/labels";
import { DRUID_CATALOG, DRUID_SCHEMA, LAKE_CATALOG } from "../model/lake";
import { tenantNaming } from "../model/naming";
import { trinoCommand } from "./jvm";
import { manifestsOf, RenderResult } from "./render";

/** The lake table each lake tenant's job writes (flink-jobs/lake-events.sql: `lake.${LAKE_SCHEMA}.events`). */
export const LAKE_EVENTS_TABLE = "events";

/** A tenant in the access matrix; `trinoUser` null: no lake, so no Trino login. */
export interface TrinoMatrixTenant {
  readonly name: string;
  readonly trinoUser: string | null;
  readonly lakeSchema: string;
  readonly druidTables: readonly string[];
}

/** What harness/trino-check asks Trino's access control about (AccessMatrix.Request). */
export interface TrinoMatrix {
  readonly lakeCatalog: string;
  readonly lakeTable: string;
  readonly druidCatalog: string;
  readonly druidSchema: string;
  readonly adminUser: string;
  /** Who Prometheus scrapes the coordinator's /metrics as. */
  readonly metricsUser: string;
  readonly tenants: readonly TrinoMatrixTenant[];
}

/** One answer of Trino's access control, with what the platform expects of it. */
export interface TrinoAnswer {
  readonly subject: string;
  readonly target: string | null;
  readonly question: string;
  readonly resource: string;
  readonly allowed: boolean;
  readonly expected: "allow" | "deny" | "either";
  readonly ok: boolean;
}

/** Each tenant's Druid datasources, as the rendered DruidIngestions name them (the Druid connector's tables). */
export function druidTablesOf(result: RenderResult): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  for (const m of manifestsOf(result)) {
    if (m.kind !== "DruidIngestion") continue;
    const meta = m.metadata as { labels?: Record<string, string> };
    const tenant = meta.labels?.[TENANT_LABEL];
    const dataSource = supervisorParts((m.spec as { ingestion?: { nativeSpec?: unknown } }).ingestion?.nativeSpec).parts?.dataSchema?.dataSource;
    if (tenant && typeof dataSource === "string") tables.set(tenant, [...(tables.get(tenant) ?? []), dataSource]);
  }
  return tables;
}

/** The matrix of every stack tenant, named as the program names them (model/naming.ts). */
export function trinoMatrix(tenants: readonly Pick<TenantConfig, "name" | "lake">[], druidTables: ReadonlyMap<string, readonly string[]>): TrinoMatrix {
  return {
    lakeCatalog: LAKE_CATALOG,
    lakeTable: LAKE_EVENTS_TABLE,
    druidCatalog: DRUID_CATALOG,
    druidSchema: DRUID_SCHEMA,
    adminUser: LAKE_DEFAULTS.adminUser,
    metricsUser: LAKE_DEFAULTS.metricsUser,
    tenants: tenants.map((t) => ({
      name: t.name,
      trinoUser: t.lake === true ? tenantNaming.trinoUser(t.name) : null,
      lakeSchema: tenantNaming.lakeSchema(t.name),
      druidTables: druidTables.get(t.name) ?? [],
    })),
  };
}

/**
 * Asks Trino's own file-based access control (harness/trino-check, Java 25) the matrix about `rules` (rules.json)
 * and `groups` (the group file). `code` 2: Trino refused the rules, its message in `output`.
 */
export function askTrino(rules: string, groups: string, matrix: TrinoMatrix, refreshPeriod?: string): { code: number; answers: TrinoAnswer[]; output: string } {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "trino-check-"));
  try {
    const file = (name: string, text: string) => {
      fs.writeFileSync(path.join(work, name), text);
      return path.join(work, name);
    };
    const request = file("request.json", JSON.stringify({ rulesFile: file("rules.json", rules), groupFile: file("group.db", groups), refreshPeriod, matrix }));
    const out = path.join(work, "answers.json");
    const { command, args } = trinoCommand("io.analyticsplatform.trinocheck.AccessMatrix");
    const r = spawnSync(command, [...args, request, out], { encoding: "utf8" });
    const answers = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, "utf8")) as { answers: TrinoAnswer[] }).answers : [];
    return { code: r.status ?? 1, answers, output: `${r.stdout}${r.stderr}` };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
