// The policy check of a stack with many tenants: each group of tenants rendered in a child process that also
// runs the resource policies on its resources (they judge one resource at a time); the stack policies then
// run once, here, on the joined plan, so their cross-tenant indexes see every tenant. The report equals one
// process's (test/render-shards.test.ts).
import * as fs from "node:fs";
import { allPolicies, PACK_NAME } from "../policies/all";
import { PackConfig, packAnalyzers, planEntry, PolicyReport, reportOf, stackDiagnostics } from "./policy-check";
import { PlanEntry, RenderedResource, StackConfigValues } from "./render";
import { runShards } from "./render-shards";
import { SourcesModel } from "./resource-sources";

export interface ShardedCheck {
  readonly report: PolicyReport;
  /** What the report shows of each resource of the plan, in order. */
  readonly resources: readonly PlanEntry[];
  readonly model: SourcesModel;
}

export async function checkStackSharded(
  source: string,
  stack: string,
  config: StackConfigValues,
  tenants: readonly string[],
  pack: { readonly config: PackConfig; readonly version: string },
  { shards, preview, parallel }: { shards: number; preview: boolean; parallel?: number },
): Promise<ShardedCheck> {
  const policy = { config: pack.config, version: pack.version, preview };
  const named = { name: PACK_NAME, version: pack.version };
  const analyzers = packAnalyzers(allPolicies, pack.config, named);
  return runShards(tenants, { shards, parallel }, (group, i, entriesFile) => ({ source, stack, config, tenants: group, platform: i === 0, entriesFile, policy }), async (results) => {
    const entries: PlanEntry[] = [];
    // The groups' resources in order are the single-process plan (test/render-shards.test.ts). They are read a
    // group at a time and handed to the stack analysis; only what the report shows of each is kept.
    function* plan(): Generator<RenderedResource> {
      for (const r of results) {
        const text = fs.readFileSync(r.entriesFile, "utf8");
        for (const resource of text === "" ? [] : (JSON.parse(`[${text}]`) as RenderedResource[])) {
          entries.push(planEntry(resource));
          yield resource;
        }
      }
    }
    const stackPolicies = await stackDiagnostics(plan(), analyzers, preview);
    const diagnostics = [...results.flatMap((r) => r.diagnostics ?? []), ...stackPolicies];
    const model = results[0].model;
    if (!model) throw new Error("the first group of a policy check returned no model");
    return { report: reportOf(entries, diagnostics, named), resources: entries, model };
  });
}
