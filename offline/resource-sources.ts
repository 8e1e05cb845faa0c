import * as fs from "node:fs";
import { DocPath, jsonLineOf, yamlLineOf } from "../config/files";
import { CONFIG_NAMESPACE } from "../config/validate";
import type { PlatformModel } from "../model/platform-model";
import { T, get, nameOf } from "../policies/support";
import { PlanEntry, StackConfigValues, tenantOf } from "./render";

/** A line of a file in the repository (or as the user named it): where a reviewer fixes a violation. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  /** What sits there, for the report: `tenants[2] (globex)`, `flink-jobs/anomalies.sql`. */
  readonly what: string;
}

/** Where a resource comes from: the line that made it, then the lines that chose it (a job's entry in its tenant's list). */
export interface ResourceSource {
  readonly primary: SourceLocation;
  readonly related: readonly SourceLocation[];
}

const configPath = (key: string, ...rest: (string | number)[]): DocPath => ["config", `${CONFIG_NAMESPACE}:${key}`, ...rest];

/** The config keys that shape a platform layer, by the module of its component (`analytics-platform:<module>:<Type>`). */
const LAYER_KEYS: Readonly<Record<string, readonly string[]>> = { storage: ["aws", "cloud"] };

function layerOf(resource: PlanEntry, byUrn: ReadonlyMap<string, PlanEntry>): string {
  let module = "platform";
  for (let r: PlanEntry | undefined = resource; r; r = r.parent ? byUrn.get(r.parent) : undefined) {
    const [project, m] = r.type.split(":");
    if (project === "analytics-platform" && m !== "platform") module = m;
  }
  return module;
}

/** What placing resources needs of the model: each tenant's job and spec files by their Kubernetes names. Plain data. */
export interface SourcesModel {
  readonly tenants: readonly {
    readonly name: string;
    readonly namespace: string;
    readonly flinkJobs: readonly { readonly job: string; readonly configMap: string; readonly file: string; readonly lake: boolean }[];
    readonly druidIngestions: readonly { readonly name: string; readonly file: string; readonly spec: string }[];
  }[];
}

export function sourcesModel(model: PlatformModel): SourcesModel {
  return {
    tenants: model.tenants.map((t) => ({
      name: t.name,
      namespace: t.namespace,
      flinkJobs: t.flinkJobs.map((j) => ({ job: j.job, configMap: j.configMap, file: j.file, lake: j.lake })),
      druidIngestions: t.druidIngestions.map((i) => ({ name: i.name, file: i.file, spec: i.spec })),
    })),
  };
}

/** The job file and spec file a tenant resource was made from, matched by the Kubernetes names the model gave them. */
function fileOf(r: PlanEntry, tenant: SourcesModel["tenants"][number]): { file: string; listKey: "jobs" | "datasources"; entry: string; lake: boolean } | undefined {
  const name = nameOf(r.inputs);
  if (r.type === T.flinkDeployment || r.type === T.configMap) {
    const job = tenant.flinkJobs.find((j) => (r.type === T.flinkDeployment ? j.job : j.configMap) === name && get(r.inputs, "metadata", "namespace") === tenant.namespace);
    if (job) return { file: job.file, listKey: "jobs", entry: job.job, lake: job.lake };
  }
  if (r.type === T.druidIngestion) {
    const ingestion = tenant.druidIngestions.find((i) => i.name === name);
    if (ingestion) return { file: ingestion.file, listKey: "datasources", entry: ingestion.spec, lake: false };
  }
  return undefined;
}

/**
 * Where each resource of a stack file's render comes from: a tenant's resources at its entry in `tenants`
 * (a job's or spec's at that file, with the entry that lists it), the platform's at the config key of
 * their layer. Lines are found in the stack file itself, so they follow comments and reordering.
 */
export function stackFileSources(
  resources: readonly PlanEntry[],
  model: SourcesModel,
  config: StackConfigValues,
  stackFile: string,
): Map<string, ResourceSource> {
  const lineOf = yamlLineOf(fs.readFileSync(stackFile, "utf8"));
  const at = (p: DocPath, what: string): SourceLocation | undefined => {
    const line = lineOf(p);
    return line === undefined ? undefined : { file: stackFile, line, what };
  };
  const top: SourceLocation = at(configPath("environment"), "environment") ?? { file: stackFile, line: 1, what: "config" };
  const configured = config[`${CONFIG_NAMESPACE}:tenants`];
  // Indexed once: a stack may have a thousand tenants and fifty thousand resources.
  const entries = new Map((Array.isArray(configured) ? configured : []).map((t, i) => [String(get(t, "name")), i] as const));
  const tenants = new Map(model.tenants.map((t) => [t.name, t]));
  const byUrn = new Map(resources.map((r) => [r.urn, r]));

  const sourceOf = (r: PlanEntry): ResourceSource => {
    const tenantName = tenantOf(r, byUrn);
    const i = tenantName === undefined ? -1 : entries.get(tenantName) ?? -1;
    const tenant = tenantName === undefined ? undefined : tenants.get(tenantName);
    if (i < 0 || !tenant) {
      const layer = layerOf(r, byUrn);
      const keys = LAYER_KEYS[layer] ?? [layer];
      return { primary: keys.map((k) => at(configPath(k), k)).find((l) => l !== undefined) ?? top, related: [] };
    }
    const entry = at(configPath("tenants", i), `tenants[${i}] (${tenantName})`) ?? top;
    const made = fileOf(r, tenant);
    if (!made) return { primary: entry, related: [] };
    const listed = (get(configured, i, made.listKey) as unknown[] | undefined)?.indexOf(made.entry) ?? -1;
    const chosen = listed >= 0
      ? at(configPath("tenants", i, made.listKey, listed), `tenants[${i}].${made.listKey}[${listed}] (${made.entry})`)
      : made.lake ? at(configPath("tenants", i, "lake"), `tenants[${i}].lake`) : undefined;
    return { primary: { file: made.file, line: 1, what: made.file }, related: [chosen ?? entry] };
  };
  return new Map(resources.map((r) => [r.urn, sourceOf(r)]));
}

/** Where each resource of a hand-made or edited resources.json sits: its own entry in that file. */
export function resourcesFileSources(resources: readonly PlanEntry[], file: string): Map<string, ResourceSource> {
  const lineOf = jsonLineOf(fs.readFileSync(file, "utf8"));
  return new Map(resources.map((r, i) => [r.urn, { primary: { file, line: lineOf([i]) ?? 1, what: `$[${i}] (${r.name})` }, related: [] }]));
}
