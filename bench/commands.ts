// The documented commands as a user runs them (no extra flags): `npm run render` and `npm run policy` on
// a stack file with N tenants, and `npm run policy -- --resources` on what the render wrote; timed, with peak
// memory summed over the tool's whole process tree.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import yaml from "js-yaml";
import { benchConfig } from "./configs";

export interface CommandMeasurement {
  readonly command: string;
  readonly tenants: number;
  readonly exitCode: number | null;
  /** Killed after BENCH_COMMAND_TIMEOUT seconds: a run that thrashes at its heap limit is reported, not awaited. */
  readonly timedOut: boolean;
  readonly seconds: number;
  /** The largest sum of resident memory over the process and all its descendants, sampled every 250 ms. */
  readonly peakSummedMb: number;
}

/** Resident memory of `root` and its descendants, in KB, from one `ps` listing. */
function treeRssKb(root: number): number {
  const rows = spawnSync("ps", ["-eo", "pid=,ppid=,rss="], { encoding: "utf8" }).stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).map(Number));
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const [pid, ppid, kb] of rows) {
    rss.set(pid, kb);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  let total = 0;
  for (const stack = [root]; stack.length > 0;) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

const TIMEOUT_S = Number(process.env.BENCH_COMMAND_TIMEOUT ?? 600);

function measure(command: string, tenants: number, script: string, args: string[]): Promise<CommandMeasurement> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    // As package.json runs the tool, without npm in between.
    const child = spawn(process.execPath, ["--max-semi-space-size=64", "--import", "tsx", script, ...args], { stdio: "ignore" });
    let peak = 0;
    let timedOut = false;
    const timer = setInterval(() => (peak = Math.max(peak, treeRssKb(child.pid!))), 250);
    const limit = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, TIMEOUT_S * 1000);
    child.on("error", reject);
    child.on("close", (exitCode) => {
      clearInterval(timer);
      clearTimeout(limit);
      resolve({ command, tenants, exitCode, timedOut, seconds: (Date.now() - start) / 1000, peakSummedMb: Math.round(peak / 1024) });
    });
  });
}

/** `npm run render` and `npm run policy` on a generated stack file per size, one after the other. */
export async function commandsBench(sizes: readonly number[]): Promise<CommandMeasurement[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-commands-"));
  const out: CommandMeasurement[] = [];
  try {
    for (const n of sizes) {
      const file = path.join(dir, `Pulumi.bench${n}.yaml`);
      fs.writeFileSync(file, yaml.dump({ config: benchConfig(n) }));
      out.push(await measure("npm run render", n, "scripts/render.ts", ["--config-file", file, "--out", path.join(dir, `out-${n}`)]));
      out.push(await measure("npm run policy", n, "scripts/policy.ts", ["--config-file", file]));
      // The check of the rendered plan, as a pipeline that renders first would run it: one process.
      out.push(await measure("npm run policy -- --resources", n, "scripts/policy.ts", ["--resources", path.join(dir, `out-${n}`, "resources.json")]));
      process.stderr.write(`  commands on ${n} tenants done\n`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export function commandLines(ms: readonly CommandMeasurement[]): string[] {
  return [
    "| command | tenants | exit | wall s | peak MB (all processes) |",
    "|---|---:|---:|---:|---:|",
    ...ms.map((m) => `| \`${m.command}\` | ${m.tenants} | ${m.timedOut ? "killed" : m.exitCode} | ${m.timedOut ? "> " : ""}${m.seconds.toFixed(1)} | ${m.peakSummedMb} |`),
  ];
}
