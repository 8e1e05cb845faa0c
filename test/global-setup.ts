import { execFileSync } from "node:child_process";

/** promtool, amtool, checkov and control-plane checks are part of `npm test`: fetch each once per run, and fail (not skip) if one cannot be had. */
export default function setup(): void {
  process.env.PROMTOOL = execFileSync("bash", ["scripts/promtool.sh"], { encoding: "utf8" }).trim();
  process.env.AMTOOL = execFileSync("bash", ["scripts/amtool.sh"], { encoding: "utf8" }).trim();
  process.env.CHECKOV = execFileSync("bash", ["scripts/checkov.sh"], { encoding: "utf8" }).trim();
  // etcd, kube-apiserver and the Pulumi engine, built from the Go module proxy and cached outside the repo.
  const toolchain = execFileSync("bash", ["scripts/real-toolchain.sh"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  process.env.ANALYTICS_TOOLCHAIN_JSON = toolchain.trim().split("\n").pop();
}
