import { execFileSync } from "node:child_process";

/** promtool, amtool and checkov checks are part of `npm test`: fetch each once per run, and fail (not skip) if one cannot be had. */
export default function setup(): void {
  process.env.PROMTOOL = execFileSync("bash", ["scripts/promtool.sh"], { encoding: "utf8" }).trim();
  process.env.AMTOOL = execFileSync("bash", ["scripts/amtool.sh"], { encoding: "utf8" }).trim();
  process.env.CHECKOV = execFileSync("bash", ["scripts/checkov.sh"], { encoding: "utf8" }).trim();
}
