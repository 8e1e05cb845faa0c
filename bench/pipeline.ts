// The pipeline figures of `npm run bench` (BENCH=pipeline runs only these): events-per-minute of the dev
// stack's first tenant on the real pipeline verify runs — the rendered plan on real brokers and Flink.
// Prints a table and returns the figures for bench/latest.json.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TenantConfig } from "../config/types";
import { loadCatalog } from "../jobs/catalog";
import { harnessCommand } from "../offline/jvm";
import { readStackFile, renderPlatform } from "../offline/render";
import { writeRender } from "../offline/render-output";
import { verifyContext } from "../offline/verify";

const EVENTS = Number(process.env.BENCH_PIPELINE_EVENTS ?? 2_000_000);
const RATE = Number(process.env.BENCH_PIPELINE_RATE ?? 2_000);
const SECONDS = Number(process.env.BENCH_PIPELINE_SECONDS ?? 180);
/** The rendered checkpoint interval (60 s), and verify's (2 s). */
const CHECKPOINT_MS = process.env.BENCH_PIPELINE_CHECKPOINT_MS ?? "60000,2000";

export async function pipelineBench(): Promise<Record<string, unknown>> {
  const config = readStackFile("Pulumi.dev.yaml");
  const result = await renderPlatform("dev", config);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-pipeline-"));
  try {
    const plan = path.join(work, "plan");
    writeRender(result, plan);
    const tenants = config["analytics-platform:tenants"] as TenantConfig[];
    const context = path.join(work, "context.json");
    fs.writeFileSync(context, JSON.stringify(verifyContext("dev", tenants, loadCatalog(), result)), { mode: 0o600 });
    const out = path.join(work, "pipeline.json");
    const { command, args } = harnessCommand("io.analyticsplatform.harness.PipelineBench", ["-Xmx2g", `-Djdk.net.hosts.file=${path.join(work, "hosts")}`]);
    const r = spawnSync(command, [...args, "--plan", plan, "--context", context, "--work", path.join(work, "engines"), "--out", out,
      "--deployment", `tenant-${tenants[0].name}/events-per-minute`, "--events", String(EVENTS), "--rate", String(RATE), "--seconds", String(SECONDS),
      "--checkpoint-ms", CHECKPOINT_MS], { stdio: ["ignore", "ignore", "inherit"] });
    if (r.status !== 0) throw new Error(`the pipeline bench failed (exit ${r.status})`);
    return JSON.parse(fs.readFileSync(out, "utf8")) as Record<string, unknown>;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The table rows for the figures, beside the design's targets. */
export function pipelineLines(p: Record<string, unknown>): string[] {
  const t = p.throughput as Record<string, number>;
  const lines = [
    `pipeline (${String(p.deployment)}, parallelism ${String(p.parallelism)} (rendered ${String(p.renderedParallelism)}), ${String(p.cores)} cores, broker on the same cores):`,
    `  throughput: ${t.events} events in ${t.seconds} s = ${t.eventsPerSecond} events/s = ${t.eventsPerSecondPerCore} events/s per core`,
  ];
  for (const [, v] of Object.entries(p).filter(([k]) => k.startsWith("latency-"))) {
    const l = v as Record<string, number>;
    lines.push(`  latency, checkpoints every ${l.checkpointIntervalMs / 1000} s, ${l.rate} events/s for ${l.seconds} s (${l.aggregates} aggregates${l.aggregatesNotSeen ? `, ${l.aggregatesNotSeen} not seen` : ""}): ` +
      `produce → committed aggregate p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms; window close → committed aggregate p50 ${l.windowCloseP50Ms} ms, p99 ${l.windowCloseP99Ms} ms`);
  }
  lines.push("  design targets: 1M events/s on 10 brokers and 20 task managers, p99 < 500 ms");
  return lines;
}
