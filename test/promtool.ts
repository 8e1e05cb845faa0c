import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import yaml from "js-yaml";
import { RuleGroup } from "../crds/monitoring";

/** Runs promtool (fetched by test/global-setup.ts) with files written to a fresh directory. */
export function promtool(args: string[], files: Record<string, unknown>): { status: number; output: string } {
  const bin = process.env.PROMTOOL;
  if (!bin) throw new Error("PROMTOOL is not set: test/global-setup.ts should have fetched promtool");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-"));
  for (const [name, doc] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), yaml.dump(doc, { lineWidth: -1, noRefs: true }));
  const r = spawnSync(bin, args, { cwd: dir, encoding: "utf8" });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

export function checkRules(groups: readonly RuleGroup[] | readonly unknown[]) {
  return promtool(["check", "rules", "rules.yaml"], { "rules.yaml": { groups } });
}
