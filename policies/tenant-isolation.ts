import { StackValidationPolicy } from "@pulumi/policy";
import { platformNaming, TENANT_COMPONENT_TYPE, tenantNaming } from "../model/naming";
import { asArray, get, isK8sObject, judgedWhenKnown, list, nameOf, namespaceOf, ofTypes, policyStatements, Props, resourcesOf, StackResource, str, T, tenantOf } from "./support";

/**
 * Tenant objects that must live in a shared operator's namespace, because the operator only reconciles
 * there: Strimzi topics and users (and the user's password Secret) in Kafka's, supervisors and the
 * tenant's JAAS Secret in Druid's. They are isolated by name and label instead.
 */
const HOSTED: Readonly<Record<string, readonly string[]>> = {
  [platformNaming.kafkaNamespace]: [T.kafkaTopic, T.kafkaUser, T.secret],
  [platformNaming.druidNamespace]: [T.druidIngestion, T.secret],
};

/** The tenant a resource belongs to by its place in the program: its nearest Tenant component. */
function owningTenant(r: StackResource): string | undefined {
  for (let p = r.parent; p; p = p.parent) if (p.type === TENANT_COMPONENT_TYPE) return p.name;
  return undefined;
}

export const tenantResourcesLabelled: StackValidationPolicy = {
  name: "tenant-resources-labelled",
  description: "Every tenant-owned Kubernetes object carries its tenant's label and lives in the tenant's namespace (or, for operator-reconciled objects, the operator's).",
  remediationSteps: "Create tenant objects inside the Tenant component with tenantLabels(); namespaced ones in tenant-<name>.",
  enforcementLevel: "mandatory",
  validateStack: judgedWhenKnown(isK8sObject, (args, report) => {
    for (const r of args.resources.filter(isK8sObject)) {
      const owner = owningTenant(r);
      const label = tenantOf(r.props);
      const ns = namespaceOf(r.props);
      const nsTenant = ns?.startsWith("tenant-") ? ns.slice("tenant-".length) : undefined;
      const tenant = owner ?? label ?? nsTenant;
      if (!tenant) continue;
      if (label !== tenant) report(`${nameOf(r.props)}: belongs to tenant '${tenant}' but is labelled '${label ?? "(none)"}'`, r.urn);
      if (r.type === T.namespace) {
        if (nameOf(r.props) !== tenantNaming.namespace(tenant)) report(`namespace ${nameOf(r.props)} of tenant '${tenant}' is not ${tenantNaming.namespace(tenant)}`, r.urn);
        continue;
      }
      const hosted = ns !== undefined && (HOSTED[ns] ?? []).includes(r.type);
      if (ns !== tenantNaming.namespace(tenant) && !hosted) report(`${nameOf(r.props)}: object of tenant '${tenant}' in namespace '${ns ?? "(cluster)"}'`, r.urn);
    }
  }),
};

function isDefaultDeny(p: StackResource): boolean {
  const spec = get(p.props, "spec") as Props | undefined;
  const types = list(get(spec, "policyTypes"));
  return Object.keys((get(spec, "podSelector") ?? {}) as object).length === 0
    && types.includes("Ingress") && types.includes("Egress")
    && asArray(get(spec, "ingress")).length === 0 && asArray(get(spec, "egress")).length === 0;
}

export const tenantNamespaceGuardrails: StackValidationPolicy = {
  name: "tenant-namespace-guardrails",
  description: "Each tenant namespace has a default-deny NetworkPolicy (in and out) and a ResourceQuota.",
  remediationSteps: "The Tenant component creates both; do not remove them.",
  enforcementLevel: "mandatory",
  validateStack: judgedWhenKnown(ofTypes(T.networkPolicy, T.resourceQuota, T.namespace), (args, report) => {
    // Indexed once: with thousands of tenants, a scan per namespace would be quadratic.
    const denied = new Set(resourcesOf(args, T.networkPolicy).filter(isDefaultDeny).map((p) => namespaceOf(p.props)));
    const quotas = new Set(resourcesOf(args, T.resourceQuota).map((q) => namespaceOf(q.props)));
    for (const ns of resourcesOf(args, T.namespace).filter((n) => tenantOf(n.props))) {
      const name = nameOf(ns.props);
      if (!denied.has(name)) report(`namespace ${name} has no default-deny NetworkPolicy`, ns.urn);
      if (!quotas.has(name)) report(`namespace ${name} has no ResourceQuota`, ns.urn);
    }
  }),
};

/**
 * The Kafka names a Flink SQL script's connector options reach outside `prefix`. `topic` is a list separated by
 * `;` and `topic-pattern` a Java regex that must match a whole topic name (Flink's KafkaConnectorOptions,
 * TopicPatternSubscriber). A pattern is the tenant's only when it starts with the prefix, its dot escaped, and
 * has no top-level `|`: `acme.*` also matches `acme-eu.events`, and `acme\\..*|globex\\..*` matches globex's.
 */
export function foreignKafkaOptions(sql: string, prefix: string): string[] {
  const out: string[] = [];
  const own = (name: string) => name.startsWith(prefix);
  // Tenant names are DNS labels: the prefix's one regex metacharacter is its dot.
  const escapedPrefix = prefix.replace(/\./g, "\\.");
  for (const m of sql.matchAll(/'(topic|topic-pattern|properties\.group\.id|sink\.transactional-id-prefix)'\s*=\s*'([^']*)'/g)) {
    const [, key, value] = m;
    if (key === "topic") out.push(...value.split(";").map((t) => t.trim()).filter((t) => !own(t)).map((t) => `topic '${t}'`));
    else if (key === "topic-pattern") {
      if (!value.replace(/^\^/, "").startsWith(escapedPrefix) || hasTopLevelAlternation(value)) out.push(`topic-pattern '${value}'`);
    } else if (!own(value)) out.push(`${key} '${value}'`);
  }
  return out;
}

/** Whether a regex has a `|` outside every group (and outside character classes and escapes). */
function hasTopLevelAlternation(pattern: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) return true;
  }
  return false;
}

/** The names a tenant's resources may reference, each checked against its owner. */
function foreignNames(r: StackResource, tenant: string): string[] {
  const prefix = tenantNaming.kafkaPrefix(tenant);
  const own = (name: string) => name.startsWith(prefix);
  const out: string[] = [];
  switch (r.type) {
    case T.kafkaTopic:
      if (!own(nameOf(r.props))) out.push(`topic ${nameOf(r.props)}`);
      break;
    case T.kafkaUser:
      for (const acl of asArray(get(r.props, "spec", "authorization", "acls"))) {
        const name = str(get(acl, "resource", "name"));
        // A wildcard is kafka-user-no-wildcard-acl's finding; here, names of other tenants or of the platform.
        if (get(acl, "resource", "type") !== "cluster" && name !== "*" && name !== "" && !own(name)) out.push(`ACL on ${str(get(acl, "resource", "type"))} '${name}'`);
      }
      break;
    case T.configMap:
      for (const sql of Object.values((get(r.props, "data") ?? {}) as Props)) out.push(...foreignKafkaOptions(str(sql), prefix));
      break;
    case T.flinkDeployment:
      for (const [key, value] of Object.entries((get(r.props, "spec", "flinkConfiguration") ?? {}) as Props)) {
        const path = /^s3:\/\/[^/]+\/(.*)$/.exec(str(value))?.[1];
        if (path !== undefined && !path.startsWith(tenantNaming.storagePrefix(tenant))) out.push(`${key} path '${path}'`);
      }
      break;
    case T.druidIngestion: {
      const spec = get(r.props, "spec", "ingestion", "nativeSpec", "spec");
      const topic = str(get(spec, "ioConfig", "topic"));
      const dataSource = str(get(spec, "dataSchema", "dataSource"));
      const jaas = str(get(spec, "ioConfig", "consumerProperties", "druid.dynamic.config.provider", "variables", "sasl.jaas.config"));
      if (!own(topic)) out.push(`topic '${topic}'`);
      if (!dataSource.startsWith(`${tenant}_`)) out.push(`dataSource '${dataSource}'`);
      if (jaas !== tenantNaming.druidJaasEnv(tenant)) out.push(`Kafka credentials '${jaas}'`);
      break;
    }
    case T.glueDatabase: {
      const name = str(r.props.name);
      if (name !== tenantNaming.lakeSchema(tenant)) out.push(`lake schema '${name}'`);
      const location = /^s3:\/\/[^/]+\/(.*)$/.exec(str(r.props.locationUri))?.[1];
      if (location !== undefined && !location.startsWith(tenantNaming.storagePrefix(tenant))) out.push(`lake location '${location}'`);
      break;
    }
    case T.iamRolePolicy:
      // Object ARNs (arn:aws:s3:::bucket/path) of a tenant's role stay under the tenant's prefix, and its Glue
      // databases and tables are its lake schema's (database/<schema>, table/<schema>/…).
      for (const st of policyStatements(r.props.policy)) {
        for (const arn of list(st.Resource)) {
          const path = /^arn:aws[a-z-]*:s3:::[^/]+\/(.*)$/.exec(arn)?.[1];
          if (path !== undefined && !path.startsWith(tenantNaming.storagePrefix(tenant))) out.push(`S3 path '${path}'`);
          const database = /^arn:aws[a-z-]*:glue:[^:]*:[^:]*:(?:database|table|userDefinedFunction)\/([^/]*)/.exec(arn)?.[1];
          if (database !== undefined && database !== tenantNaming.lakeSchema(tenant)) out.push(`Glue database '${database}'`);
        }
      }
      break;
  }
  return out;
}

export const tenantReferencesOwnNames: StackValidationPolicy = {
  name: "tenant-references-own-names",
  description: "A tenant's ACLs, topics, Flink jobs, Druid supervisors, lake schemas and storage paths name only that tenant's things.",
  remediationSteps: "Refer to tenant things through the placeholders (${TOPIC_PREFIX}, ${DATASOURCE}) and the naming module, never by literal names.",
  enforcementLevel: "mandatory",
  validateStack: judgedWhenKnown(ofTypes(T.kafkaTopic, T.kafkaUser, T.configMap, T.flinkDeployment, T.druidIngestion, T.glueDatabase, T.iamRolePolicy), (args, report) => {
    for (const r of args.resources) {
      const tenant = tenantOf(r.props) ?? owningTenant(r);
      if (!tenant) continue;
      for (const what of foreignNames(r, tenant)) report(`${nameOf(r.props) || r.name} of tenant '${tenant}' references ${what}`, r.urn);
    }
  }),
};

/** Secrets an object refers to: [namespace, name]. */
function secretRefs(r: StackResource): [string | undefined, string][] {
  const refs: [string | undefined, string][] = [];
  const ns = namespaceOf(r.props);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== "object") return;
    const o = v as Props;
    if (o.secretKeyRef) refs.push([ns, str(get(o.secretKeyRef, "name"))]);
    if (typeof o.secretName === "string") refs.push([ns, o.secretName]);
    if (o.secretRef && typeof get(o.secretRef, "name") === "string") refs.push([str(get(o.secretRef, "namespace")) || ns, str(get(o.secretRef, "name"))]);
    Object.values(o).forEach(walk);
  };
  walk(get(r.props, "spec"));
  return refs;
}

export const noCrossTenantSecrets: StackValidationPolicy = {
  name: "no-cross-tenant-secret-reference",
  description: "No resource of one tenant references a Secret of another tenant.",
  remediationSteps: "Each tenant reads its own kafka-credentials (and object-store credentials) only.",
  enforcementLevel: "mandatory",
  validateStack: judgedWhenKnown(isK8sObject, (args, report) => {
    const owners = new Map<string, string | undefined>();
    for (const s of resourcesOf(args, T.secret)) owners.set(`${namespaceOf(s.props)}/${nameOf(s.props)}`, tenantOf(s.props));
    for (const r of args.resources) {
      const tenant = tenantOf(r.props);
      if (!tenant) continue;
      for (const [ns, name] of secretRefs(r)) {
        const owner = owners.get(`${ns}/${name}`);
        if (owner !== undefined && owner !== tenant) report(`${nameOf(r.props)} of tenant '${tenant}' reads Secret ${ns}/${name} of tenant '${owner}'`, r.urn);
      }
    }
  }),
};

export const tenantIsolationPolicies = [tenantResourcesLabelled, tenantNamespaceGuardrails, tenantReferencesOwnNames, noCrossTenantSecrets];
