// Supervisor specs judged by Druid's own classes: `npm run validate` reads every filled-in spec with Druid's
// ObjectMapper and the Kafka indexing module (harness/druid-check), as the overlord reads a posted spec. The
// schema in druid-supervisor.schema.json is the quick in-process check before anything is registered.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkProblems, druidCommand } from "../offline/jvm";

/** A spec as it would be posted: the file it came from (for messages) and its placeholders filled. */
export interface FilledSpec {
  readonly file: string;
  readonly spec: unknown;
}

/** Druid's verdict on each spec, as `file: $.path: message`; empty when Druid accepts them all. */
export function druidProblems(specs: readonly FilledSpec[]): string[] {
  if (specs.length === 0) return [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "druid-check-"));
  try {
    const args = specs.flatMap((s, i) => {
      const file = path.join(dir, `${String(i).padStart(5, "0")}.json`);
      fs.writeFileSync(file, JSON.stringify(s.spec));
      return [s.file, file];
    });
    return checkProblems(druidCommand("io.analyticsplatform.druidcheck.SpecCheck", ["-Xmx512m", "-XX:TieredStopAtLevel=1"]), args, "Druid's spec check");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
