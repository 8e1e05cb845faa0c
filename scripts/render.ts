// npm run render -- --stack dev|prod | --config-file FILE [--out DIR]
// Runs the real program under Pulumi's mocks and writes what it would create. See README "Offline render".
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../config/validate";
import { readStackFile, renderPlatform, RenderResult, stackNameOf, tenantOf } from "../offline/render";
import { OutputFolderError, writeRender } from "../offline/render-output";

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { stack: { type: "string" }, "config-file": { type: "string" }, out: { type: "string" } },
    strict: true,
  });
  if (!values.stack === !values["config-file"]) fail("usage: npm run render -- --stack NAME | --config-file FILE [--out DIR]");
  const file = values["config-file"] ?? `Pulumi.${values.stack}.yaml`;
  if (!fs.existsSync(file)) fail(`render: no stack config file ${file}`);
  const stack = values.stack ?? stackNameOf(file);
  const out = values.out ?? path.join("out", stack);

  let result: RenderResult;
  try {
    result = await renderPlatform(stack, readStackFile(file));
  } catch (e) {
    if (e instanceof ConfigError) fail(`${file}: ${e.message}`);
    throw e;
  }

  try {
    writeRender(result, out);
  } catch (e) {
    if (e instanceof OutputFolderError) fail(`render: ${e.message}`);
    throw e;
  }
  process.stdout.write(`${summary(result)}\nwritten to ${out}/\n`);
}

main().catch((e: unknown) => fail(`render failed: ${e instanceof Error ? e.stack : String(e)}`));
