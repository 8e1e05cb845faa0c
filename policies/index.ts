// The policy pack `pulumi preview --policy-pack policies` runs. Constructing it starts the analyzer server,
// so nothing else imports this file: tests and the offline check use ./all.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies, PACK_NAME } from "./all";

new PolicyPack(PACK_NAME, { policies: allPolicies });
