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

/** Each call of `fn(` in `sql`: where it starts, its text and its arguments' text. */
function calls(sql: string, fn: string): { start: number; end: number; args: string }[] {
  const out: { start: number; end: number; args: string }[] = [];
  const call = new RegExp(`\\b${fn}\\s*\\(`, "gi");
  for (let m = call.exec(sql); m; m = call.exec(sql)) {
    let depth = 0;
    let end = m.index + m[0].length - 1;
    for (; end < sql.length; end++) {
      if (sql[end] === "(") depth++;
      if (sql[end] === ")" && --depth === 0) break;
    }
    out.push({ start: m.index, end: end + 1, args: sql.slice(m.index + m[0].length, end) });
    call.lastIndex = end + 1;
  }
  return out;
}

/** The text of a statement with every call of `fns` removed: what it writes outside them. */
function withoutCalls(sql: string, fns: readonly string[]): string {
  let out = sql;
  for (const fn of fns) for (const c of calls(out, fn).reverse()) out = out.slice(0, c.start) + "MASKED" + out.slice(c.end);
  return out;
}

/** What a PII_MASK_JSON call's field list (its last argument, `f:hash,g:drop`) leaves unmasked of `pii`. */
function maskGaps(args: string, pii: Readonly<Record<string, string>>): string[] {
  const list = /'([^']*)'\s*$/.exec(args)?.[1] ?? "";
  const given = new Map(list.split(",").map((e) => e.trim().split(":") as [string, string]));
  return Object.entries(pii).filter(([f, action]) => !(given.get(f) === "drop" || (action === "hash" && given.get(f) === "hash"))).map(([f, action]) => `${f}:${action}`);
}

/**
 * A script's statements: split at `;` outside quotes and comments. Option values hold semicolons (the SCRAM
 * JAAS line ends in one), so a plain split would cut a CREATE TABLE from its `'topic'`.
 */
export function sqlStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === "`" || c === '"') {
      // SQL doubles a quote inside a string: '' reopens at once, which this loop handles as two strings.
      const end = sql.indexOf(c, i + 1);
      i = end < 0 ? sql.length : end;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === ";") {
      out.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  return [...out, sql.slice(start)].filter((st) => st.trim().length > 0);
}

const TOPIC_OPTION = /'topic'\s*=\s*'([^']+)'/g;

/**
 * A Flink script's PII problems: each INSERT of a script that reads a topic with PII, into a lake table or into
 * a Kafka table whose topic a Druid supervisor ingests, may name a `hash` field only inside PII_HASH(…) (the
 * tenant's salted hash, sql-runner PiiHash) and a `drop` field not at all. An unsalted SHA256/SHA2 does not
 * count: ids are few enough to hash them all. A topic read whole (`'format' = 'raw'`) carries every field
 * unseen, so such an INSERT must pass it through PII_MASK_JSON with every declared field in its list. SQL is
 * read as text: a mention in a join key or filter counts too. Topics are found by their tables' `'topic'` options.
 */
export function servingPiiProblems(script: string, pii: ReadonlyMap<string, Readonly<Record<string, string>>>, druidTopics: ReadonlySet<string>): string[] {
  const statements = sqlStatements(script);
  const read = [...new Set(statements.flatMap((s) => [...s.matchAll(TOPIC_OPTION)].map((m) => m[1])))].filter((t) => pii.has(t));
  if (read.length === 0) return [];
  const tables = statements.flatMap((s) => {
    const table = /\bCREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.`]+)/i.exec(s)?.[1];
    const topic = [...s.matchAll(TOPIC_OPTION)][0]?.[1];
    return table && topic ? [{ table: table.replace(/`/g, "").toLowerCase(), topic, raw: /'format'\s*=\s*'raw'/i.test(s) }] : [];
  });
  const topicOf = new Map(tables.map((t) => [t.table, t.topic]));
  const readWhole = tables.filter((t) => t.raw && pii.has(t.topic)).map((t) => t.topic);
  return statements.flatMap((s) => {
    const target = /\bINSERT\s+INTO\s+([^\s(]+)/i.exec(s)?.[1].replace(/`/g, "");
    if (!target) return [];
    const topic = topicOf.get(target.toLowerCase());
    const served = /^lake\./i.test(target) ? target : topic && druidTopics.has(topic) ? `${topic} (ingested by Druid)` : undefined;
    if (!served) return [];
    const masks = calls(s, DATA_CONTRACTS.maskFunction);
    const whole = readWhole.flatMap((source) => masks.length === 0
      ? [`${served} gets the whole records of ${source} without ${DATA_CONTRACTS.maskFunction}`]
      : masks.flatMap((m) => maskGaps(m.args, pii.get(source)!).map((gap) => `${served} gets ${source} through ${DATA_CONTRACTS.maskFunction} without '${gap}'`)));
    // A `hash` field may sit inside either function; a `drop` field only in PII_MASK_JSON's list, which maskGaps judged.
    const unhashed = withoutCalls(withoutAliases(s), [DATA_CONTRACTS.hashFunction, DATA_CONTRACTS.maskFunction]);
    const unlisted = withoutCalls(withoutAliases(s), [DATA_CONTRACTS.maskFunction]);
    return [...whole, ...read.flatMap((source) => Object.entries(pii.get(source)!).flatMap(([f, action]) => {
      const written = mentions(action === "drop" ? unlisted : unhashed, f);
      return written ? [`${served} gets '${f}' of ${source} ${action === "drop" ? "(declared drop)" : `outside ${DATA_CONTRACTS.hashFunction}`}`] : [];
    }))];
  });
}

export const piiMaskedBeforeServing: StackValidationPolicy = {
  name: "pii-masked-before-serving",
  description: "No field a tenant's data contract declares PII reaches a Druid datasource or a lake table unmasked.",
  remediationSteps: "Leave the field out of the supervisor's dimensions (add it to dimensionExclusions under schema discovery); in jobs writing to the lake or to a topic Druid ingests, write PII_HASH(field) for `hash` (the tenant's salted hash), nothing for `drop`.",
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
    const druidTopics = new Set<string>();
    for (const r of args.resources.filter((x) => x.type === T.druidIngestion)) {
      const native = get(r.props, "spec", "ingestion", "nativeSpec");
      const topic = str(get(native, "spec", "ioConfig", "topic") ?? get(native, "ioConfig", "topic"));
      druidTopics.add(topic);
      for (const p of druidPiiProblems(native, byTopic.get(topic) ?? [])) report(`${nameOf(r.props)} reads ${topic}: ${p} reaches Druid`, r.urn);
    }
    for (const r of args.resources.filter((x) => x.type === T.configMap)) {
      for (const [key, text] of Object.entries((get(r.props, "data") ?? {}) as Record<string, unknown>)) {
        if (!key.endsWith(".sql")) continue;
        for (const p of servingPiiProblems(str(text), pii, druidTopics)) report(`${nameOf(r.props)}/${key}: ${p}`, r.urn);
      }
    }
  }),
};

export const dataSafetyPolicies = [statefulProtected, kafkaReplicationDurable, piiMaskedBeforeServing];

