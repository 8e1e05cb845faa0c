import { describe, expect, it } from "vitest";
import { dlqPartitionsFor, kafkaQuotasFor, localRetentionMs, MS_PER_DAY, MS_PER_HOUR, namespaceQuotaFor, partitionsFor } from "../model/sizing";

const sizing = { eventsPerPartitionPerSecond: 1000, minPartitions: 3, maxPartitions: 50 };

describe("partitionsFor", () => {
  it("gives one partition per planned per-partition rate, rounded up", () => {
    expect(partitionsFor(20_000, sizing)).toBe(20);
    expect(partitionsFor(20_001, sizing)).toBe(21);
  });
  it("never goes below the minimum or above the maximum", () => {
    expect(partitionsFor(1, sizing)).toBe(3);
    expect(partitionsFor(1_000_000, sizing)).toBe(50);
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
  it("grows with load between 2 and 64 CPUs", () => {
    expect(namespaceQuotaFor(100).cpu).toBe(2);
    expect(namespaceQuotaFor(20_000)).toMatchObject({ cpu: 8, memoryGi: 32 });
    expect(namespaceQuotaFor(10_000_000).cpu).toBe(64);
  });
});

describe("localRetentionMs", () => {
  it("keeps the configured hours locally, never more than the total retention", () => {
    expect(localRetentionMs(30, 24)).toBe(24 * MS_PER_HOUR);
    expect(localRetentionMs(1, 48)).toBe(MS_PER_DAY);
  });
});
