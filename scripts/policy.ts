// npm run policy -- --stack dev|prod | --config-file FILE | --resources resources.json
//   [--policy-config FILE] [--format text|json|sarif|markdown] [--out FILE] [--preview] [--shards N]
// Evaluates the policy pack offline (no cloud, no backend) the way `pulumi preview --policy-pack` does.
// With --preview, judges what a fresh stack's first `pulumi preview` shows the pack (provider-computed values
// unknown). Above TENANTS_PER_SHARD tenants, the stack is rendered and checked in groups (offline/policy-shards.ts).
// Exit 1 when a mandatory policy is violated.
import * as fs from "node:fs";
import { readJsonFile } from "../config/files";
import { inStackFile, InputError, parseFlags, runTool, UsageError } from "../offline/cli";
import { checkPolicies, PackConfig, PolicyReport, packVersion } from "../offline/policy-check";
import { checkStackSharded } from "../offline/policy-shards";
import { formatMarkdown, formatSarif, formatText } from "../offline/policy-report";
import { readStackFile, renderPlatform, RenderedResource, stackNameOf } from "../offline/render";
import { configuredTenants, shardCount, shardsFlag } from "../offline/render-shards";
import { ResourceSource, resourcesFileSources, stackFileSources } from "../offline/resource-sources";
import { allPolicies, PACK_NAME } from "../policies/all";

const USAGE = "usage: npm run policy -- --stack NAME | --config-file FILE | --resources FILE [--policy-config FILE] [--format text|json|sarif|markdown] [--out FILE] [--preview] [--shards N]";
const FORMATS = ["text", "json", "sarif", "markdown"];

/** A resources.json as `npm run render` writes it: a list of resources, each with a type, a name and inputs. */
function readResources(file: string): RenderedResource[] {
  const doc = readJsonFile(file);
  if (!Array.isArray(doc)) throw new InputError(`${file}: not a list of resources (a resources.json as \`npm run render\` writes it)`);
  const problems = doc.flatMap((r: unknown, i) =>
    typeof r === "object" && r !== null && typeof (r as RenderedResource).type === "string" && typeof (r as RenderedResource).name === "string" &&
    typeof (r as RenderedResource).inputs === "object" ? [] : [`${file}: $[${i}]: not a resource (needs type, name and inputs)`]);
  if (problems.length > 0) throw new InputError(problems.join("\n"));
  return doc as RenderedResource[];
}

async function main(): Promise<number> {
  const { values } = parseFlags(USAGE, {
    stack: { type: "string" },
    "config-file": { type: "string" },
    resources: { type: "string" },
    "policy-config": { type: "string" },
    format: { type: "string", default: "text" },
    out: { type: "string" },
    preview: { type: "boolean", default: false },
    shards: { type: "string" },
  });
  const given = [values.stack, values["config-file"], values.resources].filter((v) => v !== undefined);
  if (given.length !== 1) throw new UsageError("give one of --stack, --config-file and --resources");
  if (values.preview && values.resources) throw new UsageError("--preview renders the stack: give --stack or --config-file");
  if (!FORMATS.includes(values.format)) throw new UsageError(`unknown format '${values.format}' (one of ${FORMATS.join(", ")})`);

  // Default levels follow the environment: advisory in dev, mandatory in prod (and for a bare resources.json).
  const levels = (environment: string | undefined) => readJsonFile(values["policy-config"] ?? `policies/config/${environment === "dev" ? "dev" : "prod"}.json`) as PackConfig;
  const pack = { name: PACK_NAME, version: packVersion() };
  let report: PolicyReport;
  let artifact: string;
  // Where each resource comes from, for the formats that place violations (sarif, markdown).
  let sources: () => Map<string, ResourceSource>;
  if (values.resources) {
    artifact = values.resources;
    const resources = readResources(values.resources);
    report = await checkPolicies(resources, allPolicies, levels(undefined), pack);
    sources = () => resourcesFileSources(resources, artifact);
  } else {
    artifact = values["config-file"] ?? `Pulumi.${values.stack}.yaml`;
    const file = artifact;
    const stack = values.stack ?? stackNameOf(file);
    const config = readStackFile(file);
    const packConfig = levels(String(config["analytics-platform:environment"] ?? ""));
    const tenants = configuredTenants(config);
    const shards = shardCount(tenants.length, shardsFlag(values.shards));
    if (shards === 1) {
      const rendered = await renderPlatform(stack, config, {}, { preview: values.preview }).catch(inStackFile(file));
      report = await checkPolicies(rendered.resources, allPolicies, packConfig, pack, { preview: values.preview });
      sources = () => stackFileSources(rendered.resources, rendered.model, config, file);
    } else {
      const checked = await checkStackSharded(file, stack, config, tenants, { config: packConfig, version: pack.version }, { shards, preview: values.preview });
      report = checked.report;
      sources = () => stackFileSources(checked.resources, checked.model, config, file);
    }
  }

  const text =
    values.format === "json" ? JSON.stringify(report, null, 2)
    : values.format === "sarif" ? JSON.stringify(formatSarif(report, allPolicies, artifact, sources()), null, 2)
    : values.format === "markdown" ? formatMarkdown(report, allPolicies, artifact, sources())
    : formatText(report, "policies");
  if (values.out) fs.writeFileSync(values.out, `${text}\n`);
  else process.stdout.write(`${text}\n`);
  return report.mandatory > 0 ? 1 : 0;
}

runTool("policy", USAGE, main);
