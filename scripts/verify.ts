// npm run verify -- --stack dev|prod | --config-file FILE [--out DIR]
// Renders the plan (as `npm run render` does, into DIR, default out/<stack>), then runs it on real engines
// with the JVM harness and writes DIR/verify.json. See README "Verify on real engines".
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../config/validate";
import { harnessCommand } from "../offline/jvm";
import { readStackFile, renderPlatform, RenderResult, stackNameOf } from "../offline/render";
import { OutputFolderError, recordOutput, writeRender } from "../offline/render-output";
import { tenantNaming } from "../model/naming";

const USAGE = "usage: npm run verify -- --stack NAME | --config-file FILE [--out DIR]";

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** What the harness needs beside the manifests: the program's naming of each tenant, and the Secrets' values. */
export function verifyContext(stack: string, tenants: readonly string[], result: RenderResult): Record<string, unknown> {
  return {
    stack,
    tenants: tenants.map((name) => ({
      name,
      namespace: tenantNaming.namespace(name),
      kafkaPrefix: tenantNaming.kafkaPrefix(name),
      credentialsSecret: tenantNaming.kafkaCredentialsSecret(),
    })),
    secrets: Object.fromEntries(result.secretValues),
  };
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { stack: { type: "string" }, "config-file": { type: "string" }, out: { type: "string" } }, strict: true }));
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
  const tenants = ((config["analytics-platform:tenants"] ?? []) as { name: string }[]).map((t) => t.name);

  // The Secrets' values live only in this private folder, for the harness's run, and go with it.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `verify-${stack}-`));
  try {
    const contextFile = path.join(work, "context.json");
    fs.writeFileSync(contextFile, JSON.stringify(verifyContext(stack, tenants, result)), { mode: 0o600 });
    const { command, args } = harnessCommand("io.analyticsplatform.harness.Verify", [
      "-Xmx3g",
      `-Djdk.net.hosts.file=${path.join(work, "hosts")}`,
    ]);
    const report = path.join(out, "verify.json");
    const r = spawnSync(command, [...args, "--plan", out, "--context", contextFile, "--work", path.join(work, "engines"), "--out", report], { stdio: "inherit" });
    if (fs.existsSync(report)) recordOutput(out, ["verify.json"]);
    return r.status ?? 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (e: unknown) => fail(`verify failed: ${e instanceof Error ? e.message : String(e)}`));
