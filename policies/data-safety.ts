import { ResourceValidationPolicy } from "@pulumi/policy";
import { get, T } from "./support";

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

export const dataSafetyPolicies = [statefulProtected, kafkaReplicationDurable];

