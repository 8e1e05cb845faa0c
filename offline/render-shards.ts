// A stack with many tenants, rendered in bounded groups: each group in a child process running the same
// program on the whole model, as many at once as there are cores, joined into exactly what one process writes.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InputError } from "./cli";
import { RenderedResource, RenderResult, StackConfigValues, tenantOf } from "./render";
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
}

export interface ShardRequest {
  /** The stack file, for messages. */
  readonly source: string;
  readonly stack: string;
  readonly config: StackConfigValues;
  readonly tenants: readonly string[];
  /** The first shard also writes the platform's resources. */
  readonly platform: boolean;
  readonly out: string;
  readonly entriesFile: string;
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
 * Renders `tenants` in `shards` groups into `out`, at most `parallel` children at a time; the first
 * group also writes the platform. A failing group's message is reported once, as render reports it.
 * Returns the summary counts; `out` ends up as writeRender of a single-process render would leave it.
 */
export async function renderSharded(
  source: string,
  stack: string,
  config: StackConfigValues,
  tenants: readonly string[],
  out: string,
  { shards, parallel = os.availableParallelism() }: { shards: number; parallel?: number },
): Promise<Pick<ShardResult, "byType" | "byTenant">> {
  prepareOutput(out);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "render-shards-"));
  try {
    const groups = shardTenants(tenants, shards);
    const request = (i: number): ShardRequest => ({ source, stack, config, tenants: groups[i], platform: i === 0, out, entriesFile: path.join(work, `${i}.json`) });
    const results: ShardResult[] = [];
    const errors: unknown[] = [];
    let next = 0;
    const worker = async () => {
      // After a failure no new group starts: invalid config fails every group alike.
      while (next < groups.length && errors.length === 0) {
        const i = next++;
        try {
          results[i] = await runChild(request(i));
        } catch (e) {
          errors[i] = e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, groups.length) }, worker));
    if (errors.length > 0) {
      // What the finished groups wrote is recorded, so the next render removes it.
      const written = results.filter(Boolean).flatMap((r) => r.files);
      if (written.length > 0) recordOutput(out, written);
      throw errors.find((e) => e !== undefined);
    }
    fs.writeFileSync(path.join(out, "resources.json"), resourcesJson(results.map((r) => fs.readFileSync(r.entriesFile, "utf8"))));
    recordOutput(out, [...results.flatMap((r) => r.files), "resources.json"]);
    const sum = (key: "byType" | "byTenant") => {
      const total: Record<string, number> = {};
      for (const r of results) for (const [k, n] of Object.entries(r[key])) total[k] = (total[k] ?? 0) + n;
      return total;
    };
    return { byType: sum("byType"), byTenant: sum("byTenant") };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The child's work, given its request: render, write its manifests and its entries. */
export async function renderShard(request: ShardRequest, render: (stack: string, config: StackConfigValues, only: readonly string[]) => Promise<RenderResult>): Promise<ShardResult> {
  const part = shardPart(await render(request.stack, request.config, request.tenants), request.platform);
  const files = writeManifests(part, request.out);
  fs.writeFileSync(request.entriesFile, resourceEntries(part));
  return { files, entriesFile: request.entriesFile, ...countResources(part) };
}
