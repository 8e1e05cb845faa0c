/** Every size derived from a tenant's load is computed here; pure functions, tested directly. */
import { KafkaConfig } from "../config/types";
import { KAFKA_DEFAULTS } from "./defaults";

export interface PartitionSizing {
  /** Sustained events per second one partition is planned for. */
  readonly eventsPerPartitionPerSecond: number;
  readonly minPartitions: number;
  readonly maxPartitions: number;
}

/** The per-partition rate and the per-topic limit a stack's Kafka config sets, defaults resolved. */
export function partitionLimitsOf(kafka: KafkaConfig | undefined): Pick<PartitionSizing, "eventsPerPartitionPerSecond" | "maxPartitions"> {
  return {
    eventsPerPartitionPerSecond: kafka?.eventsPerPartitionPerSecond ?? KAFKA_DEFAULTS.eventsPerPartitionPerSecond,
    maxPartitions: kafka?.maxPartitionsPerTopic ?? KAFKA_DEFAULTS.maxPartitionsPerTopic,
  };
}

/** Partitions that carry `peakEventsPerSecond` at the planned per-partition rate, before the minimum. */
export function partitionsNeeded(peakEventsPerSecond: number, eventsPerPartitionPerSecond: number): number {
  return Math.ceil(peakEventsPerSecond / eventsPerPartitionPerSecond);
}

/**
 * Why a tenant's peak cannot be served within `maxPartitionsPerTopic`, or undefined. Clamping instead would
 * leave topics that cannot carry the peak, with quotas and task counts sized for traffic they will never see.
 */
export function partitionLimitProblem(peakEventsPerSecond: number, s: Pick<PartitionSizing, "eventsPerPartitionPerSecond" | "maxPartitions">): string | undefined {
  const needed = partitionsNeeded(peakEventsPerSecond, s.eventsPerPartitionPerSecond);
  if (needed <= s.maxPartitions) return undefined;
  return `needs ${needed} partitions per topic at ${s.eventsPerPartitionPerSecond} events/s each, over kafka.maxPartitionsPerTopic (${s.maxPartitions}): ` +
    `at most ${s.maxPartitions * s.eventsPerPartitionPerSecond} events/s; raise the limit or split the tenant`;
}

/** Partitions for a topic carrying `peakEventsPerSecond`: enough for the peak, at least the minimum. */
export function partitionsFor(peakEventsPerSecond: number, s: PartitionSizing): number {
  if (!(peakEventsPerSecond > 0)) throw new RangeError(`peakEventsPerSecond must be > 0, got ${peakEventsPerSecond}`);
  const over = partitionLimitProblem(peakEventsPerSecond, s);
  if (over) throw new RangeError(over);
  return Math.max(s.minPartitions, partitionsNeeded(peakEventsPerSecond, s.eventsPerPartitionPerSecond));
}

/** The dead-letter topic carries a fraction of the traffic: a quarter of the partitions, at least the minimum. */
export function dlqPartitionsFor(topicPartitions: number, s: PartitionSizing): number {
  return Math.max(s.minPartitions, Math.ceil(topicPartitions / 4));
}

export interface ClientQuotas {
  readonly producerByteRate: number;
  readonly consumerByteRate: number;
  readonly requestPercentage: number;
}

/**
 * Byte-rate quotas per broker for a tenant's Kafka user: the peak rate times the average event size,
 * with 2x headroom for bursts (4x for consumers, who re-read for several jobs), spread over the brokers.
 */
export function kafkaQuotasFor(peakEventsPerSecond: number, averageEventBytes: number, brokers: number): ClientQuotas {
  const peakBytes = peakEventsPerSecond * averageEventBytes;
  const perBroker = (factor: number) => Math.max(1_048_576, Math.ceil((peakBytes * factor) / brokers));
  return { producerByteRate: perBroker(2), consumerByteRate: perBroker(4), requestPercentage: 50 };
}

export interface NamespaceQuota {
  readonly cpu: number;
  readonly memoryGi: number;
  readonly pods: number;
  readonly persistentVolumeClaims: number;
}

/** What a set of pods requests in total. */
export interface PodRequests {
  readonly cpu: number;
  readonly memoryMi: number;
  readonly pods: number;
}

/** A Flink memory size (`1536m`, `4g`: Flink's MemorySize units, powers of 1024) in MiB. */
export function flinkMemoryMi(size: string): number {
  const m = /^(\d+)(m|g)$/.exec(size);
  if (!m) throw new Error(`unsupported Flink memory size ${size}`);
  return Number(m[1]) * (m[2] === "g" ? 1024 : 1);
}

/**
 * A FlinkDeployment's pods: its JobManagers, and one TaskManager per `slots` of parallelism (the operator
 * requests each pod's resources as its spec states them).
 */
export function flinkDeploymentRequests(
  parallelism: number,
  slots: number,
  jobManagerReplicas: number,
  jobManager: { readonly cpu: number; readonly memory: string },
  taskManager: { readonly cpu: number; readonly memory: string },
): PodRequests {
  const taskManagers = Math.ceil(parallelism / slots);
  return {
    cpu: jobManagerReplicas * jobManager.cpu + taskManagers * taskManager.cpu,
    memoryMi: jobManagerReplicas * flinkMemoryMi(jobManager.memory) + taskManagers * flinkMemoryMi(taskManager.memory),
    pods: jobManagerReplicas + taskManagers,
  };
}

/** Headroom over what the tenant's workloads request: restarts, the autoscaler's first steps, one-off pods. */
export const QUOTA_HEADROOM = 1.25;

/**
 * Namespace quota: what the tenant's workloads request plus headroom, and never below one CPU per 2,500
 * events/s of peak load (4 GiB each, at least 2 CPUs) for the tenant's own pods.
 */
export function namespaceQuotaFor(peakEventsPerSecond: number, workloads: readonly PodRequests[] = []): NamespaceQuota {
  const floor = Math.min(64, Math.max(2, Math.ceil(peakEventsPerSecond / 2_500)));
  const sum = (k: keyof PodRequests) => workloads.reduce((n, w) => n + w[k], 0);
  const cpu = Math.max(floor, Math.ceil(sum("cpu") * QUOTA_HEADROOM));
  const memoryGi = Math.max(floor * 4, Math.ceil((sum("memoryMi") * QUOTA_HEADROOM) / 1024));
  return { cpu, memoryGi, pods: Math.max(20 + floor * 2, Math.ceil(sum("pods") * QUOTA_HEADROOM) + 10), persistentVolumeClaims: 10 };
}

/**
 * The autoscaler's quota of one job (`job.autoscaler.quota.cpu`, `.memory`): its TaskManagers may grow into the
 * job's own share of its namespace's headroom (QUOTA_HEADROOM), so the rescaled pods still fit the tenant's
 * ResourceQuota. The autoscaler counts only TaskManagers, as slots ÷ slots-per-TaskManager rounded down
 * (ScalingExecutor.scalingWouldExceedResourceQuota), one fewer than it runs for an odd count: one less is allowed.
 */
export function flinkAutoscalerQuota(
  parallelism: number,
  slots: number,
  jobManagerReplicas: number,
  jobManager: { readonly cpu: number; readonly memory: string },
  taskManager: { readonly cpu: number; readonly memory: string },
): { cpu: number; memoryMi: number } {
  const job = flinkDeploymentRequests(parallelism, slots, jobManagerReplicas, jobManager, taskManager);
  const spare = (total: number, per: number) => Math.floor((total * (QUOTA_HEADROOM - 1)) / per);
  const tmMemoryMi = flinkMemoryMi(taskManager.memory);
  const extra = Math.max(0, Math.min(spare(job.cpu, taskManager.cpu), spare(job.memoryMi, tmMemoryMi), spare(job.pods, 1)) - 1);
  const allowed = job.pods - jobManagerReplicas + extra;
  return { cpu: allowed * taskManager.cpu, memoryMi: allowed * tmMemoryMi };
}

export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 24 * MS_PER_HOUR;

/** Local (broker disk) retention: the configured hours, never longer than the total retention. */
export function localRetentionMs(retentionDays: number, localRetentionHours: number): number {
  return Math.min(retentionDays * MS_PER_DAY, localRetentionHours * MS_PER_HOUR);
}

/** Flink parallelism: one task per partition of the job's main input, at most `maxParallelism`. */
export function flinkParallelismFor(inputPartitions: number, maxParallelism: number): number {
  return Math.max(1, Math.min(inputPartitions, maxParallelism));
}

/** Druid Kafka ingestion tasks: one per `partitionsPerTask` partitions, at least 1, at most `maxTaskCount`. */
export function druidTaskCountFor(partitions: number, partitionsPerTask: number, maxTaskCount: number): number {
  return Math.max(1, Math.min(maxTaskCount, Math.ceil(partitions / partitionsPerTask)));
}

/**
 * Task slots a cluster's supervisors need: each runs taskCount × replicas reading tasks, and as many again
 * publish while the next set reads (Druid docs, ingestion/supervisor.md "Capacity planning": 2 × replicas × taskCount).
 */
export function druidTaskSlots(taskCounts: readonly number[], replicas: number): number {
  return 2 * replicas * taskCounts.reduce((sum, n) => sum + n, 0);
}

/**
 * Direct memory a Druid process must be given: it refuses to start with less than
 * buffer × (merge buffers + processing threads + 1) (DruidProcessingModule.verifyDirectMemory).
 */
export function druidDirectMemoryMi(processingBufferMi: number, processingThreads: number, mergeBuffers: number): number {
  return processingBufferMi * (mergeBuffers + processingThreads + 1);
}

export interface DruidWorkerSizing {
  /** Middle managers. */
  readonly replicas: number;
  /** `druid.worker.capacity` of each. */
  readonly capacity: number;
  /** One middle manager container: its own JVM plus `capacity` peons. */
  readonly memoryMi: number;
  readonly cpuMilli: number;
}

/**
 * Middle managers for `slots` task slots: at least `minReplicas`, each with at most `maxCapacity` peons, the
 * slots spread evenly; each container holds its own JVM and every peon's heap, direct memory and overhead.
 */
export function druidWorkers(
  slots: number,
  minReplicas: number,
  maxCapacity: number,
  peon: { readonly memoryMi: number; readonly cpuMilli: number },
  self: { readonly memoryMi: number; readonly cpuMilli: number },
): DruidWorkerSizing {
  const replicas = Math.max(minReplicas, Math.ceil(slots / maxCapacity));
  const capacity = Math.max(1, Math.ceil(slots / replicas));
  return { replicas, capacity, memoryMi: self.memoryMi + capacity * peon.memoryMi, cpuMilli: self.cpuMilli + capacity * peon.cpuMilli };
}
