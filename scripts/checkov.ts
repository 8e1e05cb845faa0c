// npm run checkov [-- --stack NAME ...] [--waivers FILE]
// Runs checkov (scripts/checkov.sh installs it) over what `npm run render` wrote to out/<stack>/ for each
// stack (dev and prod by default). Exit 1 on a finding no waiver covers, a waiver that covers nothing, or a
// file checkov cannot parse.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { judgeFindings, readWaivers, scanStack } from "../offline/checkov";
import { parseFlags, runTool } from "../offline/cli";

const USAGE = "usage: npm run checkov [-- --stack NAME ...] [--waivers FILE]";

async function main(): Promise<number> {
  const { values } = parseFlags(USAGE, {
    stack: { type: "string", multiple: true, default: ["dev", "prod"] },
    waivers: { type: "string", default: "policies/checkov-waivers.yaml" },
  });
  const waivers = readWaivers(values.waivers);
  const checkov = process.env.CHECKOV ?? execFileSync("bash", [path.join(__dirname, "checkov.sh")], { encoding: "utf8" }).trim();
  const scans = values.stack.map((stack) => scanStack(checkov, stack, path.join("out", stack)));
  const { waived, unwaived, stale } = judgeFindings(scans, waivers);
  const lines: string[] = [];
  for (const s of scans) {
    lines.push(`checkov ${s.dir}: ${s.frameworks.map((f) => `${f.name} ${f.passed} passed, ${f.failed} failed${f.parsingErrors ? `, ${f.parsingErrors} not parsed` : ""}`).join("; ")}; ` +
      `${waived.filter((w) => w.stack === s.stack).length} waived`);
  }
  for (const u of unwaived) {
    lines.push(`  not waived: ${path.join("out", u.stack)}${u.finding.file_path}:${u.finding.file_line_range[0]}: ${u.finding.check_id} ${u.finding.check_name} (${u.finding.resource})`);
  }
  for (const st of stale) lines.push(`  stale: ${values.waivers}: waivers[${st.index}] (${st.waiver.check} ${st.waiver.key ?? st.waiver.resource}) covers nothing scanned: remove it`);
  const unparsed = scans.flatMap((s) => s.frameworks.filter((f) => f.parsingErrors > 0).map((f) => `  ${s.dir}: ${f.parsingErrors} file(s) checkov's ${f.name} checks could not parse`));
  lines.push(...unparsed);
  process.stdout.write(`${lines.join("\n")}\n`);
  return unwaived.length + stale.length + unparsed.length > 0 ? 1 : 0;
}

runTool("checkov", USAGE, main);
