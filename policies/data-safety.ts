import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { DATA_CONTRACTS } from "../model/contracts";
import { asArray, get, judgedWhenKnown, nameOf, ofTypes, str, T } from "./support";

// Glue databases hold the lake's table definitions: dropping one orphans every Iceberg table of a tenant.
const STATEFUL = new Set<string>([T.bucket, T.kmsKey, T.rds, T.glueDatabase, T.kafka, T.kafkaNodePool, T.kafkaTopic, T.druid]);

export const statefulProtected: ResourceValidationPolicy = {
  name: "stateful-resources-protected",
  description: "Stateful resources (buckets, keys, databases, Glue lake schemas, Kafka and Druid clusters, topics) are protected from deletion.",
  remediationSteps: "Create them with protect: true (and retainOnDelete) — the platform does in prod. Unprotect deliberately before a real decommission.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (!STATEFUL.has(args.type)) {
      args.notApplicable("applies to stateful resource types");
      return;
    }
    // The analyzer sees `protect` (not retainOnDelete); the platform sets both in prod.
    if (!args.opts.protect) report(`${args.type.split(":").pop()} '${args.name}' is not protected`);
  },
};

export const kafkaReplicationDurable: ResourceValidationPolicy = {
  name: "kafka-replication-durable",
  description: "Kafka keeps three replicas and acknowledges writes on two (replication factor ≥ 3, min.insync.replicas ≥ 2).",
  remediationSteps: "Run at least 3 brokers; the platform sets RF 3 and min ISR 2 in prod.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const min = (v: unknown, floor: number, what: string) => {
      if (typeof v !== "number" || v < floor) report(`${what} is ${v ?? "unset"}, must be ≥ ${floor}`);
    };
    if (args.type === T.kafka) {
      const config = get(args.props, "spec", "kafka", "config");
      min(get(config, "default.replication.factor"), 3, "default.replication.factor");
      min(get(config, "min.insync.replicas"), 2, "min.insync.replicas");
    } else if (args.type === T.kafkaTopic) {
      min(get(args.props, "spec", "replicas"), 3, "replicas");
      // Compacted topics inherit the broker default when unset.
      const isr = get(args.props, "spec", "config", "min.insync.replicas");
      if (isr !== undefined) min(isr, 2, "min.insync.replicas");
    } else {
      args.notApplicable("applies to Kafka and KafkaTopic");
    }
  },
};

/** Topic -> its PII fields, from every tenant's data-contracts ConfigMap. */
type PiiByTopic = ReadonlyMap<string, readonly string[]>;

const names = (v: unknown): string[] => asArray(v).flatMap((d) => (typeof d === "string" ? [d] : typeof get(d, "name") === "string" ? [str(get(d, "name"))] : []));
const mentions = (text: string, field: string): boolean => new RegExp(`(^|[^A-Za-z0-9_])${field.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9_])`).test(text);

/**
 * A supervisor spec's PII problems: Druid cannot hash, so a PII field of the topic it reads may not become a
 * dimension (listed, or by schema discovery without an exclusion), a metric's input, a transform's input or the
 * timestamp. Both spec forms: `{spec: {dataSchema, ioConfig}}` and the flat documented one.
 */
export function druidPiiProblems(nativeSpec: unknown, pii: readonly string[]): string[] {
  const spec = get(nativeSpec, "spec") ?? nativeSpec;
  const schema = get(spec, "dataSchema");
  const dims = get(schema, "dimensionsSpec");
  const listed = names(get(dims, "dimensions"));
  const discovered = get(dims, "useSchemaDiscovery") === true || listed.length === 0;
  const excluded = names(get(dims, "dimensionExclusions"));
  const metrics = asArray(get(schema, "metricsSpec")).flatMap((m) => [...names([get(m, "fieldName")]), ...names(get(m, "fieldNames"))]);
  const transforms = asArray(get(schema, "transformSpec", "transforms")).map((t) => str(get(t, "expression")));
  return pii.flatMap((f) => [
    ...(listed.includes(f) ? [`dimension '${f}'`] : []),
    ...(discovered && !listed.includes(f) && !excluded.includes(f) ? [`'${f}' by schema discovery (not in dimensionExclusions)`] : []),
    ...(metrics.includes(f) ? [`metric input '${f}'`] : []),
    ...(transforms.some((e) => mentions(e, f)) ? [`transform input '${f}'`] : []),
    ...(str(get(schema, "timestampSpec", "column")) === f ? [`timestamp column '${f}'`] : []),
  ]);
}

/** A statement without its `AS name` aliases: an output column may keep a masked field's name. */
const withoutAliases = (sql: string): string => sql.replace(/\bAS\s+(`[^`]+`|\w+)/gi, "");

/** The text of a statement with every SHA256(…) and SHA2(…) call removed: what it writes unhashed. */
function withoutHashes(sql: string): string {
  let out = sql;
  for (let m = /\bSHA(256|2)\s*\(/i.exec(out); m; m = /\bSHA(256|2)\s*\(/i.exec(out)) {
    let depth = 0;
    let end = m.index + m[0].length - 1;
    for (; end < out.length; end++) {
      if (out[end] === "(") depth++;
      if (out[end] === ")" && --depth === 0) break;
    }
    out = out.slice(0, m.index) + "HASHED" + out.slice(end + 1);
  }
  return out;
}

/**
 * A Flink script's PII problems for the lake: each `INSERT INTO lake.…` of a script that reads a topic with PII
 * may name a `hash` field only inside SHA256/SHA2 (salted: `${PII_SALT}` from the tenant's pii-salt Secret) and a
 * `drop` field not at all. Topics are found by their tables' `'topic' = '…'` options.
 */
export function lakePiiProblems(script: string, pii: ReadonlyMap<string, Readonly<Record<string, string>>>): string[] {
  const statements = script.split(";");
  const read = statements.flatMap((s) => [...s.matchAll(/'topic'\s*=\s*'([^']+)'/g)].map((m) => m[1])).filter((t) => pii.has(t));
  if (read.length === 0) return [];
  return statements.filter((s) => /\bINSERT\s+INTO\s+lake\./i.test(s)).flatMap((s) => {
    const target = /\bINSERT\s+INTO\s+(lake\.[^\s(]+)/i.exec(s)![1];
    return read.flatMap((topic) => Object.entries(pii.get(topic)!).flatMap(([f, action]) => {
      const written = action === "drop" ? mentions(withoutAliases(s), f) : mentions(withoutHashes(withoutAliases(s)), f);
      return written ? [`${target} gets '${f}' of ${topic} ${action === "drop" ? "(declared drop)" : "unhashed"}`] : [];
    }));
  });
}

export const piiMaskedBeforeServing: StackValidationPolicy = {
  name: "pii-masked-before-serving",
  description: "No field a tenant's data contract declares PII reaches a Druid datasource or a lake table unmasked.",
  remediationSteps: "Leave the field out of the supervisor's dimensions (add it to dimensionExclusions under schema discovery); in lake jobs write SHA256(CONCAT('${PII_SALT}', field)) for `hash`, nothing for `drop`.",
  enforcementLevel: "mandatory",
  validateStack: judgedWhenKnown(ofTypes(T.configMap, T.druidIngestion), (args, report) => {
    const contracts = args.resources.filter((r) => r.type === T.configMap && nameOf(r.props) === DATA_CONTRACTS.configMap);
    const pii = new Map<string, Readonly<Record<string, string>>>();
    for (const c of contracts) {
      const parsed = JSON.parse(str(get(c.props, "data", DATA_CONTRACTS.key)) || "{}") as Record<string, { pii?: Record<string, string> }>;
      for (const [topic, contract] of Object.entries(parsed)) if (Object.keys(contract.pii ?? {}).length > 0) pii.set(topic, contract.pii!);
    }
    if (pii.size === 0) return;
    const byTopic: PiiByTopic = new Map([...pii].map(([t, fields]) => [t, Object.keys(fields)]));
    for (const r of args.resources.filter((x) => x.type === T.druidIngestion)) {
      const native = get(r.props, "spec", "ingestion", "nativeSpec");
      const topic = str(get(native, "spec", "ioConfig", "topic") ?? get(native, "ioConfig", "topic"));
      for (const p of druidPiiProblems(native, byTopic.get(topic) ?? [])) report(`${nameOf(r.props)} reads ${topic}: ${p} reaches Druid`, r.urn);
    }
    for (const r of args.resources.filter((x) => x.type === T.configMap)) {
      for (const [key, text] of Object.entries((get(r.props, "data") ?? {}) as Record<string, unknown>)) {
        if (!key.endsWith(".sql")) continue;
        for (const p of lakePiiProblems(str(text), pii)) report(`${nameOf(r.props)}/${key}: ${p}`, r.urn);
      }
    }
  }),
};

export const dataSafetyPolicies = [statefulProtected, kafkaReplicationDurable, piiMaskedBeforeServing];

