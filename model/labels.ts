/** The one place labels are decided. Policies and NetworkPolicies select on these keys. */
export const TENANT_LABEL = "analytics-platform.io/tenant";
export const PART_OF_LABEL = "app.kubernetes.io/part-of";
export const PART_OF = "analytics-platform";

export type Labels = Readonly<Record<string, string>>;

/** Labels of a shared platform object. */
export function platformLabels(component: string): Labels {
  return {
    [PART_OF_LABEL]: PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/component": component,
  };
}

/** Labels of an object owned by a tenant. */
export function tenantLabels(tenant: string, component: string): Labels {
  return { ...platformLabels(component), [TENANT_LABEL]: tenant };
}

/** Strimzi's operators only reconcile resources labelled with their cluster. */
export function strimziLabels(cluster: string, base: Labels): Labels {
  return { ...base, "strimzi.io/cluster": cluster };
}
