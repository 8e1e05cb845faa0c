// npm run verify -- --stack dev|prod | --config-file FILE [--out DIR] [--keep-work]
// Renders the plan (as `npm run render` does, into DIR, default out/<stack>), then runs it on real engines
// with the JVM harness and writes DIR/verify.json. See README "Verify on real engines".
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { TenantConfig } from "../config/types";
import { ConfigError } from "../config/validate";
import { loadCatalog } from "../jobs/catalog";
import { readStackFile, renderPlatform, RenderResult, stackNameOf } from "../offline/render";
import { OutputFolderError, writeRender } from "../offline/render-output";
import { runHarness, verifyContext } from "../offline/verify";

const USAGE = "usage: npm run verify -- --stack NAME | --config-file FILE [--out DIR] [--keep-work]";

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { stack: { type: "string" }, "config-file": { type: "string" }, out: { type: "string" }, "keep-work": { type: "boolean" } },
      strict: true,
    }));
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`, 2);
  }
  if (!values.stack === !values["config-file"]) fail(USAGE, 2);
  const file = values["config-file"] ?? `Pulumi.${values.stack}.yaml`;
  if (!fs.existsSync(file)) fail(`verify: no stack config file ${file}`);
  const stack = values.stack ?? stackNameOf(file);
  const out = values.out ?? path.join("out", stack);
  const config = readStackFile(file);

  let result: RenderResult;
  try {
    result = await renderPlatform(stack, config);
    writeRender(result, out);
  } catch (e) {
    if (e instanceof ConfigError) fail(`${file}: ${e.message}`);
    if (e instanceof OutputFolderError) fail(`verify: ${e.message}`);
    throw e;
  }
  const tenants = (config["analytics-platform:tenants"] ?? []) as TenantConfig[];
  return runHarness(out, verifyContext(stack, tenants, loadCatalog(), result), { keepWork: values["keep-work"] }).code;
}

main().then((code) => process.exit(code), (e: unknown) => fail(`verify failed: ${e instanceof Error ? e.message : String(e)}`));
