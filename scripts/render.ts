// npm run render -- --stack dev|prod | --config-file FILE [--out DIR]
// Runs the real program under Pulumi's mocks and writes what it would create. See README "Offline render".
import * as path from "node:path";
import { EXIT, inStackFile, parseFlags, runTool, UsageError } from "../offline/cli";
import { readStackFile, renderPlatform, RenderResult, stackNameOf, tenantOf } from "../offline/render";
import { writeRender } from "../offline/render-output";

const USAGE = "usage: npm run render -- --stack NAME | --config-file FILE [--out DIR]";

function summary(result: RenderResult): string {
  const byType = new Map<string, number>();
  const byTenant = new Map<string, number>();
  const byUrn = new Map(result.resources.map((r) => [r.urn, r]));
  for (const r of result.resources) {
    byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    const tenant = tenantOf(r, byUrn);
    if (tenant) byTenant.set(tenant, (byTenant.get(tenant) ?? 0) + 1);
  }
  const lines = [`stack ${result.stack}: ${result.resources.length} resources`, "by type:"];
  for (const [t, n] of [...byType].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) lines.push(`  ${String(n).padStart(5)}  ${t}`);
  lines.push("by tenant:");
  for (const [t, n] of [...byTenant].sort()) lines.push(`  ${String(n).padStart(5)}  ${t}`);
  return lines.join("\n");
}

async function main(): Promise<number> {
  const { values } = parseFlags(USAGE, { stack: { type: "string" }, "config-file": { type: "string" }, out: { type: "string" } });
  if (!values.stack === !values["config-file"]) throw new UsageError("give either --stack or --config-file");
  const file = values["config-file"] ?? `Pulumi.${values.stack}.yaml`;
  const stack = values.stack ?? stackNameOf(file);
  const out = values.out ?? path.join("out", stack);
  const result = await renderPlatform(stack, readStackFile(file)).catch(inStackFile(file));
  writeRender(result, out);
  process.stdout.write(`${summary(result)}\nwritten to ${out}/\n`);
  return EXIT.clean;
}

runTool("render", USAGE, main);
