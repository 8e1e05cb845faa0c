import { Policies } from "@pulumi/policy";
import { dataSafetyPolicies } from "./data-safety";
import { encryptionPolicies } from "./encryption";
import { rbacPolicies } from "./rbac";
import { tenantIsolationPolicies } from "./tenant-isolation";

/** The pack's name; the Pulumi CLI shows it with every violation. */
export const PACK_NAME = "analytics-platform";

/** Every policy of the pack. Tests and the offline check use this list; only index.ts builds the pack (which starts a server). */
export const allPolicies: Policies = [...encryptionPolicies, ...rbacPolicies, ...tenantIsolationPolicies, ...dataSafetyPolicies];
