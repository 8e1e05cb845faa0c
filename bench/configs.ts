import { readStackFile, StackConfigValues } from "../offline/render";

/** The prod stack with `count` tenants, each using every layer (jobs, datasources, lake). */
export function benchConfig(count: number): StackConfigValues {
  const base = readStackFile("Pulumi.prod.yaml");
  const tenants = Array.from({ length: count }, (_, i) => ({
    name: `t${String(i).padStart(4, "0")}`,
    peakEventsPerSecond: 1_000 + ((i * 7919) % 40_000),
    retentionDays: 7 + (i % 90),
    topics: ["events", "clicks"],
    jobs: ["events-per-minute", "anomalies", "events-enriched", "dlq-router"],
    datasources: ["events", "events-hourly", "events-per-minute", "anomalies"],
    lake: true,
  }));
  return { ...base, "analytics-platform:tenants": tenants };
}
