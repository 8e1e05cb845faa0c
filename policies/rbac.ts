import { ResourceValidationPolicy } from "@pulumi/policy";
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

export const trinoAccessControl: ResourceValidationPolicy = {
  name: "trino-access-control",
  description: "Trino authenticates users and enforces file-based access control.",
  remediationSteps: "Set accessControl (type configmap, with rules) and server.config.authenticationType in the Trino values.",
  enforcementLevel: "mandatory",
  validateResource: ofType(T.release, (props, args, report) => {
    if (!str(props.chart).endsWith("trino")) {
      args.notApplicable("applies to the Trino release");
      return;
    }
    if (!get(props, "values", "accessControl", "rules")) report("Trino has no access-control rules");
    if (!get(props, "values", "server", "config", "authenticationType")) report("Trino does not authenticate users");
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
