// npm run verify -- --stack dev|prod | --config-file FILE [--out DIR]
// Renders the plan (as `npm run render` does, into DIR, default out/<stack>), then runs it on real engines
// with the JVM harness and writes DIR/verify.json. See README "Verify on real engines".
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../config/validate";
import { JobCatalog, loadCatalog } from "../jobs/catalog";
import { tenantJobNames } from "../model/flink";
import { harnessCommand } from "../offline/jvm";
import { readStackFile, renderPlatform, RenderResult, stackNameOf } from "../offline/render";
import { OutputFolderError, recordOutput, writeRender } from "../offline/render-output";
import { tenantNaming } from "../model/naming";
import { TenantConfig } from "../config/types";

const USAGE = "usage: npm run verify -- --stack NAME | --config-file FILE [--out DIR] [--keep-work]";

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/**
 * What the harness needs beside the manifests: the program's naming of each tenant and of its jobs' topics
 * and groups (model/naming.ts), the jobs' parameters, and the Secrets' values.
 */
export function verifyContext(stack: string, tenants: readonly TenantConfig[], catalog: JobCatalog, result: RenderResult): Record<string, unknown> {
  return {
    stack,
    tenants: tenants.map((t) => ({
      name: t.name,
      namespace: tenantNaming.namespace(t.name),
      kafkaPrefix: tenantNaming.kafkaPrefix(t.name),
      credentialsSecret: tenantNaming.kafkaCredentialsSecret(),
      jobs: tenantJobNames(t, catalog).map((name) => {
        const job = catalog.flinkJobs.get(name)!;
        const topic = (s: string) => tenantNaming.topic(t.name, s);
        return {
          name,
          inputs: job.metadata.inputs.map(topic),
          compactedInputs: (job.metadata.compactedInputs ?? []).map(topic),
          outputs: (job.metadata.outputs ?? []).map(topic),
          consumerGroup: tenantNaming.flinkConsumerGroup(t.name, name),
          parameters: job.metadata.parameters ?? {},
          lake: job.metadata.lake === true,
        };
      }),
    })),
    secrets: Object.fromEntries(result.secretValues),
  };
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

  // The Secrets' values live only in this private folder, for the harness's run, and go with it.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `verify-${stack}-`));
  try {
    const contextFile = path.join(work, "context.json");
    fs.writeFileSync(contextFile, JSON.stringify(verifyContext(stack, tenants, loadCatalog(), result)), { mode: 0o600 });
    const { command, args } = harnessCommand("io.analyticsplatform.harness.Verify", [
      "-Xmx1g",
      `-Djdk.net.hosts.file=${path.join(work, "hosts")}`,
    ]);
    const report = path.join(out, "verify.json");
    const r = spawnSync(command, [...args, "--plan", out, "--context", contextFile, "--work", path.join(work, "engines"), "--out", report], { stdio: "inherit" });
    if (fs.existsSync(report)) recordOutput(out, ["verify.json"]);
    return r.status ?? 1;
  } finally {
    if (values["keep-work"]) {
      fs.rmSync(path.join(work, "context.json"), { force: true });
      process.stderr.write(`engine logs and state kept in ${work}\n`);
    } else {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
}

main().then((code) => process.exit(code), (e: unknown) => fail(`verify failed: ${e instanceof Error ? e.message : String(e)}`));
