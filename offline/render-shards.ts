// A stack with many tenants, rendered in bounded groups: each group in a child process running the same
// program on the whole model, as many at once as there are cores, joined into exactly what one process writes.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CONFIG_NAMESPACE } from "../config/validate";
import { allPolicies, PACK_NAME } from "../policies/all";
import { InputError, UsageError } from "./cli";
import { Diagnostic, PackConfig, packAnalyzers, resourceDiagnostics } from "./policy-check";
import { RenderedResource, RenderResult, StackConfigValues, tenantOf } from "./render";
import { SourcesModel, sourcesModel } from "./resource-sources";
import { prepareOutput, recordOutput, resourceEntries, resourcesJson, writeManifests } from "./render-output";

/**
 * Tenants per child process. One process renders 100 tenants in about 1.2 GB (README "Scale"), so two
 * at a time stay near 2.5 GB on a 2-core runner, far below the 4 GB default heap that 1000 tenants in one
 * process exceeds.
 */
export const TENANTS_PER_SHARD = 100;

/** How many groups a stack's tenants are rendered in: one (in this process) up to TENANTS_PER_SHARD tenants. */
export function shardCount(tenants: number, requested?: number): number {
  if (requested !== undefined) return Math.max(1, Math.min(requested, Math.max(tenants, 1)));
  return Math.max(1, Math.ceil(tenants / TENANTS_PER_SHARD));
}

/** Contiguous groups of the tenant list, in order, sizes differing by at most one. */
export function shardTenants(tenants: readonly string[], shards: number): string[][] {
  const out: string[][] = [];
  for (let i = 0, start = 0; i < shards; i++) {
    const size = Math.floor(tenants.length / shards) + (i < tenants.length % shards ? 1 : 0);
    out.push(tenants.slice(start, start + size));
    start += size;
  }
  return out;
}

/** What a child hands back: its files, its part of resources.json, and counts for the summary. */
export interface ShardResult {
  readonly files: readonly string[];
  readonly entriesFile: string;
  readonly byType: Readonly<Record<string, number>>;
  readonly byTenant: Readonly<Record<string, number>>;
  /** For a policy check: the resource policies' diagnostics on this group's resources, in order. */
  readonly diagnostics?: readonly Diagnostic[];
  /** For a policy check, from the first group: what reports need of the model to place violations. */
  readonly model?: SourcesModel;
}

/** A policy check's part of a shard's work: the pack's config, and whether to render as a first preview. */
export interface ShardPolicyCheck {
  readonly config: PackConfig;
  readonly version: string;
  readonly preview: boolean;
}

export interface ShardRequest {
  /** The stack file, for messages. */
  readonly source: string;
  readonly stack: string;
  readonly config: StackConfigValues;
  readonly tenants: readonly string[];
  /** The first shard also writes the platform's resources. */
  readonly platform: boolean;
  /** Where a render writes its manifests; a policy check writes none. */
  readonly out?: string;
  readonly entriesFile: string;
  readonly policy?: ShardPolicyCheck;
}

/** Counts by type and by tenant, for render's summary. */
export function countResources(resources: readonly RenderedResource[]): Pick<ShardResult, "byType" | "byTenant"> {
  const byType: Record<string, number> = {};
  const byTenant: Record<string, number> = {};
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  for (const r of resources) {
    byType[r.type] = (byType[r.type] ?? 0) + 1;
    const tenant = tenantOf(r, byUrn);
    if (tenant) byTenant[tenant] = (byTenant[tenant] ?? 0) + 1;
  }
  return { byType, byTenant };
}

/** In the child: renders the platform and one group of tenants; keeps the platform's resources only in the first group. */
export function shardPart(result: RenderResult, platform: boolean): RenderedResource[] {
  const byUrn = new Map(result.resources.map((r) => [r.urn, r]));
  return platform ? [...result.resources] : result.resources.filter((r) => tenantOf(r, byUrn) !== undefined);
}

function runChild(request: ShardRequest): Promise<ShardResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--max-semi-space-size=64", "--import", "tsx", path.join(__dirname, "render-shard-child.ts")], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      // The child reports the user's mistakes as render does; they pass through as they are.
      if (code !== 0) reject(new InputError(stderr.trim() || `a render shard exited ${code}`));
      else resolve(JSON.parse(stdout) as ShardResult);
    });
    child.stdin.end(JSON.stringify(request));
  });
}

/**
 * Runs one child per group of `tenants`, at most `parallel` at a time; the first group also has the platform.
 * After a failure no new group starts (invalid config fails every group alike); the first failure is thrown,
 * once, as the tool reports it, after `onFailure` saw what the finished groups did. Otherwise `collect` gets
 * every group's result in order while their entries files still exist.
 */
export async function runShards<T>(
  tenants: readonly string[],
  { shards, parallel = os.availableParallelism() }: { shards: number; parallel?: number },
  request: (group: readonly string[], i: number, entriesFile: string) => ShardRequest,
  collect: (results: readonly ShardResult[]) => Promise<T> | T,
  onFailure: (finished: readonly ShardResult[]) => void = () => {},
): Promise<T> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "shards-"));
  try {
    const groups = shardTenants(tenants, shards);
    const results: ShardResult[] = [];
    const errors: unknown[] = [];
    let next = 0;
    const worker = async () => {
      while (next < groups.length && errors.length === 0) {
        const i = next++;
        try {
          results[i] = await runChild(request(groups[i], i, path.join(work, `${i}.json`)));
        } catch (e) {
          errors[i] = e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, groups.length) }, worker));
    if (errors.length > 0) {
      onFailure(results.filter(Boolean));
      throw errors.find((e) => e !== undefined);
    }
    return await collect(results);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Counts summed over groups. */
function summed(results: readonly ShardResult[]): Pick<ShardResult, "byType" | "byTenant"> {
  const sum = (key: "byType" | "byTenant") => {
    const total: Record<string, number> = {};
    for (const r of results) for (const [k, n] of Object.entries(r[key])) total[k] = (total[k] ?? 0) + n;
    return total;
  };
  return { byType: sum("byType"), byTenant: sum("byTenant") };
}

/**
 * Renders `tenants` in `shards` groups into `out`. A failing group's message is reported once, as render
 * reports it. Returns the summary counts; `out` ends up as writeRender of a single-process render would leave it.
 */
export async function renderSharded(
  source: string,
  stack: string,
  config: StackConfigValues,
  tenants: readonly string[],
  out: string,
  options: { shards: number; parallel?: number },
): Promise<Pick<ShardResult, "byType" | "byTenant">> {
  prepareOutput(out);
  return runShards(
    tenants,
    options,
    (group, i, entriesFile) => ({ source, stack, config, tenants: group, platform: i === 0, out, entriesFile }),
    (results) => {
      fs.writeFileSync(path.join(out, "resources.json"), resourcesJson(results.map((r) => fs.readFileSync(r.entriesFile, "utf8"))));
      recordOutput(out, [...results.flatMap((r) => r.files), "resources.json"]);
      return summed(results);
    },
    (finished) => {
      // What the finished groups wrote is recorded, so the next render removes it.
      const written = finished.flatMap((r) => r.files);
      if (written.length > 0) recordOutput(out, written);
    },
  );
}

/** The child's work, given its request: render; write its manifests, or check its resources; write its entries. */
export async function renderShard(
  request: ShardRequest,
  render: (stack: string, config: StackConfigValues, only: readonly string[], preview: boolean) => Promise<RenderResult>,
): Promise<ShardResult> {
  const result = await render(request.stack, request.config, request.tenants, request.policy?.preview ?? false);
  const part = shardPart(result, request.platform);
  const files = request.out === undefined ? [] : writeManifests(part, request.out);
  fs.writeFileSync(request.entriesFile, resourceEntries(part));
  const check = request.policy;
  if (!check) return { files, entriesFile: request.entriesFile, ...countResources(part) };
  const diagnostics = await resourceDiagnostics(part, packAnalyzers(allPolicies, check.config, { name: PACK_NAME, version: check.version }));
  return { files, entriesFile: request.entriesFile, ...countResources(part), diagnostics, ...(request.platform ? { model: sourcesModel(result.model) } : {}) };
}

/** The tenants' names in a stack's config, in order, as the shards split them (validation judges them later). */
export function configuredTenants(config: StackConfigValues): string[] {
  const configured = config[`${CONFIG_NAMESPACE}:tenants`];
  return (Array.isArray(configured) ? configured : []).map((t: { name?: unknown }) => String(t?.name));
}

/** `--shards N`: a whole number from 1, or absent (decided by the number of tenants). */
export function shardsFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1)) throw new UsageError(`--shards must be a whole number from 1, not '${value}'`);
  return n;
}
