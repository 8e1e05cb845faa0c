import { execFileSync } from "node:child_process";

/** promtool checks are part of `npm test`: fetch promtool once per run, and fail (not skip) if it cannot be had. */
export default function setup(): void {
  process.env.PROMTOOL = execFileSync("bash", ["scripts/promtool.sh"], { encoding: "utf8" }).trim();
}
