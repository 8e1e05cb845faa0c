// npm run bench: the program's cost against the SDK's floor at 10, 100 and 1000 tenants, and the offline
// policy check on the 1000-tenant plan (each measurement in its own process: peak memory is per run); then
// the documented commands on 100 and 1000 tenants as a user runs them (bench/commands.ts); then the real
// pipeline's figures (bench/pipeline.ts). BENCH=render, BENCH=commands or BENCH=pipeline runs one part.
// Prints a table and writes bench/latest.json (a part not run keeps its earlier figures).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { commandLines, commandsBench } from "./commands";
import { pipelineBench, pipelineLines } from "./pipeline";

interface Measurement {
  readonly mode: string;
  readonly n: number;
  readonly resources: number;
  readonly ms: number;
  readonly peakMb: number;
}

function run(...args: string[]): Measurement {
  // The same runtime flags as `npm run render` and `npm run policy` (a larger young generation: these runs
  // allocate heavily), for the program and the floors alike.
  const out = execFileSync(process.execPath, ["--max-semi-space-size=64", "--max-old-space-size=20000", "--import", "tsx", "bench/child.ts", ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split("\n").pop()!) as Measurement;
}

const parts = (process.env.BENCH ?? "render,commands,pipeline").split(",");
const latest = fs.existsSync("bench/latest.json") ? (JSON.parse(fs.readFileSync("bench/latest.json", "utf8")) as Record<string, unknown>) : {};

function renderBench(): Record<string, unknown> {
const sizes = (process.env.BENCH_TENANTS ?? "10,100,1000").split(",").map(Number);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
const rows = [];
let policy: Measurement | undefined;
for (const n of sizes) {
  const plan = path.join(dir, `plan-${n}.json`);
  const program = run("program", String(n), plan);
  const floor = run("floor", String(program.resources));
  const payload = run("payload", plan);
  rows.push({
    tenants: n,
    resources: program.resources,
    program: { seconds: program.ms / 1000, peakMb: program.peakMb, msPerResource: program.ms / program.resources, kbPerResource: (program.peakMb * 1024) / program.resources },
    floor: { seconds: floor.ms / 1000, peakMb: floor.peakMb },
    payloadFloor: { seconds: payload.ms / 1000, peakMb: payload.peakMb },
    ratio: { time: program.ms / floor.ms, memory: program.peakMb / floor.peakMb },
    payloadRatio: { time: program.ms / payload.ms, memory: program.peakMb / payload.peakMb },
  });
  if (n === Math.max(...sizes)) policy = run("policy", plan);
  process.stderr.write(`  ${n} tenants done\n`);
}
fs.rmSync(dir, { recursive: true, force: true });

const byTenants = new Map(rows.map((r) => [r.tenants, r]));
const scaling = byTenants.has(100) && byTenants.has(1000) ? byTenants.get(1000)!.program.seconds / byTenants.get(100)!.program.seconds : undefined;
const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString().slice(0, 10) };

const f = (x: number, d = 2) => x.toFixed(d);
const lines = [
  "| tenants | resources | render s | floor s | time ratio | render MB | floor MB | memory ratio | ms/resource | KB/resource | same-payload floor s | ratio to it |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.tenants} | ${r.resources} | ${f(r.program.seconds, 1)} | ${f(r.floor.seconds, 1)} | ${f(r.ratio.time)} | ${r.program.peakMb} | ${r.floor.peakMb} | ${f(r.ratio.memory)} | ${f(r.program.msPerResource)} | ${f(r.program.kbPerResource, 0)} | ${f(r.payloadFloor.seconds, 1)} | ${f(r.payloadRatio.time)} |`),
  "",
  ...(scaling !== undefined ? [`time(1000)/time(100) = ${f(scaling)}`] : []),
  ...(policy ? [`policy check on the ${policy.resources}-resource plan: ${f(policy.ms / 1000, 1)} s, ${policy.peakMb} MB`] : []),
  `machine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGb} GB, node ${machine.node}, ${machine.date}`,
];
process.stdout.write(`${lines.join("\n")}\n`);
return { machine, rows, scaling, policy };
}

async function main(): Promise<void> {
  const out = { ...latest, ...(parts.includes("render") ? renderBench() : {}) };
  if (parts.includes("commands")) {
    const commands = await commandsBench((process.env.BENCH_COMMAND_TENANTS ?? "100,1000").split(",").map(Number));
    process.stdout.write(`${commandLines(commands).join("\n")}\n`);
    Object.assign(out, { commands: { rows: commands, date: new Date().toISOString().slice(0, 10) } });
  }
  if (parts.includes("pipeline")) {
    const pipeline = await pipelineBench();
    process.stdout.write(`${pipelineLines(pipeline).join("\n")}\n`);
    Object.assign(out, { pipeline: { ...pipeline, date: new Date().toISOString().slice(0, 10) } });
  }
  fs.writeFileSync("bench/latest.json", `${JSON.stringify(out, null, 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
