import * as fs from "node:fs";
import * as path from "node:path";
import { CatalogError } from "../jobs/catalog-error";

/** A tenant topic's value schema: schemas/<tenant>/<topic>.avsc, read once per run. */
export interface SchemaFile {
  readonly tenant: string;
  /** The tenant topic (the part after `<tenant>.`). */
  readonly topic: string;
  /** Path relative to the project root, for messages and for its versions in git. */
  readonly file: string;
  /** The registry's schema type. */
  readonly schemaType: "AVRO";
  readonly text: string;
}

export const SCHEMAS_DIR = "schemas";
const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** A record schema's top-level field names; none for text that is not one (Avro's own parser judges it in validate). */
export function schemaFieldNames(text: string): string[] {
  try {
    const fields = (JSON.parse(text) as { fields?: { name?: unknown }[] }).fields;
    return Array.isArray(fields) ? fields.flatMap((f) => (typeof f?.name === "string" ? [f.name] : [])) : [];
  } catch {
    return [];
  }
}

/** `tenant/topic` -> its schema file. */
export function schemaKey(tenant: string, topic: string): string {
  return `${tenant}/${topic}`;
}

/**
 * Every schema under schemas/: one folder per tenant, one `<topic>.avsc` per topic. Anything else there (a file
 * beside the tenant folders, another extension, a name no topic can have) is refused, every problem at once.
 */
export function loadSchemaFiles(root: string): Map<string, SchemaFile> {
  const dir = path.join(root, SCHEMAS_DIR);
  const out = new Map<string, SchemaFile>();
  if (!fs.existsSync(dir)) return out;
  const problems: string[] = [];
  for (const tenant of fs.readdirSync(dir).sort()) {
    const tenantDir = path.join(dir, tenant);
    if (!fs.statSync(tenantDir).isDirectory() || !NAME.test(tenant)) {
      problems.push(`${SCHEMAS_DIR}/${tenant}: not a tenant's folder (schemas/<tenant>/<topic>.avsc)`);
      continue;
    }
    for (const entry of fs.readdirSync(tenantDir).sort()) {
      const file = `${SCHEMAS_DIR}/${tenant}/${entry}`;
      const topic = entry.replace(/\.avsc$/, "");
      if (!entry.endsWith(".avsc") || !NAME.test(topic)) {
        problems.push(`${file}: not a topic's Avro schema (<topic>.avsc, the topic in lowercase letters, digits and '-')`);
        continue;
      }
      out.set(schemaKey(tenant, topic), { tenant, topic, file, schemaType: "AVRO", text: fs.readFileSync(path.join(tenantDir, entry), "utf8") });
    }
  }
  if (problems.length > 0) throw new CatalogError(problems);
  return out;
}
