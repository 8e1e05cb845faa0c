/** The parts of CloudNativePG 1.30's `postgresql.cnpg.io/v1` Cluster this program uses (the CRD ships in its chart). */
import * as k8s from "@pulumi/kubernetes";

export const CNPG_API_VERSION = "postgresql.cnpg.io/v1";

export interface CnpgClusterSpec {
  readonly instances: number;
  readonly storage: { readonly size: string };
  readonly bootstrap: {
    /** A new database owned by `owner`, whose credentials are the Secret's `username` and `password`. */
    readonly initdb: { readonly database: string; readonly owner: string; readonly secret: { readonly name: string } };
  };
  /** Off: no `postgres` superuser password exists; the owner is all Druid needs. */
  readonly enableSuperuserAccess: boolean;
  readonly resources: k8s.types.input.core.v1.ResourceRequirements;
}

/** The Service that always points at the primary: the operator creates `<cluster>-rw` (docs: service management). */
export function cnpgReadWriteService(cluster: string): string {
  return `${cluster}-rw`;
}

/**
 * The Secret type the initdb owner's credentials must have, with keys `username` and `password`
 * (CloudNativePG docs, bootstrap: "kubernetes.io/basic-auth").
 */
export const CNPG_CREDENTIALS_SECRET_TYPE = "kubernetes.io/basic-auth";
