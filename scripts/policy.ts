// npm run policy -- --stack dev|prod | --config-file FILE | --resources resources.json
//   [--policy-config FILE] [--format text|json|sarif|markdown] [--out FILE]
// Evaluates the policy pack offline (no cloud, no backend) the way `pulumi preview --policy-pack` does.
// Exit 1 when a mandatory policy is violated.
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError } from "../config/validate";
import { checkPolicies, PackConfig, packVersion } from "../offline/policy-check";
import { formatMarkdown, formatSarif, formatText } from "../offline/policy-report";
import { readStackFile, renderPlatform, RenderedResource, stackNameOf } from "../offline/render";
import { allPolicies, PACK_NAME } from "../policies/all";

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      "config-file": { type: "string" },
      resources: { type: "string" },
      "policy-config": { type: "string" },
      format: { type: "string", default: "text" },
      out: { type: "string" },
    },
    strict: true,
  });
  const sources = [values.stack, values["config-file"], values.resources].filter((v) => v !== undefined);
  if (sources.length !== 1) fail("usage: npm run policy -- --stack NAME | --config-file FILE | --resources FILE [--policy-config FILE] [--format text|json|sarif|markdown] [--out FILE]");
  if (!["text", "json", "sarif", "markdown"].includes(values.format!)) fail(`unknown format '${values.format}'`);

  let resources: RenderedResource[];
  let artifact: string;
  let environment: string | undefined;
  if (values.resources) {
    artifact = values.resources;
    resources = JSON.parse(fs.readFileSync(values.resources, "utf8")) as RenderedResource[];
  } else {
    artifact = values["config-file"] ?? `Pulumi.${values.stack}.yaml`;
    const config = readStackFile(artifact);
    environment = String(config["analytics-platform:environment"] ?? "");
    try {
      resources = [...(await renderPlatform(values.stack ?? stackNameOf(artifact), config)).resources];
    } catch (e) {
      if (e instanceof ConfigError) fail(`${artifact}: ${e.message}`);
      throw e;
    }
  }
  // Default levels follow the environment: advisory in dev, mandatory in prod (and for a bare resources.json).
  const policyConfig = values["policy-config"] ?? `policies/config/${environment === "dev" ? "dev" : "prod"}.json`;
  const config = JSON.parse(fs.readFileSync(policyConfig, "utf8")) as PackConfig;

  const report = await checkPolicies(resources, allPolicies, config, { name: PACK_NAME, version: packVersion() });
  const text =
    values.format === "json" ? JSON.stringify(report, null, 2)
    : values.format === "sarif" ? JSON.stringify(formatSarif(report, allPolicies, artifact), null, 2)
    : values.format === "markdown" ? formatMarkdown(report, artifact)
    : formatText(report, "policies");
  if (values.out) fs.writeFileSync(values.out, `${text}\n`);
  else process.stdout.write(`${text}\n`);
  return report.mandatory > 0 ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => fail(`policy check failed: ${e instanceof Error ? e.stack : String(e)}`));
