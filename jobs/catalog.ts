import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { InputFileError, parseYaml } from "../config/files";
import { CatalogError } from "./catalog-error";
import { DruidSpecDefinition, loadDruidSpecs } from "./druid-specs";
import schema from "./flink-job.schema.json";
import { Dashboard, loadDashboards } from "../monitoring/dashboards";
import { loadSchemaFiles, SchemaFile, schemaFieldNames } from "../contracts/schema-files";

export interface FlinkJobMetadata {
  readonly description: string;
  readonly inputs: readonly string[];
  readonly compactedInputs?: readonly string[];
  readonly outputs?: readonly string[];
  /** The job writes the lake: it runs for every tenant with `lake: true`. */
  readonly lake?: boolean;
  /** The job routes the bad records of its inputs: it runs for every tenant with a job reading them. */
  readonly deadLetterRouter?: boolean;
  /** The job masks the PII declared on its one input into its one output: it runs for every tenant declaring some there. */
  readonly piiMask?: boolean;
  readonly maxParallelism?: number;
  readonly config?: Readonly<Record<string, string>>;
  readonly parameters?: Readonly<Record<string, string>>;
}

/** One job of flink-jobs/: its SQL template and metadata, read once per run. */
export interface FlinkJobDefinition {
  readonly name: string;
  /** Path relative to the project root, for messages. */
  readonly file: string;
  readonly sql: string;
  readonly metadata: FlinkJobMetadata;
}

export interface JobCatalog {
  readonly flinkJobs: ReadonlyMap<string, FlinkJobDefinition>;
  readonly druidSpecs: ReadonlyMap<string, DruidSpecDefinition>;
  readonly dashboards: readonly Dashboard[];
  /** Tenants' topic schemas (schemas/<tenant>/<topic>.avsc), by `tenant/topic`. */
  readonly schemas: ReadonlyMap<string, SchemaFile>;
}

export const FLINK_JOBS_DIR = "flink-jobs";

const validateMetadata = new Ajv({ allErrors: true }).compile(schema);


/** Reads flink-jobs/<job>.sql (+ optional <job>.yaml) once. */
export function loadFlinkJobs(root: string): Map<string, FlinkJobDefinition> {
  const dir = path.join(root, FLINK_JOBS_DIR);
  const jobs = new Map<string, FlinkJobDefinition>();
  const problems: string[] = [];
  for (const entry of fs.readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
    const name = entry.slice(0, -4);
    const metaFile = path.join(dir, `${name}.yaml`);
    let metadata: unknown;
    try {
      metadata = fs.existsSync(metaFile) ? parseYaml(`${FLINK_JOBS_DIR}/${name}.yaml`, fs.readFileSync(metaFile, "utf8")) : undefined;
    } catch (e) {
      if (!(e instanceof InputFileError)) throw e;
      problems.push(e.message);
      continue;
    }
    if (!validateMetadata(metadata)) {
      for (const e of validateMetadata.errors ?? []) problems.push(`${FLINK_JOBS_DIR}/${name}.yaml: ${e.instancePath || "/"} ${e.message}`);
      continue;
    }
    jobs.set(name, { name, file: `${FLINK_JOBS_DIR}/${entry}`, sql: fs.readFileSync(path.join(dir, entry), "utf8"), metadata: metadata as unknown as FlinkJobMetadata });
  }
  if (problems.length > 0) throw new CatalogError(problems);
  return jobs;
}

/** The project's catalog of job definitions, ingestion specs and dashboards, each file read once. */
export function loadCatalog(root: string = path.resolve(__dirname, "..")): JobCatalog {
  return { flinkJobs: loadFlinkJobs(root), druidSpecs: loadDruidSpecs(root), dashboards: loadDashboards(root), schemas: loadSchemaFiles(root) };
}

export { CatalogError };

/** Topic (suffix) -> the catalog's job that masks the PII a tenant declares on it (metadata `piiMask`). */
export function piiMaskJobs(catalog: JobCatalog): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, job] of catalog.flinkJobs) if (job.metadata.piiMask) out[job.metadata.inputs[0]] = name;
  return out;
}

/** The names config entries may use, with the topics each implies (for config validation). */
export function knownNames(catalog: JobCatalog): { flinkJobs: Record<string, string[]>; druidSpecs: Record<string, string>; schemas: Record<string, Record<string, string[]>>; piiMasks: Record<string, string> } {
  const flinkJobs: Record<string, string[]> = {};
  for (const [name, job] of catalog.flinkJobs) flinkJobs[name] = [...job.metadata.inputs, ...(job.metadata.compactedInputs ?? []), ...(job.metadata.outputs ?? [])];
  const druidSpecs: Record<string, string> = {};
  for (const [name, spec] of catalog.druidSpecs) druidSpecs[name] = spec.topic;
  const schemas: Record<string, Record<string, string[]>> = {};
  for (const s of catalog.schemas.values()) (schemas[s.tenant] ??= {})[s.topic] = schemaFieldNames(s.text);
  return { flinkJobs, druidSpecs, schemas, piiMasks: piiMaskJobs(catalog) };
}
