import { pbkdf2Sync } from "node:crypto";
import { StackConfig } from "../config/types";
import { SCHEMA_REGISTRY_DEFAULTS } from "./defaults";
import { SubjectModel } from "./contracts";
import { tenantNaming } from "./naming";

/**
 * The platform's schema registry (Karapace): a shared layer like Kafka, there whether or not a tenant has a schema
 * yet, so removing the last tenant with one removes its user, not the registry and its retained topic.
 */
export interface SchemaRegistryModel {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  /** The image (with curl) tenants' registration Jobs run. */
  readonly registrationImage: string;
  readonly replicas: number;
  readonly port: number;
  /** What tenants call: HTTPS on the Service. */
  readonly url: string;
  /** The headless Service giving each replica the name it advertises to the others (primary election). */
  readonly headlessService: string;
  readonly kafkaUser: string;
  /** Secret in the Kafka namespace with the registry's SCRAM password. */
  readonly kafkaPasswordSecret: string;
  readonly topic: string;
  readonly groupId: string;
  /** Tenants with subjects: each gets a registry user confined to its own subjects. */
  readonly tenants: readonly string[];
}

export function buildSchemaRegistry(config: StackConfig, tenantsWithSubjects: readonly string[]): SchemaRegistryModel {
  const d = SCHEMA_REGISTRY_DEFAULTS;
  return {
    name: d.name,
    namespace: d.namespace,
    image: config.schemaRegistry?.image ?? d.image,
    registrationImage: config.schemaRegistry?.registrationImage ?? d.registrationImage,
    replicas: config.environment === "prod" ? 2 : 1,
    port: d.port,
    url: `https://${d.name}.${d.namespace}.svc:${d.port}`,
    headlessService: `${d.name}-headless`,
    kafkaUser: d.name,
    kafkaPasswordSecret: `${d.name}-scram`,
    topic: d.topic,
    groupId: d.groupId,
    tenants: tenantsWithSubjects,
  };
}

/** Kafka ACLs of the registry's own user: its storage topic, its election group and its readers' groups. */
export function registryKafkaAcls(m: SchemaRegistryModel): { resource: { type: "topic" | "group"; name: string; patternType: "literal" | "prefix" }; operations: string[] }[] {
  return [
    // Create: the reader creates its topic before anything else, and retries for ever if refused (karapace schema_reader).
    { resource: { type: "topic", name: m.topic, patternType: "literal" }, operations: ["Read", "Write", "Describe", "DescribeConfigs", "Create"] },
    { resource: { type: "group", name: m.groupId, patternType: "literal" }, operations: ["Read", "Describe"] },
    { resource: { type: "group", name: SCHEMA_REGISTRY_DEFAULTS.readerGroupPrefix, patternType: "prefix" }, operations: ["Read", "Describe"] },
  ];
}

/** A registry user: its name and password (the password is a Pulumi secret's value, only ever seen in an apply). */
export interface RegistryCredential {
  readonly username: string;
  readonly password: string;
  readonly salt: string;
}

/** Karapace's password hash: base64 of PBKDF2-HMAC-SHA512, 5000 rounds, the salt's UTF-8 bytes (core/auth.py hash_password). */
export function karapacePasswordHash(password: string, salt: string): string {
  return pbkdf2Sync(Buffer.from(password, "utf8"), Buffer.from(salt, "utf8"), SCHEMA_REGISTRY_DEFAULTS.pbkdf2Iterations, 64, "sha512").toString("base64");
}

/** The registry user of a tenant. */
export function registryUser(tenant: string): string {
  return tenantNaming.kafkaUser(tenant);
}

/**
 * Karapace's ACL pattern for a tenant's subjects. Karapace matches with Python's `re.match`, anchored at the start
 * only (core/auth.py): the escaped dot ends the tenant's prefix, so `acme\.` never matches `acme-eu.…`.
 */
export function tenantSubjectPattern(tenant: string): string {
  return `Subject:${tenantNaming.kafkaPrefix(tenant).replace(/[.\\^$*+?()[\]{}|]/g, "\\$&")}.*`;
}

/**
 * Karapace's auth file (`KARAPACE_REGISTRY_AUTHFILE`): every user with its hash, each tenant allowed Write (which
 * implies Read) on its own subjects only; the platform admin on every subject and the global config. Karapace
 * then refuses unauthenticated requests, lists only permitted subjects, and answers 404 for the others.
 */
export function karapaceAuthFile(admin: RegistryCredential, tenants: readonly { readonly tenant: string; readonly credential: RegistryCredential }[]): string {
  const user = (c: RegistryCredential) => ({ username: c.username, algorithm: "sha512", salt: c.salt, password_hash: karapacePasswordHash(c.password, c.salt) });
  return JSON.stringify({
    users: [user(admin), ...tenants.map((t) => user(t.credential))],
    permissions: [
      { username: admin.username, operation: "Write", resource: "Config:" },
      { username: admin.username, operation: "Write", resource: "Subject:.*" },
      ...tenants.map((t) => ({ username: t.credential.username, operation: "Write", resource: tenantSubjectPattern(t.tenant) })),
    ],
  }, null, 2);
}

/** Where a tenant's registration Job finds its subjects, its credentials and room to write. */
export const REGISTRATION = { schemasDir: "/etc/schemas", credentialsDir: "/etc/schema-registry", workDir: "/work", credentialsSecret: "schema-registry-credentials" } as const;

/** A subject's files in the registration ConfigMap: its compatibility and its schema, as the REST API takes them. */
export function registrationFiles(subjects: readonly SubjectModel[]): Record<string, string> {
  return Object.fromEntries(subjects.flatMap((s) => [
    [`${s.subject}.config.json`, JSON.stringify({ compatibility: s.compatibility })],
    [`${s.subject}.schema.json`, JSON.stringify({ schemaType: s.schemaType, schema: JSON.stringify(JSON.parse(s.schema)) })],
  ]));
}

/**
 * The registration Job's script, with the tenant's own credentials (so the registry's authorization, not this
 * script, decides what it may register): per subject, set its compatibility (PUT /config/{subject}), then register
 * the schema (POST /subjects/{subject}/versions), which the registry refuses (409) when it breaks that
 * compatibility: the Job fails and with it `pulumi up`. Registering an unchanged schema returns its id again.
 */
export function registrationScript(subjects: readonly SubjectModel[], url: string): string {
  const r = REGISTRATION;
  const call = (method: string, path: string, file: string) =>
    `curl --fail-with-body --silent --show-error --cacert ${r.credentialsDir}/ca.crt --netrc-file ${r.workDir}/netrc -X ${method} -H 'Content-Type: application/vnd.schemaregistry.v1+json' --data @${r.schemasDir}/${file} ${url}${path}`;
  return [
    "#!/bin/sh",
    "set -eu",
    // The password goes to curl in a file, never on its command line.
    `printf 'machine %s login %s password %s\\n' ${new URL(url).hostname} "$(cat ${r.credentialsDir}/username)" "$(cat ${r.credentialsDir}/password)" > ${r.workDir}/netrc`,
    ...subjects.flatMap((s) => [
      call("PUT", `/config/${s.subject}`, `${s.subject}.config.json`),
      "echo",
      call("POST", `/subjects/${s.subject}/versions`, `${s.subject}.schema.json`),
      "echo",
    ]),
    "",
  ].join("\n");
}
