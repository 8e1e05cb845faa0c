// npm run verify -- --stack dev|prod | --config-file FILE [--out DIR] [--keep-work]
// Renders the plan (as `npm run render` does, into DIR, default out/<stack>), then runs it on real engines
// with the JVM harness and writes DIR/verify.json. See README "Verify on real engines".
import * as path from "node:path";
import { TenantConfig } from "../config/types";
import { loadCatalog } from "../jobs/catalog";
import { inStackFile, parseFlags, runTool, UsageError } from "../offline/cli";
import { readStackFile, renderPlatform, stackNameOf } from "../offline/render";
import { writeRender } from "../offline/render-output";
import { runHarness, verifyContext } from "../offline/verify";

const USAGE = "usage: npm run verify -- --stack NAME | --config-file FILE [--out DIR] [--keep-work]";

async function main(): Promise<number> {
  const { values } = parseFlags(USAGE, { stack: { type: "string" }, "config-file": { type: "string" }, out: { type: "string" }, "keep-work": { type: "boolean" } });
  if (!values.stack === !values["config-file"]) throw new UsageError("give either --stack or --config-file");
  const file = values["config-file"] ?? `Pulumi.${values.stack}.yaml`;
  const stack = values.stack ?? stackNameOf(file);
  const out = values.out ?? path.join("out", stack);
  const config = readStackFile(file);
  const result = await renderPlatform(stack, config).catch(inStackFile(file));
  writeRender(result, out);
  const tenants = (config["analytics-platform:tenants"] ?? []) as TenantConfig[];
  return runHarness(out, verifyContext(stack, tenants, loadCatalog(), result), { keepWork: values["keep-work"] }).code;
}

runTool("verify", USAGE, main);
