import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import ajvErrors from "ajv-errors";
import { InputFileError, parseJson, parseYaml } from "../config/files";
import schema from "./druid-supervisor.schema.json";
import { CatalogError } from "./catalog-error";
import { substituteJson } from "./placeholders";

/** One supervisor spec of druid-specs/, read once per run. */
export interface DruidSpecDefinition {
  readonly name: string;
  readonly file: string;
  /** The spec with its placeholders. */
  readonly spec: unknown;
  /** The tenant topic it reads: the part after `${TOPIC_PREFIX}` in ioConfig.topic. */
  readonly topic: string;
}

export const DRUID_SPECS_DIR = "druid-specs";
const TOPIC_TEMPLATE = /^\$\{TOPIC_PREFIX\}([a-z0-9]([a-z0-9-]*[a-z0-9])?)$/;

const ajv = new Ajv({ allErrors: true, strict: false });
ajvErrors(ajv);
const validateSpec = ajv.compile(schema);

/** `/spec/ioConfig/taskCount` -> `$.spec.ioConfig.taskCount` */
function jsonPath(instancePath: string): string {
  return "$" + instancePath.split("/").slice(1).map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join("");
}

/** Problems of a filled-in supervisor spec against the schema, each with its JSON path. */
export function druidSpecProblems(file: string, spec: unknown): string[] {
  if (validateSpec(spec)) return [];
  return (validateSpec.errors ?? [])
    // The alternatives' own errors (#/anyOf/…) are summed up by the errorMessage of their anyOf.
    .filter((e) => e.keyword !== "anyOf" && e.keyword !== "if" && !e.schemaPath.startsWith("#/anyOf/"))
    .map((e) => {
      const at = e.keyword === "required" ? `${jsonPath(e.instancePath)}.${e.params.missingProperty}` : jsonPath(e.instancePath);
      return `${file}: ${at}: ${e.keyword === "required" ? "is required" : e.message}`;
    });
}

export function readSpecFile(file: string, shownAs: string = file): unknown {
  const text = fs.readFileSync(file, "utf8");
  return shownAs.endsWith(".json") ? parseJson(shownAs, text) : parseYaml(shownAs, text);
}

/**
 * A supervisor spec's dataSchema and ioConfig: Druid takes them under `spec` or, as its docs show, beside `type`
 * (druid-kafka-indexing-service KafkaSupervisorSpec: its JSON creator reads both).
 */
export function supervisorParts(spec: unknown): { wrapped: boolean; parts: { dataSchema?: { dataSource?: unknown }; ioConfig?: { topic?: unknown } } | undefined } {
  const wrapped = typeof spec === "object" && spec !== null && "spec" in spec;
  return { wrapped, parts: (wrapped ? (spec as { spec?: unknown }).spec : spec) as { dataSchema?: { dataSource?: unknown }; ioConfig?: { topic?: unknown } } | undefined };
}

/** Reads druid-specs/<name>.json|yaml once; each must read a tenant topic through ${TOPIC_PREFIX}. */
export function loadDruidSpecs(root: string): Map<string, DruidSpecDefinition> {
  const dir = path.join(root, DRUID_SPECS_DIR);
  const specs = new Map<string, DruidSpecDefinition>();
  const problems: string[] = [];
  for (const entry of fs.readdirSync(dir).filter((f) => /\.(json|ya?ml)$/.test(f)).sort()) {
    const file = `${DRUID_SPECS_DIR}/${entry}`;
    const name = entry.replace(/\.(json|ya?ml)$/, "");
    let spec: unknown;
    try {
      spec = readSpecFile(path.join(dir, entry), file);
    } catch (e) {
      if (!(e instanceof InputFileError)) throw e;
      problems.push(e.message);
      continue;
    }
    const { wrapped, parts } = supervisorParts(spec);
    const topic = TOPIC_TEMPLATE.exec(String(parts?.ioConfig?.topic ?? ""));
    if (!topic) {
      problems.push(`${file}: ${wrapped ? "$.spec" : "$"}.ioConfig.topic: must be '\${TOPIC_PREFIX}<topic>' (a topic of the tenant)`);
      continue;
    }
    specs.set(name, { name, file, spec, topic: topic[1] });
  }
  if (problems.length > 0) throw new CatalogError(problems);
  return specs;
}

interface TenantIngestions {
  readonly name: string;
  readonly druidIngestions: readonly { readonly file: string; readonly nativeSpec: unknown; readonly unresolved: readonly { readonly name: string; readonly path: string }[] }[];
}

/** Every tenant's filled-in supervisor specs: unresolved placeholders and schema problems, by JSON path. */
export function tenantIngestionProblems(tenants: readonly TenantIngestions[]): string[] {
  return tenants.flatMap((t) =>
    t.druidIngestions.flatMap((i) => [
      ...i.unresolved.map((u) => `${i.file}: ${u.path}: unresolved placeholder \${${u.name}} (tenant ${t.name})`),
      ...druidSpecProblems(i.file, i.nativeSpec).map((p) => `${p} (tenant ${t.name})`),
    ]),
  );
}

const SAMPLE_TENANT = "example";

/**
 * A spec checked as it would be deployed for an example tenant: placeholders filled with that tenant's
 * values, then the schema. Runs without a stack, for `npm run validate`.
 */
export function sampleSpecProblems(file: string, spec: unknown, values: Readonly<Record<string, unknown>>): string[] {
  const { value, unresolved } = substituteJson(spec, values);
  return [...unresolved.map((u) => `${file}: ${u.path}: unresolved placeholder \${${u.name}}`), ...druidSpecProblems(file, value)];
}

export { SAMPLE_TENANT };
