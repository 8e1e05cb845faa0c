import { vi } from "vitest";
import type { RenderedResource, RenderResult, StackConfigValues } from "../offline/render";
import { readStackFile } from "../offline/render";

/** Renders the real program under mocks with fresh Pulumi modules, so one file can render many configs. */
export async function render(stack: string, config: StackConfigValues, stackReferences: Record<string, Record<string, unknown>> = {}, options: { preview?: boolean } = {}): Promise<RenderResult> {
  vi.resetModules();
  const { renderPlatform } = await import("../offline/render");
  return renderPlatform(stack, config, stackReferences, options);
}

/** The shipped stack config, optionally with some `analytics-platform:` keys replaced. */
export function stackConfig(stack: "dev" | "prod", overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { ...readStackFile(`Pulumi.${stack}.yaml`) };
  for (const [k, v] of Object.entries(overrides)) base[`analytics-platform:${k}`] = v;
  return base;
}

export function ofType(result: RenderResult, type: string): RenderedResource[] {
  return result.resources.filter((r) => r.type === type);
}

export function one(result: RenderResult, type: string, name: string): RenderedResource {
  const found = result.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0];
}

/** Field access into rendered inputs without `any`. */
export function at(obj: unknown, ...path: (string | number)[]): unknown {
  return path.reduce<unknown>((o, k) => (o === undefined || o === null ? undefined : (o as Record<string | number, unknown>)[k]), obj);
}

export const KAFKA = "kubernetes:kafka.strimzi.io/v1:Kafka";
export const NODE_POOL = "kubernetes:kafka.strimzi.io/v1:KafkaNodePool";
export const TOPIC = "kubernetes:kafka.strimzi.io/v1:KafkaTopic";
export const USER = "kubernetes:kafka.strimzi.io/v1:KafkaUser";

/** Writes `value` at `path` inside an object, or removes the field when `value` is undefined. */
export function put(obj: unknown, path: (string | number)[], value: unknown): void {
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((o, k) => o[k] as Record<string | number, unknown>, obj as Record<string | number, unknown>);
  if (value === undefined) delete parent[path[path.length - 1]];
  else parent[path[path.length - 1]] = value;
}
