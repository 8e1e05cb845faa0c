import { ResourceValidationPolicy } from "@pulumi/policy";
import { tenantNaming } from "../model/naming";
import { asArray, get, list, ofType, policyStatements, str, T } from "./support";

export const kafkaAuthorizationEnabled: ResourceValidationPolicy = {
  name: "kafka-authorization-enabled",
  description: "Kafka authorizes every request (simple ACLs) and its super users are named platform principals, never a wildcard.",
  remediationSteps: "Set spec.kafka.authorization: {type: simple, superUsers: [CN=platform-admin]}.",
  enforcementLevel: "mandatory",
  validateResource: ofType(T.kafka, (props, _args, report) => {
    const auth = get(props, "spec", "kafka", "authorization");
    if (get(auth, "type") !== "simple") report("Kafka authorization is not 'simple'");
    for (const user of list(get(auth, "superUsers"))) {
      if (user.includes("*") || /^(User:)?ANONYMOUS$/i.test(user)) report(`super user '${user}' is a wildcard or anonymous`);
    }
  }),
};

export const kafkaUserNoWildcardAcl: ResourceValidationPolicy = {
  name: "kafka-user-no-wildcard-acl",
  description: "No KafkaUser is granted an ACL on every resource ('*' or an empty prefix).",
  remediationSteps: "Grant ACLs on the owner's prefix only (tenants: '<tenant>.').",
  enforcementLevel: "mandatory",
  validateResource: ofType(T.kafkaUser, (props, _args, report) => {
    for (const acl of asArray(get(props, "spec", "authorization", "acls"))) {
      const type = str(get(acl, "resource", "type"));
      const name = get(acl, "resource", "name");
      if (type === "cluster") continue;
      if (name === "*" || name === "" || name === undefined) report(`ACL on every ${type} ('${str(name) || "*"}')`);
      if (list(get(acl, "operations")).includes("All")) report(`ACL grants All on ${type} '${str(name)}'`);
    }
  }),
};

export const noClusterAdminBinding: ResourceValidationPolicy = {
  name: "no-cluster-admin-binding",
  description: "Nothing this program creates is bound to cluster-admin.",
  remediationSteps: "Bind a Role with the verbs and resources the workload needs.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== T.clusterRoleBinding && args.type !== T.roleBinding) {
      args.notApplicable("applies to RoleBindings and ClusterRoleBindings");
      return;
    }
    if (get(args.props, "roleRef", "name") === "cluster-admin") report("binds cluster-admin");
  },
};

export const noWildcardRbac: ResourceValidationPolicy = {
  name: "no-wildcard-rbac",
  description: "Roles and ClusterRoles created by this program name their verbs, resources and API groups: no '*'.",
  remediationSteps: "List the verbs and resources the workload uses.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== T.role && args.type !== T.clusterRole) {
      args.notApplicable("applies to Roles and ClusterRoles");
      return;
    }
    asArray(get(args.props, "rules")).forEach((rule, i) => {
      for (const field of ["verbs", "resources", "apiGroups"]) {
        if (list(get(rule, field)).includes("*")) report(`rule ${i} has '*' in ${field}`);
      }
    });
  },
};

export const grafanaAnonymousDisabled: ResourceValidationPolicy = {
  name: "grafana-anonymous-disabled",
  description: "Grafana requires a login: anonymous access is explicitly off and the admin password comes from a Secret.",
  remediationSteps: "Set grafana.grafana.ini.auth.anonymous.enabled: false and grafana.admin.existingSecret in the kube-prometheus-stack values.",
  enforcementLevel: "mandatory",
  validateResource: ofType(T.release, (props, args, report) => {
    if (!str(props.chart).endsWith("kube-prometheus-stack")) {
      args.notApplicable("applies to the kube-prometheus-stack release");
      return;
    }
    if (get(props, "values", "grafana", "grafana.ini", "auth.anonymous", "enabled") !== false) report("Grafana anonymous access is not disabled");
    if (!get(props, "values", "grafana", "admin", "existingSecret")) report("Grafana's admin password is not taken from a Secret");
  }),
};

type TrinoRule = Record<string, unknown>;
interface TrinoSubject { readonly user: string; readonly groups: readonly string[] }

/** Trino's file-based rules match names by Java regex, whole name; an absent field matches everything. */
function fullMatcher(): (pattern: unknown, value: string) => boolean {
  // Compiled once per pattern: a thousand tenants' rules are tested against every other tenant's names.
  const compiled = new Map<string, RegExp>();
  return (pattern, value) => {
    if (pattern === undefined) return true;
    const source = str(pattern);
    let re = compiled.get(source);
    if (!re) compiled.set(source, (re = new RegExp(`^(?:${source})$`)));
    return re.test(value);
  };
}

/**
 * What Trino's rules let one tenant do to another's data and queries, and what they let everyone do. The first
 * matching rule decides, and a missing section allows all (trino-plugin-toolkit FileBasedSystemAccessControl).
 * `groups` is the group file (`group:user1,user2` per line); tenants are its `tenant-<name>` groups.
 */
export function trinoRuleProblems(rulesJson: string, groupFile: string): string[] {
  let rules: Record<string, TrinoRule[] | undefined>;
  try {
    rules = JSON.parse(rulesJson);
  } catch (e) {
    return [`the rules are not JSON: ${(e as Error).message}`];
  }
  const problems = ["catalogs", "schemas", "tables", "queries"].filter((k) => !Array.isArray(rules[k])).map((k) => `no '${k}' rules: Trino then allows every ${k === "queries" ? "query" : k.replace(/s$/, "")} to everyone`);
  const members = new Map<string, string[]>();
  for (const line of groupFile.split("\n").filter((l) => l.includes(":"))) {
    const [group, users] = line.split(":");
    for (const user of users.split(",").map((u) => u.trim()).filter(Boolean)) members.set(user, [...(members.get(user) ?? []), group.trim()]);
  }
  const tenants = [...new Set([...members.values()].flat())].flatMap((g) => tenantNaming.tenantOfTrinoGroup(g) ?? []);
  const subjectOf = (t: string): TrinoSubject => ({ user: tenantNaming.trinoUser(t), groups: members.get(tenantNaming.trinoUser(t)) ?? [] });
  const fullMatch = fullMatcher();
  const subjectMatches = (rule: TrinoRule, who: TrinoSubject): boolean =>
    rule.role === undefined && fullMatch(rule.user, who.user) && (rule.group === undefined || who.groups.some((g) => fullMatch(rule.group, g)));
  const objectsOf = (t: string) => [["lake", tenantNaming.lakeSchema(t), "events"], ["druid", "druid", tenantNaming.druidDatasource(t, "events")]] as const;
  const subjects: [string, TrinoSubject][] = [...tenants.map((t) => [`tenant ${t}`, subjectOf(t)] as [string, TrinoSubject]), ["a user in no group", { user: "nobody", groups: [] }]];
  for (const [who, subject] of subjects) {
    // A subject's rules, in order, are found once; the first of them matching an object decides.
    const own = (section: string) => (rules[section] ?? []).filter((r) => subjectMatches(r, subject));
    const tableRules = own("tables");
    const queryRules = own("queries");
    // The lake's retention floors are catalog session properties; a missing section lets everyone set them.
    const sessionRule = own("catalog_session_properties").find((r) => fullMatch(r.catalog, "lake") && fullMatch(r.property, "expire_snapshots_min_retention"));
    if (sessionRule === undefined ? !Array.isArray(rules.catalog_session_properties) : sessionRule.allow === true) {
      problems.push(`${who} can set the lake catalog's session properties, its retention floors among them`);
    }
    const tableAllowed = (catalog: string, schema: string, table: string) => {
      const rule = tableRules.find((r) => fullMatch(r.catalog, catalog) && fullMatch(r.schema, schema) && fullMatch(r.table, table));
      return rule === undefined ? !Array.isArray(rules.tables) : asArray(rule.privileges).length > 0;
    };
    for (const other of tenants.filter((t) => subject.user !== tenantNaming.trinoUser(t))) {
      for (const [catalog, schema, table] of objectsOf(other)) {
        if (tableAllowed(catalog, schema, table)) problems.push(`${who} can read ${catalog}.${schema}.${table}, tenant ${other}'s`);
      }
      const query = queryRules.find((r) => fullMatch(r.queryOwner, tenantNaming.trinoUser(other)));
      const seen = query === undefined ? (Array.isArray(rules.queries) ? [] : ["view", "kill"]) : asArray(query.allow).map(str).filter((a) => a === "view" || a === "kill");
      if (seen.length > 0) problems.push(`${who} can ${seen.join(" and ")} tenant ${other}'s queries`);
    }
  }
  return problems;
}

export const trinoAccessControl: ResourceValidationPolicy = {
  name: "trino-access-control",
  description: "Trino serves HTTPS only, authenticates users, keeps a shared secret between its nodes, and its access rules deny by default and never let one tenant reach another's data or queries.",
  remediationSteps: "Keep the platform's values: server.config.https and authenticationType PASSWORD, internal-communication.shared-secret from a Secret, and the generated file-based rules (one rule set per tenant, a final deny).",
  enforcementLevel: "mandatory",
  validateResource: ofType(T.release, (props, args, report) => {
    if (!str(props.chart).endsWith("trino")) {
      args.notApplicable("applies to the Trino release");
      return;
    }
    if (!get(props, "values", "server", "config", "authenticationType")) report("Trino does not authenticate users");
    // Trino refuses password authentication over plain HTTP, and nodes trust each other by the shared secret.
    if (get(props, "values", "server", "config", "https", "enabled") !== true) report("Trino does not serve HTTPS");
    if (!list(get(props, "values", "additionalConfigProperties")).some((p) => /^internal-communication\.shared-secret=\S+/.test(p))) report("Trino's nodes have no internal-communication.shared-secret");
    const files = get(props, "values", "accessControl", "rules") as Record<string, unknown> | undefined;
    const rules = files?.[str(get(props, "values", "accessControl", "configFile")) || "rules.json"];
    if (typeof rules !== "string") {
      report("Trino has no access-control rules");
      return;
    }
    for (const problem of trinoRuleProblems(rules, str(get(props, "values", "auth", "groups")))) report(problem);
  }),
};

export const iamNoWildcard: ResourceValidationPolicy = {
  name: "iam-no-wildcard",
  description: "IAM policies allow named actions on named resources: no wildcard or NotAction, no '*' resource or NotResource.",
  remediationSteps: "Name the actions and the bucket/key ARNs the workload uses.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== T.iamRolePolicy && args.type !== T.iamPolicy) {
      args.notApplicable("applies to IAM policies");
      return;
    }
    policyStatements(args.props.policy).forEach((s, i) => {
      if (s.Effect !== "Allow") return;
      // An allowed NotAction/NotResource grants everything but what it lists, services added later included.
      if (s.NotAction !== undefined) report(`statement ${i} allows every action but '${list(s.NotAction).join(", ")}' (NotAction)`);
      if (s.NotResource !== undefined) report(`statement ${i} applies to every resource but '${list(s.NotResource).join(", ")}' (NotResource)`);
      // IAM expands * and ? in actions (s3:Get* is every Get action, those AWS adds later too).
      const globs = list(s.Action).filter((a) => /[*?]/.test(a));
      if (globs.length > 0) report(`statement ${i} allows '${globs.join(", ")}': name each action`);
      if (list(s.Resource).includes("*")) report(`statement ${i} applies to every resource ('*')`);
    });
  },
};

export const rbacPolicies = [
  kafkaAuthorizationEnabled,
  kafkaUserNoWildcardAcl,
  noClusterAdminBinding,
  noWildcardRbac,
  grafanaAnonymousDisabled,
  trinoAccessControl,
  iamNoWildcard,
];
