import { describe, expect, it } from "vitest";
import { MS_PER_DAY, MS_PER_HOUR, dlqPartitionsFor, druidDirectMemoryMi, druidTaskSlots, druidWorkers, flinkDeploymentRequests, flinkMemoryMi, kafkaQuotasFor, localRetentionMs, namespaceQuotaFor, partitionsFor } from "../model/sizing";

const sizing = { eventsPerPartitionPerSecond: 1000, minPartitions: 3, maxPartitions: 50 };

describe("partitionsFor", () => {
  it("gives one partition per planned per-partition rate, rounded up", () => {
    expect(partitionsFor(20_000, sizing)).toBe(20);
    expect(partitionsFor(20_001, sizing)).toBe(21);
  });
  it("never goes below the minimum, and refuses a peak over the maximum rather than clamp it", () => {
    expect(partitionsFor(1, sizing)).toBe(3);
    expect(partitionsFor(50_000, sizing)).toBe(50);
    expect(() => partitionsFor(50_001, sizing)).toThrow("needs 51 partitions per topic at 1000 events/s each, over kafka.maxPartitionsPerTopic (50)");
  });
  it("rejects a non-positive rate instead of sizing silently", () => {
    expect(() => partitionsFor(0, sizing)).toThrow(RangeError);
  });
  it("sizes the dead-letter topic at a quarter, at least the minimum", () => {
    expect(dlqPartitionsFor(20, sizing)).toBe(5);
    expect(dlqPartitionsFor(4, sizing)).toBe(3);
  });
});

describe("kafkaQuotasFor", () => {
  it("spreads 2x (produce) and 4x (consume) of the peak byte rate over the brokers", () => {
    const q = kafkaQuotasFor(10_000, 1_000, 2);
    expect(q.producerByteRate).toBe(10_000_000);
    expect(q.consumerByteRate).toBe(20_000_000);
  });
  it("never throttles below 1 MiB/s", () => {
    expect(kafkaQuotasFor(1, 10, 3).producerByteRate).toBe(1_048_576);
  });
});

describe("namespaceQuotaFor", () => {
  it("without workloads, grows with load between 2 and 64 CPUs", () => {
    expect(namespaceQuotaFor(100).cpu).toBe(2);
    expect(namespaceQuotaFor(20_000)).toMatchObject({ cpu: 8, memoryGi: 32 });
    expect(namespaceQuotaFor(10_000_000).cpu).toBe(64);
  });

  it("covers what the workloads request, with headroom", () => {
    // prod's acme: five jobs of parallelism 20, two JobManagers (1 CPU, 2 GiB), TaskManagers of 2 slots (2 CPU, 4 GiB).
    const job = flinkDeploymentRequests(20, 2, 2, { cpu: 1, memory: "2048m" }, { cpu: 2, memory: "4096m" });
    expect(job).toEqual({ cpu: 22, memoryMi: 45_056, pods: 12 });
    expect(namespaceQuotaFor(20_000, Array(5).fill(job))).toEqual({ cpu: 138, memoryGi: 275, pods: 85, persistentVolumeClaims: 10 });
    expect(flinkDeploymentRequests(5, 2, 1, { cpu: 0.5, memory: "1024m" }, { cpu: 0.5, memory: "1536m" })).toEqual({ cpu: 2, memoryMi: 5632, pods: 4 });
  });

  it("reads Flink memory sizes in MiB", () => {
    expect([flinkMemoryMi("1536m"), flinkMemoryMi("4g")]).toEqual([1536, 4096]);
    expect(() => flinkMemoryMi("4Gi")).toThrow(/unsupported/);
  });
});

describe("localRetentionMs", () => {
  it("keeps the configured hours locally, never more than the total retention", () => {
    expect(localRetentionMs(30, 24)).toBe(24 * MS_PER_HOUR);
    expect(localRetentionMs(1, 48)).toBe(MS_PER_DAY);
  });
});

describe("Druid middle managers", () => {
  it("need a slot per reading task and as many for those publishing (Druid's capacity planning)", () => {
    expect(druidTaskSlots([5, 5, 1], 1)).toBe(22);
    expect(druidTaskSlots([5, 2], 2)).toBe(28);
    expect(druidTaskSlots([], 2)).toBe(0);
  });

  it("give a peon the direct memory Druid checks at start-up: buffer × (merge buffers + threads + 1)", () => {
    expect(druidDirectMemoryMi(100, 2, 2)).toBe(500);
    expect(druidDirectMemoryMi(16, 1, 2)).toBe(64);
  });

  it("spread the slots evenly over enough middle managers, at least the minimum", () => {
    const peon = { memoryMi: 1000, cpuMilli: 100 };
    const self = { memoryMi: 512, cpuMilli: 500 };
    expect(druidWorkers(44, 1, 16, peon, self)).toEqual({ replicas: 3, capacity: 15, memoryMi: 512 + 15 * 1000, cpuMilli: 500 + 15 * 100 });
    expect(druidWorkers(4, 3, 16, peon, self)).toMatchObject({ replicas: 3, capacity: 2 });
    expect(druidWorkers(0, 1, 16, peon, self)).toMatchObject({ replicas: 1, capacity: 1 });
  });
});
