// npm run validate [-- FILE.sql ...]: checks every job in flink-jobs/ and any SQL files given, as they
// would be deployed for a tenant (placeholders filled, real Flink SQL grammar). Exit 1 on any problem.
import * as fs from "node:fs";
import * as path from "node:path";
import yaml from "js-yaml";
import { CatalogError, FlinkJobDefinition, FlinkJobMetadata, loadFlinkJobs } from "../jobs/catalog";
import { sampleJobProblems } from "../jobs/sql-validation";

function jobFromFile(file: string): FlinkJobDefinition {
  const meta = file.replace(/\.sql$/, ".yaml");
  const metadata = (fs.existsSync(meta) ? yaml.load(fs.readFileSync(meta, "utf8")) : { description: "", inputs: ["events"], outputs: [] }) as FlinkJobMetadata;
  return { name: path.basename(file, ".sql"), file, sql: fs.readFileSync(file, "utf8"), metadata };
}

function main(): number {
  let jobs: FlinkJobDefinition[];
  try {
    jobs = [...loadFlinkJobs(process.cwd()).values()];
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
  const extra = process.argv.slice(2);
  for (const file of extra) {
    if (!file.endsWith(".sql") || !fs.existsSync(file)) {
      process.stderr.write(`${file}: not an existing .sql file\n`);
      return 1;
    }
  }
  const all = [...jobs.filter((j) => !extra.some((f) => path.resolve(f) === path.resolve(j.file))), ...extra.map(jobFromFile)];
  const problems = all.flatMap(sampleJobProblems);
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.stdout.write(`${all.length} Flink SQL job(s) checked: ${problems.length === 0 ? "ok" : `${problems.length} problem(s)`}\n`);
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = main();
