// One measurement in a fresh process, printed as JSON:
//   program N [PLAN]  render the platform for N tenants (every layer), optionally writing the plan
//   floor R           register R plain resources under the same mocks (the SDK's own floor)
//   payload PLAN      register the plan's exact resources as plain registrations (the SDK's cost for that payload)
//   policy PLAN       evaluate the policy pack on the plan
import { performance } from "node:perf_hooks";

// Stack traces are captured for every resource and promise by the SDK; mapping each through source maps
// costs more than the registrations themselves. Measurements run without them (as `node` does by default).
process.setSourceMapsEnabled(false);
// The SDK also keeps a stack trace on every promise for its leak reports; one frame is enough offline.
Error.stackTraceLimit = Number(process.env.STACK_LIMIT ?? 1);
import { benchConfig } from "./configs";

async function floor(resources: number): Promise<number> {
  const pulumi = await import("@pulumi/pulumi");
  const { PlatformMocks } = await import("../offline/mocks");
  await pulumi.runtime.setMocks(new PlatformMocks(pulumi), "analytics-platform", "floor", false);
  class Plain extends pulumi.CustomResource {
    constructor(name: string, value: number) {
      super("bench:index:Plain", name, { value });
    }
  }
  await pulumi.runtime.runInPulumiStack(async () => {
    for (let i = 0; i < resources; i++) new Plain(`plain-${i}`, i);
  });
  await pulumi.runtime.disconnect();
  return resources;
}

/**
 * The program's exact registrations (types, names, inputs from a render's resources.json), made as plain
 * resources: what the SDK itself costs for this payload, without the program's components, Outputs and model.
 */
async function payload(file: string): Promise<number> {
  const fs = await import("node:fs");
  const rendered = JSON.parse(fs.readFileSync(file, "utf8")) as { type: string; name: string; inputs: Record<string, unknown> }[];
  const pulumi = await import("@pulumi/pulumi");
  const { PlatformMocks } = await import("../offline/mocks");
  await pulumi.runtime.setMocks(new PlatformMocks(pulumi), "analytics-platform", "payload", false);
  class Same extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: Record<string, unknown>) {
      super(type, name, inputs);
    }
  }
  await pulumi.runtime.runInPulumiStack(async () => {
    for (const r of rendered) {
      if (r.type === "pulumi:pulumi:Stack") continue;
      if (r.type.startsWith("analytics-platform:")) new pulumi.ComponentResource(r.type, r.name);
      else new Same(r.type, r.name, r.inputs);
    }
  });
  await pulumi.runtime.disconnect();
  return rendered.length;
}

async function main(): Promise<void> {
  const [mode, arg] = process.argv.slice(2);
  const n = Number(arg);
  const start = performance.now();
  let resources: number;
  if (mode === "floor") {
    resources = await floor(n);
  } else if (mode === "payload") {
    resources = await payload(arg);
  } else if (mode === "policy") {
    // The offline check on a rendered plan, as `npm run policy -- --resources FILE` runs it.
    const fs = await import("node:fs");
    const plan = JSON.parse(fs.readFileSync(arg, "utf8"));
    const { checkPolicies } = await import("../offline/policy-check");
    const { allPolicies, PACK_NAME } = await import("../policies/all");
    const report = await checkPolicies(plan, allPolicies, { all: "mandatory" }, { name: PACK_NAME, version: "bench" });
    if (report.violations.length > 0) throw new Error(`the bench plan violates ${report.violations[0].policy}: ${report.violations[0].message}`);
    resources = plan.length;
  } else {
    const { renderPlatform } = await import("../offline/render");
    const result = await renderPlatform("prod", benchConfig(n));
    resources = result.resources.length;
    const out = process.argv[4];
    if (out) (await import("node:fs")).writeFileSync(out, JSON.stringify(result.resources));
  }
  const ms = performance.now() - start;
  process.stdout.write(JSON.stringify({ mode, n: Number.isNaN(n) ? resources : n, resources, ms: Math.round(ms), peakMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + "\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
