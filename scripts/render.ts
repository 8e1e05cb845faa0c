// npm run render -- --stack dev|prod | --config-file FILE [--out DIR] [--shards N]
// Above TENANTS_PER_SHARD tenants, tenants are rendered in groups in child processes (offline/render-shards.ts).
// Runs the real program under Pulumi's mocks and writes what it would create. See README "Offline render".
import * as path from "node:path";
import { CONFIG_NAMESPACE } from "../config/validate";
import { LakeConfig, TenantConfig } from "../config/types";
import { RETENTION_LAYERS, tenantRetention } from "../model/retention";
import { EXIT, inStackFile, parseFlags, runTool, UsageError } from "../offline/cli";
import { readStackFile, renderPlatform, stackNameOf } from "../offline/render";
import { writeRender } from "../offline/render-output";
import { configuredTenants, countResources, renderSharded, shardCount, ShardResult, shardsFlag } from "../offline/render-shards";

const USAGE = "usage: npm run render -- --stack NAME | --config-file FILE [--out DIR] [--shards N]";

function summary(stack: string, { byType, byTenant }: Pick<ShardResult, "byType" | "byTenant">): string {
  const total = Object.values(byType).reduce((a, b) => a + b, 0);
  const lines = [`stack ${stack}: ${total} resources`, "by type:"];
  for (const [t, n] of Object.entries(byType).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) lines.push(`  ${String(n).padStart(5)}  ${t}`);
  lines.push("by tenant:");
  for (const [t, n] of Object.entries(byTenant).sort()) lines.push(`  ${String(n).padStart(5)}  ${t}`);
  return lines.join("\n");
}

/** Days each layer keeps each tenant's data, from the config the render accepted; `*` marks an override. */
function retentionSummary(config: Readonly<Record<string, unknown>>): string {
  const tenants = (config[`${CONFIG_NAMESPACE}:tenants`] ?? []) as TenantConfig[];
  const lake = config[`${CONFIG_NAMESPACE}:lake`] as LakeConfig | undefined;
  const width = Math.max(6, ...tenants.map((t) => t.name.length));
  const lines = [`retention, days (* an override of retentionDays):`, `  ${"tenant".padEnd(width)}${RETENTION_LAYERS.map((l) => l.padStart(15)).join("")}`];
  for (const t of tenants) {
    const r = tenantRetention(t, lake);
    lines.push(`  ${t.name.padEnd(width)}${RETENTION_LAYERS.map((l) => `${r[l]}${r.overridden.includes(l) ? "*" : ""}`.padStart(15)).join("")}`);
  }
  return lines.join("\n");
}

async function main(): Promise<number> {
  const { values } = parseFlags(USAGE, { stack: { type: "string" }, "config-file": { type: "string" }, out: { type: "string" }, shards: { type: "string" } });
  if (!values.stack === !values["config-file"]) throw new UsageError("give either --stack or --config-file");
  const requested = shardsFlag(values.shards);
  const file = values["config-file"] ?? `Pulumi.${values.stack}.yaml`;
  const stack = values.stack ?? stackNameOf(file);
  const out = values.out ?? path.join("out", stack);
  const config = readStackFile(file);
  const tenants = configuredTenants(config);
  const shards = shardCount(tenants.length, requested);
  let counts: Pick<ShardResult, "byType" | "byTenant">;
  if (shards === 1) {
    const result = await renderPlatform(stack, config).catch(inStackFile(file));
    writeRender(result, out);
    counts = countResources(result.resources);
  } else {
    counts = await renderSharded(file, stack, config, tenants, out, { shards });
  }
  process.stdout.write(`${summary(stack, counts)}\n${retentionSummary(config)}\n${shards > 1 ? `rendered in ${shards} groups of tenants\n` : ""}written to ${out}/\n`);
  return EXIT.clean;
}

runTool("render", USAGE, main);
