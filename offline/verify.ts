import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TenantConfig } from "../config/types";
import { JobCatalog } from "../jobs/catalog";
import { tenantJobNames } from "../model/flink";
import { tenantNaming } from "../model/naming";
import { METRICS } from "../monitoring/metrics";
import { harnessCommand, ROOT } from "./jvm";
import { RenderResult } from "./render";
import { recordOutput } from "./render-output";
import { druidTablesOf, trinoMatrix } from "./trino";

/**
 * What the harness needs beside the manifests: the program's naming of each tenant and of its jobs' topics
 * and groups (model/naming.ts), the jobs' parameters, the Secrets' values, the metrics the alerts and
 * dashboards use, by source, which the running jobs and brokers must expose, and who asks Trino about what (offline/trino.ts).
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
          // What the masking job's output is judged against: the contract, not the job's own PII_FIELDS.
          pii: job.metadata.piiMask ? t.contracts?.[job.metadata.inputs[0]]?.pii ?? {} : {},
        };
      }),
    })),
    secrets: Object.fromEntries(result.secretValues),
    metrics: METRICS,
    trinoMatrix: trinoMatrix(tenants, druidTablesOf(result)),
  };
}

/** The Prometheus server beside promtool (scripts/promtool.sh: `$PROMTOOL`, PATH, or Debian's package in .tools/). */
export function prometheusBinary(): string {
  const promtool = process.env.PROMTOOL || execFileSync("bash", [path.join(ROOT, "scripts", "promtool.sh")], { encoding: "utf8" }).trim();
  return path.join(path.dirname(promtool), "prometheus");
}

export interface HarnessOptions {
  /** Run only these layers (`kafka`, `flink` with Druid's parsing and Prometheus, `isolation`, `lake`); all by default. */
  readonly only?: readonly string[];
  /** Keep the engines' logs and state (the context with the Secrets' values is deleted regardless). */
  readonly keepWork?: boolean;
  /** Where the harness's output goes (inherit: the terminal). */
  readonly stdio?: "inherit" | "pipe";
}

/**
 * Runs the harness on a rendered plan (`planDir`, as `writeRender` wrote it) and writes `planDir/verify.json`.
 * The Secrets' values live only in a private temporary folder for the run. Returns the exit code and output.
 */
export function runHarness(planDir: string, context: Record<string, unknown>, options: HarnessOptions = {}): { code: number; output: string } {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `verify-${String(context.stack)}-`));
  try {
    const contextFile = path.join(work, "context.json");
    fs.writeFileSync(contextFile, JSON.stringify(context), { mode: 0o600 });
    const { command, args } = harnessCommand("io.analyticsplatform.harness.Verify", ["-Xmx1g", `-Djdk.net.hosts.file=${path.join(work, "hosts")}`,
      `-Danalytics.prometheus=${prometheusBinary()}`]);
    const report = path.join(planDir, "verify.json");
    const r = spawnSync(command, [...args, "--plan", planDir, "--context", contextFile, "--work", path.join(work, "engines"), "--out", report,
      ...(options.only ? ["--only", options.only.join(",")] : [])], { stdio: options.stdio === "pipe" ? "pipe" : "inherit", encoding: "utf8", maxBuffer: 1 << 26 });
    if (fs.existsSync(report) && fs.existsSync(path.join(planDir, "manifests"))) recordOutput(planDir, ["verify.json"]);
    return { code: r.status ?? 1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
  } finally {
    if (options.keepWork) {
      fs.rmSync(path.join(work, "context.json"), { force: true });
      process.stderr.write(`engine logs and state kept in ${work}\n`);
    } else {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
}
